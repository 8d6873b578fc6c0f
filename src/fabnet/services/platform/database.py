"""Opening and migrating the database that the settings name."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from fabnet.errors import ConfigurationError
from fabnet.settings import Settings, get_settings
from fabnet.storage import migrate
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


@dataclass(frozen=True)
class UpgradeResult:
    url: str
    before: str | None
    after: str


def open_database(
    settings: Settings | None = None, *, auto_upgrade: bool | None = None
) -> Database:
    """The database from the settings, checked to be at the newest schema.

    ``auto_upgrade=None`` (default) migrates the embedded SQLite default (no
    ``FABNET_DATABASE_URL``) automatically; a configured database must be upgraded explicitly with
    ``fabnet db upgrade`` and is refused until then.
    """
    settings = settings or get_settings()
    db = Database(settings.resolved_database_url)
    if auto_upgrade is None:
        auto_upgrade = settings.database_url is None
    try:
        current = migrate.current_revision(db)
        head = migrate.head_revision()
        if current != head:
            if not auto_upgrade:
                raise ConfigurationError(
                    f"the database {db.url_text} is at schema revision {current or 'none'}, "
                    f"this fabnet needs {head}",
                    hint="run `fabnet db upgrade`",
                )
            migrate.upgrade(db)
    except ConfigurationError:
        db.dispose()
        raise
    except Exception as exc:
        db.dispose()
        if _is_connection_error(exc):
            raise ConfigurationError(
                f"cannot connect to the database {db.url_text}: {_first_line(exc)}",
                hint="check FABNET_DATABASE_URL and that the server runs",
            ) from exc
        raise
    return db


def upgrade_database(settings: Settings | None = None) -> UpgradeResult:
    """Migrate the configured database to the newest schema."""
    settings = settings or get_settings()
    db = Database(settings.resolved_database_url)
    try:
        before = migrate.current_revision(db)
        migrate.upgrade(db)
        return UpgradeResult(db.url_text, before, migrate.head_revision())
    except Exception as exc:
        if _is_connection_error(exc):
            raise ConfigurationError(
                f"cannot connect to the database {db.url_text}: {_first_line(exc)}",
                hint="check FABNET_DATABASE_URL and that the server runs",
            ) from exc
        raise
    finally:
        db.dispose()


def read_snapshot(db: Database) -> AbstractContextManager[None]:
    """Within the block every read of the services uses one session (see
    ``Database.read_snapshot``): for a page that asks many questions about one order."""
    return db.read_snapshot()


def open_file_store(settings: Settings | None = None) -> FileStore:
    """The content-addressed file store under the settings' data dir."""
    settings = settings or get_settings()
    return FileStore(settings.file_store_dir, max_bytes=settings.max_file_bytes)


def _is_connection_error(exc: Exception) -> bool:

    return isinstance(exc, OperationalError)


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
