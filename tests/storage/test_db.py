"""Database handles: SQLite pragmas, URL handling, transactions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from fabnet.domain.facility import Facility
from fabnet.errors import ConfigurationError
from fabnet.storage.db import Database, normalise_url
from fabnet.storage.facilities import FacilityRepository


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
