"""Inviting a facility that is not on the platform yet: the admin's invitation is e-mailed
(through a local aiosmtpd server) with a one-time link; following it creates the manufacturer
organisation running the facility and its first user (argon2 password). Links expire, work once,
can be withdrawn, and a failed acceptance leaves them usable."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest

from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from fabnet.services.catalogue.facilities import get_facility
from fabnet.services.identity import accounts, invitations
from fabnet.services.identity.auth import authenticate_password
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from services.orders.test_notifications import _Sink
from services.orders.test_notifications import smtp_server as smtp_server  # the fixture

BASE = "https://fabnet.example.org"
PASSWORD = "a long enough password"
NO_SMTP = Settings(smtp_host=None, secret_key="invitation-test")


def _smtp(port: int) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="admin@fabnet.test",
                    secret_key="invitation-test")  # fmt: skip


def _token(link: str) -> str:
    assert link.startswith(f"{BASE}/invitations/")
    return link.rsplit("/", 1)[1]


def _admin(db: Database) -> Principal:
    org = accounts.create_organisation(db, "fabnet operators", OrgKind.PLATFORM, actor=None)
    user = accounts.create_user(db, "root@fabnet.test", org.id, actor=None)
    return Principal(user_id=user.id, org_id=org.id, org_kind=OrgKind.PLATFORM,
                     scopes=frozenset({Scope.ADMIN}))  # fmt: skip


def test_an_emailed_invitation_creates_the_manufacturer_and_works_once(
    db: Database, smtp_server: tuple[_Sink, int]
) -> None:
    sink, port = smtp_server
    settings = _smtp(port)
    admin = _admin(db)
    issued = invitations.invite_facility(
        db, admin, "Wanjiru@FabLab-Nairobi.org", "Fab Lab Nairobi", base_url=BASE,
        contact_name="Wanjiru", settings=settings,
    )  # fmt: skip
    assert issued.emailed and issued.email_error is None
    assert issued.invitation.status == "pending" and issued.invitation.facility_id is None
    assert issued.invitation.email == "wanjiru@fablab-nairobi.org"
    [mail] = sink.messages
    assert mail["To"] == "wanjiru@fablab-nairobi.org"
    assert "Fab Lab Nairobi" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"https://fabnet\.example\.org/invitations/\S+", body)
    assert found is not None and found.group(0) == issued.link
    token = _token(issued.link)
    # only the token's hash is kept
    [listed] = invitations.list_facility_invitations(db, admin)
    assert listed.status == "pending" and listed.emailed_at is not None
    assert token not in repr(listed)

    assert invitations.invitation_by_token(db, token).facility_name == "Fab Lab Nairobi"
    done = invitations.accept_facility_invitation(
        db, token, org_name="Fab Lab Nairobi Ltd", display_name="Wanjiru K.", password=PASSWORD,
        settings=settings,
    )  # fmt: skip
    org = done.organisation
    assert org.kind is OrgKind.MANUFACTURER and org.facility_ids == (done.facility_id,)
    assert get_facility(db, done.facility_id).name == "Fab Lab Nairobi"
    user = authenticate_password(db, "wanjiru@fablab-nairobi.org", PASSWORD)
    assert user.org_id == org.id and user.display_name == "Wanjiru K."
    assert accounts.load_user_signing_key(db, user.id, settings=settings) is not None

    # the link works once
    with pytest.raises(ConflictError, match="used already"):
        invitations.invitation_by_token(db, token)
    with pytest.raises(ConflictError, match="used already"):
        invitations.accept_facility_invitation(db, token, org_name="Again", display_name="X",
                                               password=PASSWORD, settings=settings)  # fmt: skip
    [listed] = invitations.list_facility_invitations(db, admin)
    assert listed.status == "accepted" and listed.org_id == org.id
    assert len(accounts.list_organisations(db, actor=None, limit=50).items) == 2  # admin + new


def test_an_existing_facility_record_is_linked_to_the_new_organisation(db: Database) -> None:
    admin = _admin(db)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(
            [Facility(id="osm-123", name="Makerspace Kisumu"), Facility(id="osm-456", name="Run")]
        )
    runner = accounts.create_organisation(db, "Runner", OrgKind.MANUFACTURER, ["osm-456"],
                                          actor=None)  # fmt: skip
    with pytest.raises(InputError, match="no facility with id osm-999") as unknown:
        invitations.invite_facility(db, admin, "a@kisumu.org", "Kisumu", base_url=BASE,
                                    facility_id="osm-999", settings=NO_SMTP)  # fmt: skip
    assert unknown.value.field == "facility_id"
    with pytest.raises(InputError, match=f"already run by {runner.name}"):
        invitations.invite_facility(db, admin, "a@kisumu.org", "Kisumu", base_url=BASE,
                                    facility_id="osm-456", settings=NO_SMTP)  # fmt: skip

    issued = invitations.invite_facility(db, admin, "a@kisumu.org", "Makerspace Kisumu",
                                         base_url=BASE, facility_id="osm-123",
                                         settings=NO_SMTP)  # fmt: skip
    # without an SMTP server the invitation stands and the admin passes the link on
    assert not issued.emailed and issued.email_error is not None
    assert "no SMTP server" in issued.email_error
    with pytest.raises(ConflictError, match="already invited to run facility osm-123"):
        invitations.invite_facility(db, admin, "b@kisumu.org", "Kisumu", base_url=BASE,
                                    facility_id="osm-123", settings=NO_SMTP)  # fmt: skip
    done = invitations.accept_facility_invitation(
        db, _token(issued.link), org_name="Kisumu Makers", display_name="Achieng",
        password=PASSWORD, settings=NO_SMTP,
    )  # fmt: skip
    assert done.facility_id == "osm-123"
    assert accounts.get_organisation(db, done.organisation.id, actor=None).facility_ids == (
        "osm-123",
    )


def test_links_expire_can_be_withdrawn_and_survive_a_failed_acceptance(db: Database) -> None:
    admin = _admin(db)
    issued = invitations.invite_facility(db, admin, "c@lab.org", "Lab C", base_url=BASE,
                                         days=7, settings=NO_SMTP)  # fmt: skip
    token = _token(issued.link)
    expires = issued.invitation.expires_at
    assert expires - issued.invitation.created_at == timedelta(days=7)
    with pytest.raises(ConflictError, match=f"expired on {expires:%Y-%m-%d %H:%M} UTC"):
        invitations.accept_facility_invitation(db, token, org_name="Lab C", display_name="C",
                                               password=PASSWORD, settings=NO_SMTP,
                                               now=expires)  # fmt: skip
    # a short password is refused and nothing is spent: the link still works
    with pytest.raises(InputError, match="minimum") as short:
        invitations.accept_facility_invitation(db, token, org_name="Lab C", display_name="C",
                                               password="short", settings=NO_SMTP)  # fmt: skip
    assert short.value.field == "password"
    assert invitations.invitation_by_token(db, token).status == "pending"
    assert accounts.list_organisations(db, actor=None, limit=50).items[-1].name != "Lab C"

    invitations.withdraw_facility_invitation(db, admin, issued.invitation.id)
    with pytest.raises(ConflictError, match="withdrawn"):
        invitations.invitation_by_token(db, token)
    with pytest.raises(ConflictError, match="nothing to withdraw"):
        invitations.withdraw_facility_invitation(db, admin, issued.invitation.id)
    with pytest.raises(NotFoundError, match="not valid"):
        invitations.invitation_by_token(db, token + "x")


def test_only_platform_admins_invite_and_known_users_are_not_invited(db: Database) -> None:
    buyer = accounts.create_organisation(db, "Buyer", OrgKind.BUYER, actor=None)
    user = accounts.create_user(db, "bea@buyer.org", buyer.id, actor=None)
    outsider = Principal(user_id=user.id, org_id=buyer.id, org_kind=OrgKind.BUYER,
                         scopes=frozenset({Scope.ADMIN}))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        invitations.invite_facility(db, outsider, "d@lab.org", "Lab D", base_url=BASE,
                                    settings=NO_SMTP)  # fmt: skip
    with pytest.raises(ConflictError, match="on the platform already"):
        invitations.invite_facility(db, None, "BEA@buyer.org", "Lab D", base_url=BASE,
                                    settings=NO_SMTP)  # fmt: skip
    with pytest.raises(InputError) as bad:
        invitations.invite_facility(db, None, "not-an-address", "Lab D", base_url=BASE,
                                    settings=NO_SMTP)  # fmt: skip
    assert bad.value.field == "email"
    assert invitations.list_facility_invitations(db, None) == []


def test_an_smtp_failure_is_recorded_and_the_invitation_stands(db: Database) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # nothing listens here once the socket is closed
    issued = invitations.invite_facility(db, None, "e@lab.org", "Lab E", base_url=BASE,
                                         settings=_smtp(dead))  # fmt: skip
    assert not issued.emailed and issued.email_error is not None
    assert f"127.0.0.1:{dead} failed" in issued.email_error
    [listed] = invitations.list_facility_invitations(db, None, now=utc_now())
    assert listed.status == "pending" and listed.emailed_at is None
    assert listed.email_error == issued.email_error
