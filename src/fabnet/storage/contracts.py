"""Tables of contracts: the canonical terms each party signs, the PDF, and the signatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, utc_now

ID = String(64)


class ContractRow(Base):
    """``terms_json``: the canonical JSON of the
    :class:`~fabnet.domain.orders.contracts.ContractTerms`
    exactly as signed; ``kind`` is ``direct``, ``orchestrated`` (buyer and orchestrator) or
    ``subcontract`` (orchestrator and manufacturer, under ``parent_id``)."""

    __tablename__ = "contracts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(ID, ForeignKey("orders.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ID, ForeignKey("lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contracts.id"))
    terms_json: Mapped[str] = mapped_column(Text)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ContractSignatureRow(Base):
    __tablename__ = "contract_signatures"

    contract_id: Mapped[str] = mapped_column(
        ID, ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    signer_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    terms_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
