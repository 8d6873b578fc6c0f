"""Tables of quality control: inspection tasks with their sampling plans and results, and the
nonconformances they raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, utc_now

ID = String(64)


class InspectionRow(Base):
    """A lot inspection assigned to an inspector organisation; ``plan`` is the AQL sampling
    plan per defect class for the lot size, ``result`` what the inspector found."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, ForeignKey("lots.id"), index=True)
    inspector_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    lot_size: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    verdict: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NonconformanceRow(Base):
    """Units that failed: disposed of by ``rework`` (same lot) or ``replacement`` (re-planned)."""

    __tablename__ = "nonconformances"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(ID, ForeignKey("lots.id"), index=True)
    inspection_id: Mapped[str | None] = mapped_column(ID, ForeignKey("inspections.id"))
    disposition: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
