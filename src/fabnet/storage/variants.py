"""Design variants: which design a variant derives from and with which parameter set.

The variant itself is an ordinary design (``designs`` row, its own id, parts with the rendered
STL as export files): matching, quoting and planning read it like any other. This table records
its lineage: the parent, the parameter set (name and values), the licence obligations that carry
over, and the sha256 of each part's rendered STL.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, utc_now


class DesignVariantRow(Base):
    __tablename__ = "design_variants"

    id: Mapped[str] = mapped_column(
        String(64), ForeignKey("designs.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("designs.id", ondelete="CASCADE"), index=True
    )
    set_name: Mapped[str] = mapped_column(String(200))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    part_files: Mapped[dict[str, Any]] = mapped_column(JSON)
    obligations: Mapped[list[str]] = mapped_column(JSON)
    fork_of: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


@dataclass(frozen=True)
class VariantRecord:
    id: str
    parent_id: str
    set_name: str
    parameters: dict[str, Any]
    part_files: dict[str, Any]
    """Part id -> {"path", "sha256", "size_bytes"} of its rendered STL."""
    obligations: tuple[str, ...]
    fork_of: str | None
    created_at: datetime | None = None


def _record(row: DesignVariantRow) -> VariantRecord:
    return VariantRecord(
        row.id, row.parent_id, row.set_name, dict(row.parameters), dict(row.part_files),
        tuple(row.obligations), row.fork_of, row.created_at,
    )  # fmt: skip


class VariantRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, variant_id: str) -> VariantRecord | None:
        row = self.session.get(DesignVariantRow, variant_id)
        return None if row is None else _record(row)

    def put(self, record: VariantRecord) -> None:
        row = self.session.get(DesignVariantRow, record.id)
        if row is None:
            row = DesignVariantRow(id=record.id)
            self.session.add(row)
        row.parent_id = record.parent_id
        row.set_name = record.set_name
        row.parameters = record.parameters
        row.part_files = record.part_files
        row.obligations = list(record.obligations)
        row.fork_of = record.fork_of
        self.session.flush()

    def of_parent(self, parent_id: str) -> builtins.list[VariantRecord]:
        stmt = (
            select(DesignVariantRow)
            .where(DesignVariantRow.parent_id == parent_id)
            .order_by(DesignVariantRow.id)
        )
        return [_record(r) for r in self.session.scalars(stmt)]
