"""Table of invitations to facilities that are not on the platform yet: a platform admin invites
a facility's contact by e-mail; the one-time link (its token kept only as a SHA-256 hash) lets the
invitee create its manufacturer organisation and first user, and links the facility to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, utc_now

ID = String(64)


class FacilityInvitationRow(Base):
    __tablename__ = "facility_invitations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(300))
    facility_name: Mapped[str] = mapped_column(String(300))
    facility_id: Mapped[str | None] = mapped_column(ID, index=True)
    """An existing facility record no organisation runs; None: the invitee's new facility."""
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_error: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    org_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organisations.id", ondelete="SET NULL")
    )
    """The organisation the invitee created."""
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
