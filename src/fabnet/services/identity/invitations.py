"""Inviting a facility that is not on the platform yet (facilities onboarding).

A platform admin (or the local operator through the CLI) invites a facility's contact by e-mail:
the facility's name and, optionally, an existing facility record that no organisation runs yet
(e.g. one imported from a directory). fabnet makes a one-time link — its token is random, kept
only as a SHA-256 hash, and expires after :data:`INVITATION_DAYS` days — and e-mails it through
the notifications' SMTP server when one is set (``FABNET_SMTP_*``; otherwise the admin passes the
link on). Following the link, the invitee creates its manufacturer organisation and its first
user (an argon2 password hash and an Ed25519 signing key, as every user); the facility — the one
named, or a new bare record the manufacturer then fills in on its facility page — is linked to
the organisation, so invitations, contracts and payouts reach it. The token is spent in the same
transaction: a link works once, and a failed acceptance (a short password...) leaves it usable.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.facility import Facility
from fabnet.domain.identity import Organisation, OrgKind, Principal, User, normalise_email
from fabnet.errors import (
    ConflictError,
    ExternalToolError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from fabnet.services.identity.accounts import generate_user_keypair, hash_password
from fabnet.services.platform.notifications import send_email
from fabnet.settings import Settings, get_settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import (
    IdentityRepository,
    OrganisationRow,
    UserRow,
    aware,
    aware_or_none,
)
from fabnet.storage.invitations import FacilityInvitationRow

#: How long an invitation link works.
INVITATION_DAYS = 14
#: The path of the link under the site's address.
INVITATION_PATH = "/invitations/"


class FacilityInvitation(Frozen):
    id: str
    email: str
    contact_name: str | None
    facility_name: str
    facility_id: str | None = Field(
        description="The facility record to link; None: a new record made on acceptance"
    )
    status: str = Field(description="pending, accepted, expired or withdrawn")
    created_at: datetime
    expires_at: datetime
    emailed_at: datetime | None
    email_error: str | None
    accepted_at: datetime | None
    org_id: str | None = Field(description="The organisation the invitee created")


class IssuedInvitation(Frozen):
    """A new invitation with its link: the only time the token is known (only its hash is kept)."""

    invitation: FacilityInvitation
    link: str
    emailed: bool
    email_error: str | None = Field(description="Why the e-mail was not sent, if it was not")


class AcceptedInvitation(Frozen):
    organisation: Organisation
    user: User
    facility_id: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _status(row: FacilityInvitationRow, now: datetime) -> str:
    if row.withdrawn_at is not None:
        return "withdrawn"
    if row.accepted_at is not None:
        return "accepted"
    return "expired" if now >= aware(row.expires_at) else "pending"


def _view(row: FacilityInvitationRow, now: datetime) -> FacilityInvitation:
    return FacilityInvitation(
        id=row.id, email=row.email, contact_name=row.contact_name,
        facility_name=row.facility_name, facility_id=row.facility_id, status=_status(row, now),
        created_at=aware(row.created_at), expires_at=aware(row.expires_at),
        emailed_at=aware_or_none(row.emailed_at), email_error=row.email_error,
        accepted_at=aware_or_none(row.accepted_at), org_id=row.org_id,
    )  # fmt: skip


def _require_admin(actor: Principal | None) -> None:
    if actor is not None and not actor.is_platform_admin:
        raise PermissionDeniedError("only platform admins invite facilities")


def _name(value: str, field: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InputError(f"give the {what}", field=field)
    if len(text) > 300:
        raise InputError(f"the {what} has {len(text)} characters; at most 300", field=field)
    return text


def _runner_of(session: Session, facility_id: str) -> OrganisationRow | None:
    for org in session.scalars(select(OrganisationRow)):
        if facility_id in (org.facility_ids or []):
            return org
    return None


def _check_facility(session: Session, facility_id: str, now: datetime) -> None:
    """The facility exists, no organisation runs it and no open invitation names it."""
    if not FacilityRepository(session).exists(facility_id):
        raise InputError(
            f"no facility with id {facility_id}",
            field="facility_id",
            hint="leave it empty to let the invitee describe a new facility",
        )
    runner = _runner_of(session, facility_id)
    if runner is not None:
        raise InputError(
            f"facility {facility_id} is already run by {runner.name}", field="facility_id",
            hint="link or unlink facilities of organisations on the platform instead",
        )  # fmt: skip
    for other in session.scalars(
        select(FacilityInvitationRow).where(FacilityInvitationRow.facility_id == facility_id)
    ):
        if _status(other, now) == "pending":
            raise ConflictError(
                f"{other.email} is already invited to run facility {facility_id} (until "
                f"{aware(other.expires_at):%Y-%m-%d})",
                hint="withdraw that invitation first",
            )


def invitation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{INVITATION_PATH}{token}"


def _mail_body(row: FacilityInvitationRow, link: str) -> str:
    hello = f"Hello {row.contact_name},\n\n" if row.contact_name else "Hello,\n\n"
    return (
        f"{hello}you are invited to run {row.facility_name} on fabnet, the network that sends "
        "manufacturing jobs to local fab labs and workshops.\n\n"
        "Follow this link to create your manufacturer organisation and your user; the facility "
        f"is then yours to describe (equipment, capacity, rates) and to take jobs:\n\n{link}\n\n"
        f"The link works once, until {aware(row.expires_at):%Y-%m-%d %H:%M} UTC.\n"
    )


def invite_facility(
    db: Database,
    actor: Principal | None,
    email: str,
    facility_name: str,
    *,
    base_url: str,
    contact_name: str | None = None,
    facility_id: str | None = None,
    days: int = INVITATION_DAYS,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Invite a facility's contact to the platform (platform admins; ``actor`` None: the local
    operator). ``base_url`` is the site's address for the link. The e-mail is sent when an SMTP
    server is set; its failure is recorded and returned, the invitation stands (pass the link
    on by hand)."""
    _require_admin(actor)
    settings = settings or get_settings()
    at = now or utc_now()
    address = normalise_email(email)
    name = _name(facility_name, "facility_name", "facility's name")
    contact = " ".join((contact_name or "").split()) or None
    fid = (facility_id or "").strip() or None
    if not 1 <= days <= 90:
        raise InputError(f"an invitation lasts 1 to 90 days, not {days}", field="days")
    token = secrets.token_urlsafe(32)
    with db.transaction() as session:
        if IdentityRepository(session).user_row_by_email(address) is not None:
            raise ConflictError(
                f"a user with e-mail {address} is on the platform already",
                hint="link the facility to that user's organisation instead",
            )
        if fid is not None:
            _check_facility(session, fid, at)
        row = FacilityInvitationRow(
            id=str(uuid.uuid4()), email=address, contact_name=contact, facility_name=name,
            facility_id=fid, token_sha256=_hash(token),
            invited_by=actor.user_id if actor is not None else None, created_at=at,
            expires_at=at + timedelta(days=days),
        )  # fmt: skip
        session.add(row)
        session.flush()
        body = _mail_body(row, invitation_link(base_url, token))
        invitation_id = row.id
    link = invitation_link(base_url, token)
    error: str | None = None
    if not settings.smtp_host:
        error = "no SMTP server is set (FABNET_SMTP_HOST): pass the link on yourself"
    else:
        try:
            send_email(settings, address, f"[fabnet] You are invited to run {name} on fabnet",
                       body)  # fmt: skip
        except ExternalToolError as failure:
            error = failure.message
    with db.transaction() as session:
        stored = session.get(FacilityInvitationRow, invitation_id)
        assert stored is not None
        if error is None:
            stored.emailed_at = utc_now()
        stored.email_error = error
        session.flush()
        view = _view(stored, at)
    return IssuedInvitation(invitation=view, link=link, emailed=error is None, email_error=error)


