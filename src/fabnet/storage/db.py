"""The database handle: an engine and a session factory for SQLite or PostgreSQL.

SQLite (the embedded default) runs with foreign keys ON, WAL journaling and a busy timeout;
PostgreSQL runs through psycopg 3. Only services open transactions, with
``with db.transaction() as session:``.

Reads (``with db.read() as session:`` and read snapshots) write nothing: a statement that would
change data in one raises :class:`ReadOnlySessionError`. On PostgreSQL they run outside a
transaction (autocommit): each statement reads the latest committed data, exactly what its
default READ COMMITTED isolation gives a statement inside a transaction, without the ``BEGIN`` and
``ROLLBACK`` round trips a transaction costs (two of the three round trips of a one-query read).

An adapter that must commit a service's change together with a record of its own (the API's
idempotency keys: the stored response commits with the change it answers, ADR 0014) holds one
transaction for a block with ``with db.held_transaction() as held:``: inside it (in this context
and the threads that copy it, as ``anyio.to_thread`` does) every ``db.transaction()`` joins the
held transaction as a savepoint and ``db.read()`` reads through it once it has begun; nothing
commits until ``held.commit()``, and the block ends with a rollback of whatever was not committed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from fabnet.errors import ConfigurationError
from fabnet.storage import snapshot_cache

_SQLITE_BUSY_TIMEOUT_MS = 10_000
PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled PostgreSQL connection idle at least this long is pinged before it is handed out
(one ``SELECT 1``, as ``pool_pre_ping`` does for every checkout); a busy one is not: with
``pool_pre_ping`` each request paid one round trip per session for it."""
_IDLE_SINCE = "fabnet_idle_since"
_BEGIN_OPTION = "fabnet_sqlite_begin"
_READ_ONLY_OPTION = "fabnet_read_only"
_WRITING = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|CREATE|DROP|ALTER|TRUNCATE|LOCK|GRANT|"
    r"REVOKE|COPY|VACUUM|REINDEX|CLUSTER|COMMENT|REFRESH)\b",
    re.IGNORECASE,
)


class ReadOnlySessionError(RuntimeError):
    """A statement that changes data was sent through a session for reading (a programming
    error: a change belongs in ``db.transaction()``)."""


def _refuse_writes_in_reads(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if conn.get_execution_options().get(_READ_ONLY_OPTION) and _WRITING.match(statement):
        raise ReadOnlySessionError(f"a read session does not write: {statement.split(None, 3)[:3]}")


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL; bare ``postgresql://`` / ``postgres://`` use the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the bad text
        raise ConfigurationError(
            f"FABNET_DATABASE_URL {str(url)!r} is not a database URL: {exc}",
            hint="use sqlite:///path/to/fabnet.db or postgresql+psycopg://user@host/db",
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"database backend {backend!r} is not supported; use SQLite or PostgreSQL"
        )
    return parsed


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Writing transactions take the write lock up front (BEGIN IMMEDIATE), so two writers wait for
    # each other (busy_timeout) instead of failing when a read lock cannot be upgraded.
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_database_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine configured the fabnet way for ``url`` (see the module docstring)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if _is_memory_sqlite(parsed):
            engine = create_engine(
                parsed,
                echo=echo,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
        else:
            assert parsed.database is not None
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _refuse_writes_in_reads)
        return engine
    engine = create_engine(parsed, echo=echo)
    event.listen(engine, "before_cursor_execute", _refuse_writes_in_reads)
    event.listen(engine, "connect", _mark_idle)
    event.listen(engine, "checkin", _mark_idle)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Any:
    """A checkout hook: ``pool_pre_ping`` for connections idle past PING_AFTER_IDLE_SECONDS
    (a dead one is replaced: the pool retries the checkout on DisconnectionError)."""

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection is dead: {exc}") from exc
        if not alive:
            raise DisconnectionError("a pooled connection did not answer")

    return checkout


class HeldTransaction:
    """One transaction that the ``db.transaction()`` blocks of a context join (see the module
    docstring); it begins with the first of them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.session: Session | None = None
        self.committed = False
        self.closed = False

    @property
    def open(self) -> bool:
        """Whether transactions of its context still join it (until committed or closed)."""
        return not (self.committed or self.closed)

    def join(self) -> Session:
        """The held session, its transaction begun (on SQLite with the write lock)."""
        assert self.open, "the held transaction has ended"
        if self.session is None:
            session = self.db._sessions()
            session.begin()
            if self.db.backend == "sqlite":
                session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
            self.session = session
        return self.session

    def commit(self) -> None:
        """Commit everything the joined blocks did (nothing to do when none began)."""
        if self.session is not None:
            self.session.commit()
        self.committed = True

    def close(self) -> None:
        """Roll back what was not committed and give the connection back."""
        self.closed = True
        if self.session is not None:
            if not self.committed:
                self.session.rollback()
            self.session.close()
            self.session = None


_HELD: ContextVar[HeldTransaction | None] = ContextVar("fabnet_held_transaction", default=None)
_SNAPSHOT: ContextVar[tuple[Database, Session] | None] = ContextVar(
    "fabnet_read_snapshot", default=None
)


class Database:
    """An engine plus a session factory. Cheap to keep for the life of a process."""

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url: URL = normalise_url(url)
        self.engine: Engine = create_database_engine(self.url, echo=echo)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._read_options: dict[str, Any] = {_READ_ONLY_OPTION: True}
        if self.backend == "postgresql":
            self._read_options["isolation_level"] = "AUTOCOMMIT"

    def _read_session(self) -> Session:
        """A session for reads only (see the module docstring): autocommit on PostgreSQL,
        refusing statements that write."""
        session = self._sessions()
        session.connection(execution_options=self._read_options)
        return session

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    @property
    def url_text(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error.
        Inside :meth:`held_transaction`, a savepoint of the held transaction instead."""
        held = _HELD.get()
        if held is not None and held.db is self and held.open:
            session = held.join()
            with session.begin_nested():
                yield session
            return
        with self._sessions() as session, session.begin():
            if self.backend == "sqlite":
                session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
            yield session

    @contextmanager
    def held_transaction(self) -> Iterator[HeldTransaction]:
        """Hold the transactions of this context in one (see the module docstring)."""
        held = HeldTransaction(self)
        token = _HELD.set(held)
        try:
            yield held
        finally:
            _HELD.reset(token)
            held.close()

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Every :meth:`read` of this context (thread or task) uses one session until the block
        ends: a page that asks many services about the same order reads it over one connection
        instead of opening a session per question, and a query it asked already is answered from
        what it read then (``storage.snapshot_cache``). For reads only: writes inside the block
        use their own sessions, which the snapshot's session does not see."""
        if _SNAPSHOT.get() is not None:
            yield
            return
        with self._read_session() as session:
            snapshot_cache.attach(session)  # a query asked twice in the block is read once
            token = _SNAPSHOT.set((self, session))
            try:
                yield
            finally:
                _SNAPSHOT.reset(token)
                snapshot_cache.detach(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (it refuses to write; on PostgreSQL each statement reads the
        latest committed data, see the module docstring). Inside a held
        transaction that has begun, its session (so the reads see its changes); inside
        :meth:`read_snapshot`, the snapshot's."""
        held = _HELD.get()
        if held is not None and held.db is self and held.open and held.session is not None:
            yield held.session
            return
        snapshot = _SNAPSHOT.get()
        if snapshot is not None and snapshot[0] is self:
            yield snapshot[1]
            return
        with self._read_session() as session:  # closing ends it: nothing to roll back
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (call before deleting a SQLite file)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url_text!r})"
