"""The licensor's page and the buyer's permission pages: the designer sees its designs with their
obligations, the orders using them and the requests to answer; the buyer asks on its order's
licence page; the licensor grants (the order holds the permission, the buyer is told) or
refuses with a reason (shown to the buyer); refusing twice is 409; forms need their CSRF
token; other organisations get 404 pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind
from fabnet.services.catalogue import licensors
from fabnet.services.catalogue.designs import list_designs
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import permissions
from fabnet.services.orders.orders import get_order
from fabnet.services.platform import notifications
from fabnet.settings import Settings
from fabnet.storage.db import Database
from services.orders.conftest import World
from services.orders.conftest import world as world  # the fixture
from services.orders.test_permissions import NC_DESIGN, Licensing
from services.orders.test_permissions import licensing as licensing  # the fixture

from .conftest import PASSWORD, WebParties, csrf_of, sign_in
from .test_add_design import STANDARDS_DATA

DESIGNER, RIVAL, BUYER, STRANGER = "dee@splints.org", "rex@rival.org", "bo@buyer.org", "sam@o.org"


@pytest.fixture
def users(world: World, licensing: Licensing, web_settings: Settings) -> None:
    for email, org in (
        (DESIGNER, licensing.licensor.org_id),
        (RIVAL, licensing.rival.org_id),
        (BUYER, world.buyer.org_id),
        (STRANGER, world.stranger.org_id),
    ):
        identity.create_user(
            world.db, email, org, actor=None, password=PASSWORD, settings=web_settings
        )


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


@pytest.mark.usefixtures("users")
def test_the_buyer_asks_on_the_web_and_the_licensor_grants_it(
    world: World, licensing: Licensing, web: TestClient
) -> None:
    db, order_id = world.db, licensing.order_id
    sign_in(web, BUYER)
    listing = web.get("/permissions").text  # the order that needs a permission, linked
    assert re.search(rf'<li><a href="/permissions/orders/{order_id}">Splints for Kisumu</a>'
                     r".*?not asked yet", listing, re.DOTALL)  # fmt: skip
    page = web.get(f"/permissions/orders/{order_id}")
    assert page.status_code == 200
    assert "Paid orders need the licensor's written permission" in page.text
    assert "Ask for permission" in page.text and "Open Splints" in page.text
    asked = web.post(
        f"/permissions/orders/{order_id}",
        data={"csrf_token": csrf_of(page.text), "design_id": NC_DESIGN,
              "message": "for the district hospital"},
        follow_redirects=False,
    )  # fmt: skip
    assert asked.status_code == 303, _errors(asked.text)
    shown = web.get(f"/permissions/orders/{order_id}").text
    assert "pending" in shown and "Ask for permission" not in shown
    assert "Splints for Kisumu" in web.get("/permissions").text
    web.cookies.clear()

    sign_in(web, DESIGNER)
    home = web.get("/")
    assert 'href="/licensor"' in home.text
    mine = web.get("/licensor")
    assert mine.status_code == 200
    assert "for the district hospital" in mine.text and "Buyer Hospital" in mine.text
    assert "attribution" in mine.text  # the NC licence's obligations
    assert re.search(r"<th scope=\"row\">Splints for Kisumu</th><td>SPECIFIED</td>"
                     r"<td>Buyer Hospital</td>\s*<td>NC splint</td><td class=\"num\">40</td>",
                     mine.text)  # fmt: skip
    [request] = permissions.permission_requests(db, licensing.licensor)
    granted = web.post(
        f"/licensor/requests/{request.id}/grant",
        data={"csrf_token": csrf_of(mine.text), "note": "at cost only"},
        files=[("evidence", ("permission.pdf", b"%PDF signed permission", "application/pdf"))],
        follow_redirects=False,
    )
    assert granted.status_code == 303, _errors(granted.text)
    order = get_order(db, world.buyer, order_id)
    assert order.terms.licensor_permission is not None
    decided = permissions.get_permission_request(db, world.buyer, request.id)
    assert decided.status == "granted" and decided.response_note == "at cost only"
    assert order.terms.licensor_permission.evidence_sha256 == decided.evidence_sha256
    assert any(n.event_type == "order.permission_grant"
               for n in notifications.list_notifications(db, world.buyer))  # fmt: skip
    after = web.get("/licensor").text
    assert "No request waits for your answer" in after and "granted" in after


@pytest.mark.usefixtures("users")
def test_a_refusal_needs_a_reason_reaches_the_buyer_and_a_second_one_is_409(
    world: World, licensing: Licensing, web: TestClient
) -> None:
    db, order_id = world.db, licensing.order_id
    request = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    sign_in(web, DESIGNER)
    token = csrf_of(web.get("/licensor").text)
    url = f"/licensor/requests/{request.id}/refuse"
    empty = web.post(url, data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    assert any("say why" in e for e in _errors(empty.text))
    done = web.post(url, data={"csrf_token": token, "reason": "the NC edition is for "
                               "community workshops"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, _errors(done.text)
    again = web.post(url, data={"csrf_token": token, "reason": "still no"})
    assert again.status_code == 409 and again.headers["content-type"].startswith("text/html")
    assert get_order(db, world.buyer, order_id).terms.licensor_permission is None
    web.cookies.clear()

    sign_in(web, BUYER)
    shown = web.get(f"/permissions/orders/{order_id}").text
    assert "the licensor refused" in shown and "for community workshops" in shown
    assert "Ask for permission" in shown  # the buyer may ask again
    assert any("community workshops" in n.message
               for n in notifications.list_notifications(db, world.buyer))  # fmt: skip


@pytest.mark.usefixtures("users")
def test_forms_need_their_csrf_token(world: World, licensing: Licensing, web: TestClient) -> None:
    db = world.db
    request = permissions.request_permission(db, world.buyer, licensing.order_id, NC_DESIGN)
    sign_in(web, DESIGNER)
    for action, data in (("grant", {"note": "ok"}), ("refuse", {"reason": "no"})):
        forged = web.post(f"/licensor/requests/{request.id}/{action}", data=data)
        assert forged.status_code == 403
    web.cookies.clear()
    sign_in(web, BUYER)
    forged = web.post(f"/permissions/orders/{licensing.order_id}", data={"design_id": NC_DESIGN})
    assert forged.status_code == 403
    assert permissions.get_permission_request(db, None, request.id).status == "pending"


@pytest.mark.usefixtures("users")
def test_other_organisations_get_not_found_pages(
    world: World, licensing: Licensing, web: TestClient
) -> None:
    db, order_id = world.db, licensing.order_id
    request = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN,
                                             message="secret terms")  # fmt: skip
    sign_in(web, RIVAL)  # another designer organisation
    page = web.get("/licensor")
    assert page.status_code == 200 and "secret terms" not in page.text
    assert "Splints for Kisumu" not in page.text
    token = csrf_of(page.text)
    for action, data in (("grant", {"note": "ok"}), ("refuse", {"reason": "no"})):
        answer = web.post(f"/licensor/requests/{request.id}/{action}",
                          data={"csrf_token": token, **data})  # fmt: skip
        assert answer.status_code == 404, action
    assert web.get(f"/permissions/orders/{order_id}").status_code == 404
    web.cookies.clear()
    for email in (BUYER, STRANGER):  # not a designer: the licensor's page does not exist
        sign_in(web, email)
        answer = web.get("/licensor")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
        assert 'href="/licensor"' not in web.get("/").text
        web.cookies.clear()
    sign_in(web, STRANGER)
    assert web.get(f"/permissions/orders/{order_id}").status_code == 404
    assert "secret terms" not in web.get("/permissions").text
    assert permissions.get_permission_request(db, None, request.id).status == "pending"


def test_a_design_a_designer_adds_is_its_own_and_a_buyers_upload_is_nobodys(
    db: Database, web: TestClient, web_settings: Settings, web_parties: WebParties
) -> None:
    studio = identity.create_organisation(db, "Stage Studio", OrgKind.DESIGNER, actor=None)
    identity.create_user(db, "sue@stage.org", studio.id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    sign_in(web, "sue@stage.org")
    token = csrf_of(web.get("/designs/new").text)
    manifest = (STANDARDS_DATA / "okh_v1.yml").read_bytes()
    added = web.post("/designs/new/manifest", data={"csrf_token": token},
                     files=[("manifest", ("okh.yml", manifest, "application/yaml"))])  # fmt: skip
    assert added.status_code == 200, _errors(added.text)
    page = web.get("/licensor").text
    assert "Open Flexure Block Stage" in page and "CERN-OHL-1.2" in page
    web.cookies.clear()

    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/designs/new").text)
    losh = (STANDARDS_DATA / "losh_v1.toml").read_bytes()
    other = web.post("/designs/new/manifest", data={"csrf_token": token},
                     files=[("manifest", ("okh.toml", losh, ""))])  # fmt: skip
    assert other.status_code == 200, _errors(other.text)
    [stage] = [d for d in list_designs(db).items if d.name == "Open Flexure Block Stage"]
    assert licensors.design_licensor(db, None, stage.id).org_id == studio.id
    unclaimed = licensors.designs_without_licensor(db)
    assert stage.id not in unclaimed and len(unclaimed) == 1  # the buyer's upload


@pytest.mark.usefixtures("users")
def test_open_pages_hear_of_the_other_partys_action_within_a_poll(
    world: World, licensing: Licensing, web: TestClient
) -> None:
    db, order_id = world.db, licensing.order_id

    def poll_url(html: str) -> str:
        found = re.search(r'hx-get="([^"]+/changes\?seen=[0-9a-f]+)" hx-trigger="every 5s"', html)
        assert found, "the page does not poll for changes"
        return found.group(1)

    sign_in(web, DESIGNER)
    licensor_poll = poll_url(web.get("/licensor").text)
    assert web.get(licensor_poll).status_code == 204  # nothing new
    request = permissions.request_permission(db, world.buyer, order_id, NC_DESIGN)
    news = web.get(licensor_poll)
    assert news.status_code == 200 and news.headers["HX-Refresh"] == "true"
    web.cookies.clear()

    sign_in(web, BUYER)
    buyer_poll = poll_url(web.get(f"/permissions/orders/{order_id}").text)
    assert web.get(buyer_poll).status_code == 204
    permissions.refuse_permission(db, licensing.licensor, request.id, reason="not now")
    assert web.get(buyer_poll).headers.get("HX-Refresh") == "true"
    web.cookies.clear()
    sign_in(web, STRANGER)
    assert web.get(buyer_poll).status_code == 404
