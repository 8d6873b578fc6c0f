"""Schema migrations (Alembic), shipped inside the package so an installed fabnet can migrate.

New tables go in a new file ``migrations/versions/NNNN_<what>.py`` whose ``down_revision`` is the
previous head; create one with :func:`new_revision` (autogenerate against a migrated database).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from fabnet.storage.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at fabnet's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this fabnet."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "fabnet ships at least one migration"
    return head


@contextmanager
def _migration_connection(target: str | URL | Database) -> Iterator[Connection]:
    db = target if isinstance(target, Database) else Database(target)
    try:
        with db.engine.connect() as connection:
            if db.backend == "sqlite":
                # Batch migrations recreate tables; foreign keys must not cascade meanwhile.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            yield connection
            if db.backend == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    finally:
        if db is not target:
            db.dispose()


def upgrade(target: str | URL | Database, revision: str = "head") -> None:
    """Migrate the database at ``target`` (a URL or an open :class:`Database`) to ``revision``."""
    with _migration_connection(target) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def downgrade(target: str | URL | Database, revision: str) -> None:
    """Migrate the database at ``target`` down to ``revision`` (``base`` empties it)."""
    with _migration_connection(target) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def current_revision(target: str | URL | Database) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    with _migration_connection(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(target: str | URL | Database) -> bool:
    return current_revision(target) == head_revision()


def new_revision(target: str | URL | Database, message: str, rev_id: str) -> None:
    """Autogenerate a migration file from the difference between the models and ``target``."""
    with _migration_connection(target) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


def ping(db: Database) -> None:
    """Run a trivial query (raises when the database is unreachable)."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
