"""Stored plans: every plan keeps the inputs it was made from and the planner's full result.

A plan is immutable once written; re-planning writes a new plan that names its parent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, utc_now

ID = String(64)


class PlanRow(Base):
    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ID, index=True)
    parent_plan_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    status: Mapped[str] = mapped_column(String(40))
    objective: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The order spec, resolved designs and places, exclusions and the planner's problem summary."""
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: PlanRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, plan_id: str) -> PlanRow | None:
        return self.session.get(PlanRow, plan_id)

    def for_order(self, order_id: str) -> list[PlanRow]:
        stmt = select(PlanRow).where(PlanRow.order_id == order_id).order_by(PlanRow.created_at)
        return list(self.session.scalars(stmt))
