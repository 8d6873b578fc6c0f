"""The registry version: a counter that changes whenever designs or facilities change.

The matching engine caches its index per registry version; every repository write that changes a
design or a facility calls :func:`bump_registry_version` in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base

_KEY = "registry"


class RegistryStateRow(Base):
    __tablename__ = "registry_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


def registry_version(session: Session) -> int:
    """The current registry version (0 for an empty, never-changed registry)."""
    value = session.scalar(select(RegistryStateRow.version).where(RegistryStateRow.key == _KEY))
    return int(value) if value is not None else 0


def bump_registry_version(session: Session) -> int:
    """Increase the registry version atomically and return the new value."""
    result = session.execute(
        update(RegistryStateRow)
        .where(RegistryStateRow.key == _KEY)
        .values(version=RegistryStateRow.version + 1)
        .returning(RegistryStateRow.version)
    )
    value = result.scalar_one_or_none()
    if value is None:
        session.add(RegistryStateRow(key=_KEY, version=1))
        session.flush()
        return 1
    return int(value)


def facilities_fingerprint(session: Session) -> str:
    """The registry version with the facilities' count and latest change: names one state of the
    facility registry even across databases that reuse a URL and restart the version counter
    (a restored backup, a test database reset between tests)."""
    from fabnet.storage.facility_tables import FacilityRow  # noqa: PLC0415 - avoids an import cycle

    count, latest = session.execute(
        select(func.count(FacilityRow.id), func.max(FacilityRow.updated_at))
    ).one()
    stamp = latest.isoformat() if latest is not None else "-"
    return f"{registry_version(session)}-{int(count)}-{stamp}"