def list_facility_invitations(
    db: Database, actor: Principal | None, *, now: datetime | None = None
) -> list[FacilityInvitation]:
    """Every facility invitation, newest first."""
    _require_admin(actor)
    at = now or utc_now()
    with db.read() as session:
        rows = session.scalars(
            select(FacilityInvitationRow).order_by(
                FacilityInvitationRow.created_at.desc(), FacilityInvitationRow.id
            )
        )
        return [_view(r, at) for r in rows]


def withdraw_facility_invitation(
    db: Database, actor: Principal | None, invitation_id: str, *, now: datetime | None = None
) -> FacilityInvitation:
    """Withdraw a pending invitation: its link stops working."""
    _require_admin(actor)
    at = now or utc_now()
    with db.transaction() as session:
        row = session.get(FacilityInvitationRow, invitation_id)
        if row is None:
            raise NotFoundError(f"no facility invitation with id {invitation_id}")
        status = _status(row, at)
        if status != "pending":
            raise ConflictError(f"the invitation of {row.email} is {status}: nothing to withdraw")
        row.withdrawn_at = at
        session.flush()
        return _view(row, at)


def _closed(row: FacilityInvitationRow, now: datetime) -> ConflictError | None:
    status = _status(row, now)
    if status == "accepted":
        return ConflictError(
            "this invitation link has been used already",
            hint=f"{row.email} signs in with the password chosen then",
        )
    if status == "withdrawn":
        return ConflictError("this invitation was withdrawn",
                             hint="ask the platform admin for a new one")  # fmt: skip
    if status == "expired":
        return ConflictError(
            f"this invitation expired on {aware(row.expires_at):%Y-%m-%d %H:%M} UTC",
            hint="ask the platform admin for a new one",
        )
    return None


