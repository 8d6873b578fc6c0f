"""Database handles: SQLite pragmas, URL handling, transactions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, text
from tests.query_count import counted

from fabnet.domain.facility import Facility
from fabnet.errors import ConfigurationError
from fabnet.storage import db as db_module
from fabnet.storage.db import Database, normalise_url
from fabnet.storage.facilities import FacilityRepository, FacilityRow


def test_sqlite_runs_with_foreign_keys_and_wal(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        FacilityRepository(session).bulk_upsert([Facility(id="f-1", name="Lab")])
        raise RuntimeError("boom")
    with db.read() as session:
        assert FacilityRepository(session).get("f-1") is None


def test_plain_postgresql_url_uses_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_unsupported_or_bad_urls_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="not supported"):
        normalise_url("mysql://u@h/db")
    with pytest.raises(ConfigurationError, match="not a database URL"):
        normalise_url("nonsense")


def test_sqlite_creates_the_parent_folder(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a' / 'b' / 'fabnet.db'}")
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert (tmp_path / "a" / "b" / "fabnet.db").exists()
    finally:
        db.dispose()


def test_a_read_snapshot_answers_every_read_of_its_block_with_one_session(db: Database) -> None:
    """A page asking many services about one order reads over one session (one connection,
    rows already read not fetched again); outside the block every read has its own."""
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(Facility(id="fac-s", name="Snapshot Lab"))
    with db.read() as first, db.read() as second:
        assert first is not second
    with db.read_snapshot():
        with db.read() as a:
            one = FacilityRepository(a).get("fac-s")
        with db.read_snapshot(), db.read() as b:  # nested: the same snapshot
            assert b is a
            assert FacilityRepository(b).get("fac-s") == one
    with db.read() as after:
        assert after is not a
        assert after.execute(text("SELECT 1")).scalar() == 1


def test_a_read_snapshot_reads_a_query_it_asked_already_once(db: Database) -> None:
    """The order dashboard asks seven services about each lot and each loads the lot, its
    order and the order's parties again: in a snapshot the same query (same bound values) is
    answered from what it read, a different one still goes to the database, and outside a
    snapshot every query does."""
    with db.transaction() as session:
        for fid, name in (("fac-a", "Lab A"), ("fac-b", "Lab B")):
            FacilityRepository(session).add_or_replace(Facility(id=fid, name=name))
    query = select(FacilityRow).where(FacilityRow.id == bindparam("fid"))
    with counted(db) as statements, db.read_snapshot():
        with db.read() as session:
            first = session.scalars(query, {"fid": "fac-a"}).one()
        with db.read() as session:
            again = session.scalars(query, {"fid": "fac-a"}).one()
            other = session.scalars(query, {"fid": "fac-b"}).one()
            in_list = session.scalars(select(FacilityRow).where(FacilityRow.id.in_(["fac-a"])))
            listed = list(in_list)
            listed_again = list(session.scalars(
                select(FacilityRow).where(FacilityRow.id.in_(["fac-a"]))))  # fmt: skip
            widened = list(session.scalars(
                select(FacilityRow).where(FacilityRow.id.in_(["fac-a", "fac-b"]))))  # fmt: skip
            assert again is first and first.name == "Lab A"  # the same row, attributes loaded
            assert other.name == "Lab B"
            assert listed == listed_again == [first]
            assert {r.id for r in widened} == {"fac-a", "fac-b"}
    assert len(statements) == 4  # fac-a, fac-b, IN (fac-a), IN (fac-a, fac-b)
    with counted(db) as statements:
        for _ in range(2):
            with db.read() as session:
                assert session.scalars(query, {"fid": "fac-a"}).one().name == "Lab A"
    assert len(statements) == 2


def test_a_snapshot_shows_what_it_read_and_the_next_read_sees_a_change(db: Database) -> None:
    """A write committed while a page is being built does not make the page contradict itself
    (its repeated reads agree); the next page sees the write."""
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(Facility(id="fac-c", name="Old name"))
    query = select(FacilityRow.name).where(FacilityRow.id == "fac-c")
    with db.read_snapshot():
        with db.read() as session:
            assert session.scalar(query) == "Old name"
        with db.transaction() as session:  # another request renames it meanwhile
            FacilityRepository(session).add_or_replace(Facility(id="fac-c", name="New name"))
        with db.read() as session:
            assert session.scalar(query) == "Old name"
    with db.read() as session:
        assert session.scalar(query) == "New name"


def test_row_locks_and_refreshes_always_go_to_the_database(db: Database) -> None:
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(Facility(id="fac-d", name="Locked Lab"))
    locked = select(FacilityRow).where(FacilityRow.id == "fac-d").with_for_update()
    with counted(db) as statements, db.read_snapshot(), db.read() as session:
        for _ in range(2):
            session.scalars(locked).one()
        for _ in range(2):
            session.scalars(select(FacilityRow).where(FacilityRow.id == "fac-d")
                            .execution_options(populate_existing=True)).one()  # fmt: skip
    assert len(statements) == 4

@pytest.fixture
def postgres_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A Database of its own (its own pool) on the PostgreSQL test database."""
    session = request.getfixturevalue("_postgres_session")
    database = Database(session.url)
    try:
        yield database
    finally:
        database.dispose()


