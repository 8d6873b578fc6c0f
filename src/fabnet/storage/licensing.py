"""Tables of licensing: which organisation licenses a design on the platform, and the buyers'
requests for a licensor's permission (e.g. paid manufacture of a non-commercial design).

A design names its licensor in words (``designs.licensor``, from its manifest); names are labels
only, so the organisation that speaks for a design is linked by id here (one per design; the
design id is not a foreign key, so re-importing a design keeps its link).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, TimestampMixin, utc_now

ID = String(64)


class DesignLicensorRow(Base):
    """The organisation that licenses a design (grants permissions for it, sees its orders)."""

    __tablename__ = "design_licensors"

    design_id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    linked_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class PermissionRequestRow(TimestampMixin, Base):
    """A buyer's request for the licensor's permission for one design of one order:
    ``pending`` until the licensor grants (``granted``, with the permission document's SHA-256)
    or refuses it (``refused``, with the reason)."""

    __tablename__ = "permission_requests"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(
        ID, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    design_id: Mapped[str] = mapped_column(ID)
    buyer_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"))
    licensor_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    requested_by: Mapped[str] = mapped_column(ID)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    response_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(ID)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)


class LicensingRepository:
    """Queries over design licensors and permission requests inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # design licensors
    def licensor_of(self, design_id: str) -> DesignLicensorRow | None:
        return self.session.get(DesignLicensorRow, design_id)

    def licensors_of(self, design_ids: Collection[str]) -> dict[str, str]:
        """Design id -> licensing organisation id, for the designs that have one."""
        if not design_ids:
            return {}
        rows = self.session.scalars(
            select(DesignLicensorRow).where(DesignLicensorRow.design_id.in_(list(design_ids)))
        )
        return {r.design_id: r.org_id for r in rows}

    def designs_of(self, org_id: str) -> list[str]:
        return list(
            self.session.scalars(
                select(DesignLicensorRow.design_id)
                .where(DesignLicensorRow.org_id == org_id)
                .order_by(DesignLicensorRow.design_id)
            )
        )

    def link(self, design_id: str, org_id: str, linked_by: str | None) -> DesignLicensorRow:
        row = self.session.get(DesignLicensorRow, design_id)
        if row is None:
            row = DesignLicensorRow(design_id=design_id, org_id=org_id, linked_by=linked_by)
            self.session.add(row)
        else:
            row.org_id, row.linked_by, row.created_at = org_id, linked_by, utc_now()
        self.session.flush()
        return row

    def unlink(self, design_id: str) -> bool:
        row = self.session.get(DesignLicensorRow, design_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    # permission requests
    def request(self, request_id: str) -> PermissionRequestRow | None:
        return self.session.get(PermissionRequestRow, request_id)

    def requests_of_order(self, order_id: str) -> list[PermissionRequestRow]:
        return list(
            self.session.scalars(
                select(PermissionRequestRow)
                .where(PermissionRequestRow.order_id == order_id)
                .order_by(PermissionRequestRow.created_at, PermissionRequestRow.id)
            )
        )

    def requests_to(self, licensor_org_id: str) -> list[PermissionRequestRow]:
        """Requests to the licensor, newest first."""
        return list(
            self.session.scalars(
                select(PermissionRequestRow)
                .where(PermissionRequestRow.licensor_org_id == licensor_org_id)
                .order_by(PermissionRequestRow.created_at.desc(), PermissionRequestRow.id)
            )
        )

    def requests_from(self, buyer_org_id: str) -> list[PermissionRequestRow]:
        """Requests the buyer's organisation made, newest first."""
        return list(
            self.session.scalars(
                select(PermissionRequestRow)
                .where(PermissionRequestRow.buyer_org_id == buyer_org_id)
                .order_by(PermissionRequestRow.created_at.desc(), PermissionRequestRow.id)
            )
        )

    def decide(self, request_id: str, version: int, values: dict[str, Any]) -> bool:
        """Move a pending request at ``version`` to its decision: of racing deciders exactly
        one wins (``UPDATE ... WHERE status = 'pending' AND version = :v``)."""
        result = self.session.execute(
            update(PermissionRequestRow)
            .where(
                PermissionRequestRow.id == request_id,
                PermissionRequestRow.status == "pending",
                PermissionRequestRow.version == version,
            )
            .values(**values, version=version + 1, updated_at=utc_now()),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()
        return bool(getattr(result, "rowcount", 0))
