"""Tables of webhooks: subscriptions per organisation and the record of every delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, TimestampMixin
from fabnet.storage.identity import ID


class WebhookSubscriptionRow(TimestampMixin, Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret_sealed: Mapped[str] = mapped_column(Text)
    """The signing secret, encrypted at rest (it must be readable to sign, unlike a token)."""
    event_types: Mapped[list[str]] = mapped_column(JSON)
    """Event types to deliver; ``["*"]`` for all."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class WebhookDeliveryRow(TimestampMixin, Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(
        ID, ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(ID, index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    """``pending``, ``delivered`` or ``failed`` (gave up after the last attempt)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
