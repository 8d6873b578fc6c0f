"""Readiness of this fabnet process: its version and whether the database answers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sqlalchemy.exc import SQLAlchemyError

from fabnet.storage.db import Database
from fabnet.storage.migrate import ping


def fabnet_version() -> str:
    try:
        return version("fabnet")
    except PackageNotFoundError:
        return "unknown"


def database_status(db: Database) -> str:
    """``ok``, or ``unreachable`` when a trivial query fails."""
    try:
        ping(db)
    except SQLAlchemyError:
        return "unreachable"
    return "ok"