def _backend_pid(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")))


@pytest.mark.postgres
def test_a_pooled_connection_that_died_while_idle_is_replaced(
    postgres_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _backend_pid(postgres_db)  # back in the pool
    with Database(postgres_db.url).engine.connect() as other:  # the server drops it (a restart)
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it idled long
    assert _backend_pid(postgres_db) != pid  # pinged, found dead, replaced: no error


@pytest.mark.postgres
def test_a_connection_back_from_a_request_moments_ago_is_not_pinged(
    postgres_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    real = postgres_db.engine.dialect.do_ping
    monkeypatch.setattr(
        postgres_db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or real(conn)
    )
    _backend_pid(postgres_db)
    _backend_pid(postgres_db)
    assert pings == []  # a round trip saved on every checkout of a busy pool
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(postgres_db)
    assert len(pings) == 1


def test_a_read_session_refuses_to_write_and_writes_nothing(db: Database) -> None:
    for reading in (db.read, db.read_snapshot):
        with pytest.raises(db_module.ReadOnlySessionError), reading(), db.read() as session:
            FacilityRepository(session).add_or_replace(Facility(id="fac-r", name="Read Lab"))
            session.flush()
        with db.read() as session:
            assert FacilityRepository(session).get("fac-r") is None
    with db.transaction() as session:  # a transaction writes as before
        FacilityRepository(session).add_or_replace(Facility(id="fac-r", name="Read Lab"))
    with db.read() as session:
        assert FacilityRepository(session).get("fac-r") is not None


def _in_transaction(session: object) -> bool:
    import psycopg.pq

    connection = session.connection().connection.dbapi_connection  # type: ignore[attr-defined]
    return bool(connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)


@pytest.mark.postgres
def test_a_postgresql_read_sends_no_begin_or_rollback(postgres_db: Database) -> None:
    """A read is one round trip per statement: no transaction is opened around it (under READ
    COMMITTED each statement saw the latest committed data anyway), so none is rolled back."""
    with postgres_db.read() as session:
        session.execute(text("SELECT 1"))
        assert not _in_transaction(session)
    with postgres_db.read_snapshot(), postgres_db.read() as session:
        session.execute(text("SELECT 1"))
        assert not _in_transaction(session)
    with postgres_db.transaction() as session:  # a transaction still is one
        session.execute(text("SELECT 1"))
        assert _in_transaction(session)
    with postgres_db.transaction() as session:  # the pooled connection is back to transactions
        session.execute(text("SELECT 1"))
        assert _in_transaction(session)


@pytest.mark.postgres
def test_a_postgresql_read_sees_a_change_committed_between_its_statements(
    postgres_db: Database,
) -> None:
    with postgres_db.read() as session:
        assert FacilityRepository(session).get("fac-c") is None
        with postgres_db.transaction() as writer:
            FacilityRepository(writer).add_or_replace(Facility(id="fac-c", name="Later Lab"))
        assert FacilityRepository(session).get("fac-c") is not None