def _by_token(session: Session, token: str) -> FacilityInvitationRow:
    row = session.scalar(
        select(FacilityInvitationRow).where(FacilityInvitationRow.token_sha256 == _hash(token))
    )
    if row is None:
        raise NotFoundError("this invitation link is not valid",
                            hint="check that the whole link was copied")  # fmt: skip
    return row


def invitation_by_token(
    db: Database, token: str, *, now: datetime | None = None
) -> FacilityInvitation:
    """The pending invitation of ``token``; NotFoundError for an unknown token, ConflictError
    naming why for a used, withdrawn or expired one."""
    at = now or utc_now()
    with db.read() as session:
        row = _by_token(session, token)
        closed = _closed(row, at)
        if closed is not None:
            raise closed
        return _view(row, at)


_SLUG = re.compile(r"[^a-z0-9]+")


def _new_facility_id(session: Session, name: str) -> str:
    stem = _SLUG.sub("-", name.lower()).strip("-")[:40] or "facility"
    repo = FacilityRepository(session)
    while True:
        candidate = f"{stem}-{secrets.token_hex(3)}"
        if not repo.exists(candidate):
            return candidate


def accept_facility_invitation(
    db: Database,
    token: str,
    *,
    org_name: str,
    display_name: str,
    password: str,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> AcceptedInvitation:
    """Spend the invitation: create the manufacturer organisation (running the facility) and its
    first user with the invited e-mail, in one transaction. Refused (nothing written, the link
    still usable) for a short password, an empty name, or a facility someone else took meanwhile;
    a link works once."""
    settings = settings or get_settings()
    at = now or utc_now()
    org_label = _name(org_name, "org_name", "organisation's name")
    person = _name(display_name, "display_name", "your name")
    password_hash = hash_password(password)
    public_key, sealed_private = generate_user_keypair(settings.secret_key)
    with db.transaction() as session:
        row = _by_token(session, token)
        closed = _closed(row, at)
        if closed is not None:
            raise closed
        # Spend the token first, compare-and-set: of two acceptances at once only one goes on.
        spent = session.execute(
            update(FacilityInvitationRow)
            .where(FacilityInvitationRow.id == row.id, FacilityInvitationRow.accepted_at.is_(None),
                   FacilityInvitationRow.withdrawn_at.is_(None))
            .values(accepted_at=at),
            execution_options={"synchronize_session": False},
        )  # fmt: skip
        if getattr(spent, "rowcount", 0) != 1:
            raise ConflictError("this invitation link has been used already")
        repo = IdentityRepository(session)
        if repo.user_row_by_email(row.email) is not None:
            raise ConflictError(f"a user with e-mail {row.email} is on the platform already",
                                hint="sign in instead")  # fmt: skip
        if row.facility_id is not None:
            runner = _runner_of(session, row.facility_id)
            if runner is not None:
                raise ConflictError(
                    f"facility {row.facility_id} has been linked to {runner.name} meanwhile",
                    hint="ask the platform admin",
                )
            facility_id = row.facility_id
        else:
            facility_id = _new_facility_id(session, row.facility_name)
            new = Facility(id=facility_id, name=row.facility_name, owner=org_label,
                           source="facility invitation")  # fmt: skip
            FacilityRepository(session).add_or_replace(new)
        org = repo.add_organisation(OrganisationRow(
            id=str(uuid.uuid4()), name=org_label, kind=OrgKind.MANUFACTURER.value,
            facility_ids=[facility_id], version=1,
        ))  # fmt: skip
        user = repo.add_user(UserRow(
            id=str(uuid.uuid4()), email=row.email, display_name=person, org_id=org.id,
            password_hash=password_hash, public_key=public_key,
            private_key_encrypted=sealed_private, is_active=True,
        ))  # fmt: skip
        session.execute(
            update(FacilityInvitationRow)
            .where(FacilityInvitationRow.id == row.id)
            .values(org_id=org.id, user_id=user.id),
            execution_options={"synchronize_session": False},
        )
        return AcceptedInvitation(organisation=org, user=user, facility_id=facility_id)


__all__ = [
    "INVITATION_DAYS",
    "AcceptedInvitation",
    "FacilityInvitation",
    "IssuedInvitation",
    "accept_facility_invitation",
    "invitation_by_token",
    "invitation_link",
    "invite_facility",
    "list_facility_invitations",
    "withdraw_facility_invitation",
]
