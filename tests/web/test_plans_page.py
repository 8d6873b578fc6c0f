"""The plan page: a buyer plans a draft order through the background job, sees the plan with
its lots and baselines, re-plans with another CO2 price, awards, and the manufacturer sees the
invitation on /jobs; an infeasible order shows its diagnosis; a foreign buyer gets 404."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from tests.api.orders.conftest import MAKER_SITES, SITES, facility, order_body, splint_design
from tests.order_world import SPLINT_KIT_ID, splint_kit_design
from tests.web.conftest import PASSWORD, WebParties, csrf_of, sign_in

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import OrderTerms, orders
from fabnet.settings import Settings
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import UserRow

REGION = {"HX-Request": "true", "HX-Target": "plan-job"}


def _world(db: Database, settings: Settings) -> None:
    """The API tests' splint world: five FDM facilities, four manufacturers with web users."""
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_design())
        for site in SITES:
            FacilityRepository(session).add_or_replace(facility(*site))
    for i, sites in enumerate(MAKER_SITES):
        org = identity.create_organisation(db, f"Maker {i}", OrgKind.MANUFACTURER, sites,
                                           actor=None)  # fmt: skip
        identity.create_user(db, f"maker{i}@example.org", org.id, actor=None, password=PASSWORD,
                             settings=settings)  # fmt: skip


def _buyer(db: Database) -> Principal:
    with db.read() as session:
        user = session.query(UserRow).filter_by(email="ana@buyer.org").one()
        return Principal(user_id=user.id, org_id=user.org_id, org_kind=OrgKind.BUYER,
                         scopes=frozenset({Scope.WRITE}))  # fmt: skip


def _order(db: Database, buyer: Principal, **changes: object) -> str:
    body = order_body()
    terms = OrderTerms.model_validate(body.pop("terms"))
    for key, value in changes.items():
        body["delivery_points"][0][key] = value
    return orders.create_order(db, buyer, OrderSpec.model_validate(body), terms=terms).id


def _plan(web: TestClient, order_id: str, token: str, co2: str = "") -> str:
    started = web.post(f"/orders/{order_id}/plan", data={"csrf_token": token, "co2_price": co2},
                       follow_redirects=False)  # fmt: skip
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    for _ in range(600):
        region = web.get(url, headers=REGION)
        assert region.status_code == 200, region.text
        if "HX-Redirect" in region.headers:
            return str(region.headers["HX-Redirect"])
        assert "could not be planned" not in region.text, region.text
        time.sleep(0.1)
    raise AssertionError("planning did not finish")


def test_buyer_plans_replans_and_awards_in_the_browser(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world(db, web_settings)
    order_id = _order(db, _buyer(db))
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/orders/{order_id}")
    assert f'action="/orders/{order_id}/plan"' in page.text
    token = csrf_of(page.text)
    assert web.post(f"/orders/{order_id}/plan", data={}).status_code == 403  # no CSRF token
    bad = web.post(f"/orders/{order_id}/plan", data={"csrf_token": token, "co2_price": "-3"})
    assert bad.status_code == 422 and 'id="e-co2_price"' in bad.text
    first = _plan(web, order_id, token)
    plan = web.get(first)
    assert plan.status_code == 200
    assert len(re.findall(r"<tr data-lot=", plan.text)) == 3
    assert "Against the baselines" in plan.text and "<svg" in plan.text
    second = _plan(web, order_id, csrf_of(plan.text), co2="500")
    assert second != first
    replanned = web.get(second)
    assert "500 EUR/t" in replanned.text
    compare = web.get(f"/orders/{order_id}/plans/compare")
    assert compare.status_code == 200 and "500 EUR" in compare.text
    assert compare.text.count('<a href="/orders/' + order_id + "/plans/") >= 2
    other = TestClient(web.app)
    sign_in(other, web_parties.other_email)
    assert other.get(second).status_code == 404
    assert other.get(f"/orders/{order_id}/plans/compare").status_code == 404
    assert other.get(f"/orders/{order_id}").status_code == 404
    plan_id = second.rsplit("/", 1)[1]
    token = csrf_of(replanned.text)
    awarded = web.post(
        f"/orders/{order_id}/plans/{plan_id}/award",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert awarded.status_code == 303, awarded.text
    assert "invitation" in web.get(awarded.headers["location"]).text
    lots = orders.list_lots(db, None, order_id)
    assert len(lots) == 3
    maker = TestClient(web.app)
    index = next(i for i, s in enumerate(MAKER_SITES) if lots[0].facility_id in s)
    sign_in(maker, f"maker{index}@example.org")
    assert lots[0].id in maker.get("/jobs").text


def test_an_infeasible_order_shows_its_diagnosis(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world(db, web_settings)
    order_id = _order(db, _buyer(db), due_days=1)
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get(f"/orders/{order_id}").text)
    page = web.get(_plan(web, order_id, token))
    assert "Why the order cannot be planned" in page.text
    assert "knh" in page.text
    assert "Award" not in page.text


def test_a_kit_plan_says_the_recipient_assembles_and_marks_its_parts(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    """Issue 11 item 4 on the plan page: kits of a design whose final assembly is manual are
    planned with their parts shipped to the delivery point, and the page says so."""
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world(db, web_settings)
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_kit_design())
    body = order_body(quantity=10, name="Splint kits for Nairobi")
    body["products"] = [{"design": SPLINT_KIT_ID, "key": "splint", "kits": True}]
    terms = OrderTerms.model_validate(body.pop("terms"))
    order_id = orders.create_order(db, _buyer(db), OrderSpec.model_validate(body),
                                   terms=terms).id  # fmt: skip
    sign_in(web, web_parties.buyer_email)
    plan = web.get(_plan(web, order_id, csrf_of(web.get(f"/orders/{order_id}").text)))
    assert plan.status_code == 200
    [kit] = re.findall(r'<p class="kit" data-kit="splint">(.*?)</p>', plan.text)
    assert "delivered as a kit and assembled by the recipient" in kit
    assert "no assembly site" in kit
    kinds = re.findall(r'<tr data-lot="[^"]+"><th scope="row">[^<]*</th><td>([^<]*)</td>',
                       plan.text)  # fmt: skip
    assert kinds and set(kinds) == {"kit part"}
