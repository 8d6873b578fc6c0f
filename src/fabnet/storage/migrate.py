"""Schema migrations (Alembic), shipped inside the package so an installed fabnet can migrate.

New tables go in a new file ``migrations/versions/NNNN_<what>.py`` whose ``down_revision`` is the
previous head; create one with :func:`new_revision` (autogenerate against a migrated database).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL

from fabnet.storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Alembic (and Mako under it) loads only to migrate: every API process and command checks the
# schema at start-up, and that check reads the version table and the migration files' headers.
_REVISION = re.compile(r"^revision(?:: str)? = [\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?:[\"']([^\"']+)[\"']|None)", re.M)


def alembic_config() -> Config:
    """An Alembic config pointing at fabnet's migrations (no alembic.ini needed)."""
    from alembic.config import Config  # noqa: PLC0415 (only to migrate; see above)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def head_revision() -> str:
    """The newest migration revision shipped with this fabnet: the one no other migration
    names as its ``down_revision`` (read from the files' headers, without Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN.search(source)
        if down is not None and down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    assert len(heads) == 1, f"fabnet's migrations must have one head, not {sorted(heads)}"
    return heads.pop()


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
        from alembic import command  # noqa: PLC0415 (only to migrate)

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def downgrade(target: str | URL | Database, revision: str) -> None:
    """Migrate the database at ``target`` down to ``revision`` (``base`` empties it)."""
    with _migration_connection(target) as connection:
        from alembic import command  # noqa: PLC0415 (only to migrate)

        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def current_revision(target: str | URL | Database) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    with _migration_connection(target) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        versions = list(rows)
        if len(versions) > 1:
            raise RuntimeError(f"the database has several schema versions: {versions}")
        return versions[0] if versions else None


def is_up_to_date(target: str | URL | Database) -> bool:
    return current_revision(target) == head_revision()


def new_revision(target: str | URL | Database, message: str, rev_id: str) -> None:
    """Autogenerate a migration file from the difference between the models and ``target``."""
    with _migration_connection(target) as connection:
        from alembic import command  # noqa: PLC0415 (only to migrate)

        config = alembic_config()
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


def ping(db: Database) -> None:
    """Run a trivial query (raises when the database is unreachable)."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
