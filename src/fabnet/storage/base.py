"""The declarative base every fabnet table derives from, and model discovery.

Tables of every area (designs, facilities, orders, ledger, ...) live in modules under
``fabnet.storage`` and derive from :class:`Base`. :func:`load_all_models` imports every such module
so that ``Base.metadata`` is complete for Alembic and for the schema-vs-migrations test.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_SKIP_MODULES = ("fabnet.storage.migrations",)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """``created_at`` / ``updated_at`` columns, set by Python (timezone-aware UTC)."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )


def load_all_models() -> MetaData:
    """Import every module under ``fabnet.storage`` (not the migrations) and return the metadata."""
    import fabnet.storage as package  # the package imports this module: read its tables lazily  # noqa: PLC0415

    for info in pkgutil.walk_packages(package.__path__, prefix="fabnet.storage."):
        if info.name.startswith(_SKIP_MODULES):
            continue
        importlib.import_module(info.name)
    return Base.metadata
