"""Database fixtures every test area uses.

``db``: a migrated, empty :class:`~fabnet.storage.db.Database`, once on SQLite (a fresh file per
test, copied from a template migrated once per session) and once on PostgreSQL (a database of its
own per test session and pytest-xdist worker, migrated once; tables truncated before each test).
PostgreSQL comes from ``FABNET_TEST_POSTGRES_URL`` (default: the local server's ``test`` database,
used only to create and drop the per-session database). PostgreSQL, Redis, PrusaSlicer and the
OpenSCAD CLI are part of the product: when one is missing its tests fail, saying how to get it
(``scripts/setup.sh`` installs the tools, ``scripts/services.sh`` starts the servers); nothing is
skipped. Deselect the PostgreSQL half on purpose with ``-m "not postgres"``.

``redis_db``: ``redis_db(n)`` is a reachable, flushed Redis database for a test.
``openscad_cli`` and ``prusa_slicer_cli``: the tools' paths, for ``pytest.mark.usefixtures``.

``sqlite_db``: SQLite only. ``file_store``: a :class:`~fabnet.storage.files.FileStore` in tmp_path
(1 MiB limit). ``cli_env``: points the ``FABNET_*`` settings at ``db`` and a tmp data dir.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from sqlalchemy import MetaData, insert, text
from sqlalchemy.engine import URL, make_url

from fabnet.settings import get_settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from fabnet.storage.migrate import upgrade

# Webhook tests deliver to receivers on 127.0.0.1: allow internal targets for the suite (the
# refusal itself is tested with explicit settings in tests/jobs/test_webhook_targets.py).
os.environ.setdefault("FABNET_WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
_DB_PREFIX = "fabnet_test_"


def _admin_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _drop_stale_databases(conn: psycopg.Connection[Any]) -> None:
    """Drop per-session databases left by test runs on this machine whose process has ended."""
    names = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", (_DB_PREFIX + "%",)
    ).fetchall()
    for (name,) in names:
        pid_text = name.rsplit("_", 1)[-1]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _PostgresSession:
    """A migrated database for this test session, and a way to empty it between tests."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.db = Database(url)
        upgrade(self.db)
        self.metadata = MetaData()
        self.metadata.reflect(self.db.engine)
        tables = [t for t in self.metadata.sorted_tables if t.name != "alembic_version"]
        self.tables = tables
        # Rows the migrations seeded (e.g. the registry version): put back after each truncation.
        with self.db.engine.connect() as conn:
            self.seed = {
                t.name: [dict(r) for r in conn.execute(t.select()).mappings()] for t in tables
            }

    def reset(self) -> None:
        names = ", ".join(f'"{t.name}"' for t in self.tables)
        with self.db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in self.tables:
                if self.seed[table.name]:
                    conn.execute(insert(table), self.seed[table.name])


@pytest.fixture(scope="session")
def _postgres_session() -> Iterator[_PostgresSession]:
    base = make_url(os.environ.get("FABNET_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    if base.drivername in ("postgresql", "postgres"):
        base = base.set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{_DB_PREFIX}{worker}_{os.getpid()}"
    try:
        admin = psycopg.connect(_admin_conninfo(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        message = (
            f"PostgreSQL at {base.render_as_string(hide_password=True)} is unreachable "
            f"({str(exc).strip().splitlines()[0]}); set FABNET_TEST_POSTGRES_URL or start it "
            "(scripts/services.sh)"
        )
        pytest.fail(message, pytrace=False)
    with admin:
        _drop_stale_databases(admin)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    session = _PostgresSession(base.set(database=name))
    try:
        yield session
    finally:
        session.db.dispose()
        with psycopg.connect(_admin_conninfo(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_url(db_number: int) -> str:
    """``FABNET_TEST_REDIS_URL``'s server at database ``db_number``, flushed; fails the test when
    the server cannot be reached."""
    base = urlsplit(os.environ.get("FABNET_TEST_REDIS_URL", DEFAULT_REDIS_URL))
    url = base._replace(path=f"/{db_number}").geturl()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis at {url} is unreachable ({exc}); set FABNET_TEST_REDIS_URL or start it "
            "(scripts/services.sh)",
            pytrace=False,
        )
    redis.Redis.from_url(url).flushdb()
    return url


def _executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run scripts/setup.sh", pytrace=False)
    return path


@pytest.fixture
def redis_db() -> Callable[[int], str]:
    """``redis_db(n)``: the URL of Redis database ``n``, reachable and flushed (else the test
    fails)."""
    return _redis_url


@pytest.fixture(scope="session")
def openscad_cli() -> str:
    return _executable("openscad")


@pytest.fixture(scope="session")
def prusa_slicer_cli() -> str:
    return _executable("prusa-slicer")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _fresh_sqlite(template: Path, directory: Path) -> Database:
    target = directory / "fabnet-test.db"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        database = _fresh_sqlite(request.getfixturevalue("_sqlite_template"), tmp_path)
        try:
            yield database
        finally:
            database.dispose()
        return
    session: _PostgresSession = request.getfixturevalue("_postgres_session")
    session.reset()
    yield session.db


@pytest.fixture
def sqlite_db(_sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database (for tests where the backend does not matter)."""
    database = _fresh_sqlite(_sqlite_template, tmp_path)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def file_store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files", max_bytes=1024 * 1024)


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Settings pointing at ``db`` and a tmp data dir, for commands that read ``FABNET_*``."""
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        yield db
    finally:
        get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_matching_index() -> Iterator[None]:
    """The matcher caches its index per (database URL, registry version). Between tests the
    PostgreSQL database keeps its URL and its version counter is reset with the seed rows, so a
    cached index of an earlier test would look current: forget it."""
    from fabnet.services.sourcing import matching

    matching._CACHE.clear()
    yield
    matching._CACHE.clear()


@pytest.fixture(autouse=True, scope="session")
def _matching_index_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Built matching indexes go to a folder of the test session, not the user's cache."""
    from fabnet.services.sourcing import matching

    previous = matching.index_folder
    matching.index_folder = tmp_path_factory.mktemp("matching-index")
    yield
    matching.index_folder = previous


@pytest.fixture(autouse=True)
def _stop_job_queues() -> Iterator[None]:
    """Job queues built for a test's database stop with the test, before it is dropped."""
    yield
    from fabnet.outbox.queue import stop_all_queues

    stop_all_queues()
