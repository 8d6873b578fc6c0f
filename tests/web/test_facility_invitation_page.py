"""Facilities onboarding on the web: the platform admin invites a facility that is not on the
platform yet; the e-mail (through a local aiosmtpd server) carries a one-time link; the invitee
follows it without an account, creates its manufacturer organisation and first user, is signed
in and runs the facility. A used or withdrawn link is closed; mistakes are answered at the
field; only platform admins invite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind
from fabnet.server import create_app
from fabnet.services.identity import accounts as identity
from fabnet.services.identity import invitations
from fabnet.services.identity.auth import authenticate_password
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from services.orders.test_notifications import _Sink
from services.orders.test_notifications import smtp_server as smtp_server  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

ADMIN, BUYER, INVITEE = "ada@platform.org", "bo@buyer.org", "wanjiru@fablab-nairobi.org"
NEW_PASSWORD = "fab lab nairobi 2027"


def _errors(html: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'class="error"[^>]*>([^<]*)', html)]


def _invalid(html: str, name: str) -> bool:
    found = re.search(rf'<input id="f-{name}" name="{name}"[^>]*aria-invalid="true"', html)
    return found is not None


@pytest.fixture
def smtp_web(
    db: Database, tmp_path: Path, smtp_server: tuple[_Sink, int]
) -> Iterator[tuple[TestClient, _Sink, Settings]]:
    sink, port = smtp_server
    settings = Settings(data_dir=tmp_path / "web-data", secret_key="web-test-secret",
                        smtp_host="127.0.0.1", smtp_port=port,
                        smtp_from="admin@fabnet.test")  # fmt: skip
    platform = identity.create_organisation(db, "fabnet operator", OrgKind.PLATFORM, actor=None)
    buyer = identity.create_organisation(db, "Buyer Co", OrgKind.BUYER, actor=None)
    for email, org in ((ADMIN, platform.id), (BUYER, buyer.id)):
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=settings)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([Facility(id="osm-77", name="Makerspace Kisumu")])
    app = create_app(settings, db=db, run_jobs=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, sink, settings


def test_an_invited_facility_joins_through_its_link(
    db: Database, smtp_web: tuple[TestClient, _Sink, Settings]
) -> None:
    web, sink, _ = smtp_web
    sign_in(web, ADMIN)
    page = web.get("/admin/facilities")
    assert page.status_code == 200 and "Invite a facility not yet on the platform" in page.text
    token = csrf_of(page.text)
    bad = web.post(
        "/admin/facilities/invite",
        data={"csrf_token": token, "email": "wanjiru at lab", "facility_name": "X"},
    )
    assert bad.status_code == 422 and _invalid(bad.text, "email")
    assert any("is not an email address" in e for e in _errors(bad.text))
    unknown = web.post("/admin/facilities/invite", data={
        "csrf_token": token, "email": INVITEE, "facility_name": "X",
        "invite_facility_id": "osm-999"})  # fmt: skip
    assert unknown.status_code == 422 and _invalid(unknown.text, "invite_facility_id")
    assert not sink.messages

    sent = web.post("/admin/facilities/invite", data={
        "csrf_token": token, "email": INVITEE, "facility_name": "Fab Lab Nairobi",
        "contact_name": "Wanjiru"})  # fmt: skip
    assert sent.status_code == 200, _errors(sent.text)
    assert "The link was e-mailed" in sent.text
    [mail] = sink.messages
    assert mail["To"] == INVITEE
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"http://testserver/invitations/(\S+)", body)
    assert found is not None
    link = f"/invitations/{found.group(1)}"
    assert link in sent.text  # shown once to the admin, to pass on by hand if need be
    assert link not in web.get("/admin/facilities").text

    # the invitee, not signed in, follows the link
    web.cookies.clear()
    form = web.get(link)
    assert form.status_code == 200
    assert "Fab Lab Nairobi" in form.text and INVITEE in form.text
    anon = csrf_of(form.text)
    differ = web.post(link, data={"csrf_token": anon, "org_name": "Fab Lab Nairobi",
                                  "display_name": "Wanjiru", "password": NEW_PASSWORD,
                                  "password_again": NEW_PASSWORD + "!"})  # fmt: skip
    assert differ.status_code == 422 and _invalid(differ.text, "password_again")
    short = web.post(link, data={"csrf_token": anon, "org_name": "Fab Lab Nairobi",
                                 "display_name": "Wanjiru", "password": "short",
                                 "password_again": "short"})  # fmt: skip
    assert short.status_code == 422 and _invalid(short.text, "password")
    assert 'value="Fab Lab Nairobi"' in short.text  # typed fields are kept, passwords are not
    joined = web.post(link, follow_redirects=False,
                      data={"csrf_token": anon, "org_name": "Fab Lab Nairobi Ltd",
                            "display_name": "Wanjiru K.", "password": NEW_PASSWORD,
                            "password_again": NEW_PASSWORD})  # fmt: skip
    assert joined.status_code == 303, _errors(joined.text)
    editor_url = joined.headers["location"]
    assert re.fullmatch(r"/facilities/fab-lab-nairobi-[0-9a-f]{6}/edit", editor_url)
    facility_url = editor_url.removesuffix("/edit")
    # signed in as the new manufacturer, who runs the facility and describes it next
    editor = web.get(editor_url)
    assert editor.status_code == 200 and "Edit Fab Lab Nairobi" in editor.text
    assert web.get(facility_url).status_code == 200
    assert web.get("/jobs").status_code == 200
    user = authenticate_password(db, INVITEE, NEW_PASSWORD)
    org = identity.get_organisation(db, user.org_id, actor=None)
    assert org.name == "Fab Lab Nairobi Ltd" and org.kind is OrgKind.MANUFACTURER
    assert org.facility_ids == (facility_url.rsplit("/", 1)[1],)

    # the link works once
    web.cookies.clear()
    again = web.get(link)
    assert again.status_code == 410 and "used already" in again.text
    # the admin sees the invitation accepted
    sign_in(web, ADMIN)
    listing = web.get("/admin/facilities").text
    assert re.search(r'data-status="accepted"><th scope="row">Fab Lab Nairobi', listing)


def test_an_existing_facility_is_invited_and_the_invitation_withdrawn(
    db: Database, smtp_web: tuple[TestClient, _Sink, Settings]
) -> None:
    web, sink, _ = smtp_web
    sign_in(web, ADMIN)
    token = csrf_of(web.get("/admin/facilities").text)
    sent = web.post("/admin/facilities/invite", data={
        "csrf_token": token, "email": "achieng@kisumu.org", "facility_name": "Makerspace Kisumu",
        "invite_facility_id": "osm-77"})  # fmt: skip
    assert sent.status_code == 200, _errors(sent.text)
    found = re.search(r'<code id="invitation-link">http://testserver(/invitations/[^<]+)</code>',
                      sent.text)  # fmt: skip
    assert found is not None
    link = found.group(1)
    # the same facility is not invited twice
    twice = web.post("/admin/facilities/invite", data={
        "csrf_token": token, "email": "other@kisumu.org", "facility_name": "Makerspace Kisumu",
        "invite_facility_id": "osm-77"})  # fmt: skip
    assert twice.status_code == 409
    assert any("already invited to run facility osm-77" in e for e in _errors(twice.text))
    [pending] = invitations.list_facility_invitations(db, None)
    withdraw = re.search(rf'action="(/admin/facilities/invitations/{pending.id}/withdraw)"',
                         web.get("/admin/facilities").text)  # fmt: skip
    assert withdraw is not None
    done = web.post(withdraw.group(1), data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    web.cookies.clear()
    closed = web.get(link)
    assert closed.status_code == 410 and "withdrawn" in closed.text
    assert web.get("/invitations/not-a-token").status_code == 404
    assert len(sink.messages) == 1


def test_only_platform_admins_invite(
    db: Database, smtp_web: tuple[TestClient, _Sink, Settings]
) -> None:
    web, sink, _ = smtp_web
    sign_in(web, BUYER)
    token = csrf_of(web.get("/").text)
    refused = web.post("/admin/facilities/invite", data={
        "csrf_token": token, "email": INVITEE, "facility_name": "Fab Lab Nairobi"})  # fmt: skip
    assert refused.status_code == 404
    assert invitations.list_facility_invitations(db, None) == [] and not sink.messages
