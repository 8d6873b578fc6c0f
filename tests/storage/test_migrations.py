"""The migrations build exactly the schema the ORM models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from fabnet.storage.base import load_all_models
from fabnet.storage.db import Database
from fabnet.storage.migrate import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)


def test_models_and_migrations_agree(db: Database) -> None:
    metadata = load_all_models()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models differ from migrations; add a migration: {diff}"


def test_database_is_at_head(db: Database) -> None:
    assert current_revision(db) == head_revision()


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    downgrade(url, "base")
    db = Database(url)
    try:
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(db) is None
        upgrade(db)
        assert "facilities" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_migration_files_follow_the_naming_convention() -> None:
    names = sorted(
        p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.stem[0].isdigit()
    )
    assert names[0] == "0001_initial.py"
    assert all(n[:4].isdigit() and n[4] == "_" for n in names)


def test_start_up_schema_check_agrees_with_alembic(db: Database, tmp_path: Path) -> None:
    """API processes and commands check the schema without loading Alembic: the head read from
    the migration files' headers and the version read from the table must be Alembic's own."""
    from alembic.script import ScriptDirectory

    from fabnet.storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    with db.engine.connect() as connection:
        assert current_revision(db) == MigrationContext.configure(connection).get_current_revision()
    url = f"sqlite:///{tmp_path / 'older.db'}"
    assert current_revision(url) is None  # never migrated: no version table
    older = script.get_revision(head_revision()).down_revision
    assert isinstance(older, str)
    upgrade(url, older)
    assert current_revision(url) == older != head_revision()
