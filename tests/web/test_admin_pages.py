"""The platform admin's pages: organisations and users (listed, created), tokens (revoked),
facilities onboarding (a facility linked to its manufacturer, one organisation per facility),
design licensors, webhooks with their deliveries, the job queue and the audit chain's
verification (a tampered event is named). Everyone else gets 404 pages, and the forms need
their CSRF token."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind
from fabnet.errors import AuthenticationError
from fabnet.services.catalogue import licensors
from fabnet.services.identity import accounts as identity
from fabnet.services.identity.auth import authenticate_token
from fabnet.services.platform.webhooks import create_subscription
from fabnet.settings import Settings
from fabnet.storage.events import AuditEventRow
from fabnet.storage.facilities import FacilityRepository
from services.orders.conftest import World, specified_order
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

ADMIN, BUYER, MAKER = "ada@platform.org", "bo@buyer.org", "mo@maker0.org"
ADMIN_PAGES = ("/admin", "/admin/organisations", "/admin/users", "/admin/tokens",
               "/admin/facilities", "/admin/licensors", "/admin/webhooks", "/admin/jobs",
               "/admin/audit")  # fmt: skip


@pytest.fixture
def admin_world(world: World, web_settings: Settings) -> dict[str, str]:
    db = world.db
    platform = identity.create_organisation(db, "fabnet operator", OrgKind.PLATFORM, actor=None)
    for email, org in ((ADMIN, platform.id), (BUYER, world.buyer.org_id),
                       (MAKER, world.makers[0].org_id)):  # fmt: skip
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=web_settings)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([Facility(id="fac-new", name="New Lab Kisumu")])
    hook = create_subscription(db, world.buyer.org_id, "http://127.0.0.1:9/hooks", ["*"],
                               actor=None).subscription  # fmt: skip
    order_id = specified_order(world, quantity=50)  # audit events, a webhook delivery and a job
    return {"platform": platform.id, "webhook": hook.id, "order": order_id}


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


def test_only_platform_admins_have_the_admin_pages(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    for email in (BUYER, MAKER):
        sign_in(web, email)
        assert 'href="/admin"' not in web.get("/").text
        for url in (*ADMIN_PAGES, f"/admin/webhooks/{admin_world['webhook']}"):
            answer = web.get(url)
            assert answer.status_code == 404, (email, url)
            assert answer.headers["content-type"].startswith("text/html")
        token = csrf_of(web.get("/").text)
        made = web.post("/admin/organisations", data={"csrf_token": token, "name": "Mine",
                                                      "kind": "buyer"})  # fmt: skip
        assert made.status_code == 404
        maker = world.makers[0].org_id
        linked = web.post("/admin/facilities/link", data={
            "csrf_token": token, "org_id": maker, "facility_id": "fac-new"})  # fmt: skip
        assert linked.status_code == 404
        web.cookies.clear()
    orgs = identity.list_organisations(world.db, actor=None, limit=200).items
    assert "Mine" not in {o.name for o in orgs}
    assert "fac-new" not in identity.get_organisation(
        world.db, world.makers[0].org_id, actor=None).facility_ids  # fmt: skip


def test_organisations_and_users_are_listed_and_created(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    sign_in(web, ADMIN)
    assert 'href="/admin"' in web.get("/").text
    page = web.get("/admin/organisations")
    assert page.status_code == 200
    for name in ("Buyer Hospital", "Maker 0", "Inspect Co", "fabnet operator"):
        assert name in page.text
    token = csrf_of(page.text)
    no_kind = web.post("/admin/organisations", data={"csrf_token": token, "name": "Lab X"})
    assert no_kind.status_code == 422 and any("kind" in e for e in _errors(no_kind.text))
    made = web.post("/admin/organisations", data={"csrf_token": token, "name": "Lab X",
                                                  "kind": "manufacturer"},
                    follow_redirects=False)  # fmt: skip
    assert made.status_code == 303, _errors(made.text)
    [lab] = [o for o in identity.list_organisations(world.db, actor=None, limit=200).items
             if o.name == "Lab X"]  # fmt: skip
    assert lab.kind is OrgKind.MANUFACTURER

    users = web.get("/admin/users")
    assert BUYER in users.text and "Buyer Hospital" in users.text
    short = web.post("/admin/users", data={"csrf_token": token, "email": "lea@labx.org",
                                           "org_id": lab.id, "password": "short"})  # fmt: skip
    assert short.status_code == 422 and any("10" in e for e in _errors(short.text))
    created = web.post("/admin/users", data={"csrf_token": token, "email": "lea@labx.org",
                                             "org_id": lab.id, "display_name": "Lea",
                                             "password": "long enough password"},
                       follow_redirects=False)  # fmt: skip
    assert created.status_code == 303, _errors(created.text)
    taken = web.post("/admin/users", data={"csrf_token": token, "email": "lea@labx.org",
                                           "org_id": lab.id})  # fmt: skip
    assert taken.status_code == 409 and any("exists already" in e for e in _errors(taken.text))
    web.cookies.clear()
    sign_in(web, "lea@labx.org", "long enough password")  # the new user signs in


def test_tokens_are_listed_and_revoked_with_the_csrf_token(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    db = world.db
    issued = identity.create_token(db, world.buyer.user_id, ["read"], actor=None, name="ci bot")
    sign_in(web, ADMIN)
    page = web.get("/admin/tokens")
    assert page.status_code == 200 and f'id="token-{issued.token.id}"' in page.text
    assert "ci bot" in page.text
    forged = web.post(f"/admin/tokens/{issued.token.id}/revoke")
    assert forged.status_code == 403
    assert authenticate_token(db, issued.raw).user_id == world.buyer.user_id  # still valid
    revoked = web.post(f"/admin/tokens/{issued.token.id}/revoke",
                       data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)  # fmt: skip
    assert revoked.status_code == 303
    with pytest.raises(AuthenticationError):
        authenticate_token(db, issued.raw)
    assert re.search(rf'id="token-{issued.token.id}".*?revoked', web.get("/admin/tokens").text,
                     re.DOTALL)  # fmt: skip


def test_a_facility_is_linked_to_its_organisation_once(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    db = world.db
    sign_in(web, ADMIN)
    page = web.get("/admin/facilities")
    assert page.status_code == 200
    assert re.search(r'<ul id="unlinked">.*New Lab Kisumu', page.text, re.DOTALL)
    token = csrf_of(page.text)
    maker = world.makers[1].org_id
    runs = identity.get_organisation(db, maker, actor=None).facility_ids
    unknown = web.post("/admin/facilities/link", data={"csrf_token": token, "org_id": maker,
                                                       "facility_id": "fac-nowhere"})  # fmt: skip
    assert unknown.status_code == 422 and any("fac-nowhere" in e for e in _errors(unknown.text))
    linked = web.post("/admin/facilities/link", data={"csrf_token": token, "org_id": maker,
                                                      "facility_id": "fac-new"},
                      follow_redirects=False)  # fmt: skip
    assert linked.status_code == 303, _errors(linked.text)
    assert identity.get_organisation(db, maker, actor=None).facility_ids == (*runs, "fac-new")
    taken = web.post("/admin/facilities/link", data={"csrf_token": token,
                                                     "org_id": world.makers[2].org_id,
                                                     "facility_id": "fac-new"})  # fmt: skip
    assert taken.status_code == 409 and any("already run" in e for e in _errors(taken.text))
    unlinked = web.post("/admin/facilities/unlink", data={"csrf_token": token, "org_id": maker,
                                                          "facility_id": "fac-new"},
                        follow_redirects=False)  # fmt: skip
    assert unlinked.status_code == 303
    assert identity.get_organisation(db, maker, actor=None).facility_ids == runs


def test_design_licensors_are_linked_from_the_admin_page(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    db = world.db
    studio = identity.create_organisation(db, "Shield Studio", OrgKind.DESIGNER, actor=None)
    sign_in(web, ADMIN)
    token = csrf_of(web.get("/admin/licensors").text)
    buyer = web.post("/admin/licensors", data={"csrf_token": token, "org_id": world.buyer.org_id,
                                               "design_id": "design-face-shield"})  # fmt: skip
    assert buyer.status_code == 422 and any("designer" in e for e in _errors(buyer.text))
    linked = web.post("/admin/licensors", data={"csrf_token": token, "org_id": studio.id,
                                                "design_id": "design-face-shield"},
                      follow_redirects=False)  # fmt: skip
    assert linked.status_code == 303, _errors(linked.text)
    assert licensors.design_licensor(db, None, "design-face-shield").org_id == studio.id
    page = web.get("/admin/licensors").text
    assert "Shield Studio" in page and "Prusa Research" in page  # the manifest's words too


def test_webhooks_deliveries_jobs_and_the_audit_chain(
    world: World, admin_world: dict[str, str], web: TestClient
) -> None:
    sign_in(web, ADMIN)
    hooks = web.get("/admin/webhooks")
    assert hooks.status_code == 200 and "http://127.0.0.1:9/hooks" in hooks.text
    assert "Buyer Hospital" in hooks.text
    deliveries = web.get(f"/admin/webhooks/{admin_world['webhook']}")
    assert deliveries.status_code == 200 and "order.specify" in deliveries.text
    jobs = web.get("/admin/jobs")
    assert jobs.status_code == 200 and "webhooks.deliver" in jobs.text
    assert "webhooks.deliver" not in web.get("/admin/jobs?status=dead").text
    bad = web.get("/admin/jobs?status=exploded")
    assert bad.status_code == 422 and "unknown job status" in bad.text
    assert web.get("/admin/webhooks/not-a-subscription").status_code == 404

    audit = web.get("/admin/audit")
    assert audit.status_code == 200 and "The chain verifies" in audit.text
    with world.db.transaction() as session:  # tamper with the first event
        session.execute(update(AuditEventRow).where(AuditEventRow.seq == 1)
                        .values(payload={"name": "rewritten"}))  # fmt: skip
    broken = web.get("/admin/audit").text
    assert "The chain is broken at event 1" in broken
