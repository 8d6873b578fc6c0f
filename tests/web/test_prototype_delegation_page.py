"""Issue 13 on the web: the buyer delegates the approval of a lot's prototype to the lot's
inspector from the order page; the inspector approves it on the inspections page; the buyer
sees the result on the order page. Without the delegation the buyer's page offers it and the
inspector's page has no review form."""

from __future__ import annotations

import dataclasses
import html
import re

from fastapi.testclient import TestClient

from fabnet.domain.orders.states import LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.services.orders.orders import principal_for_user
from fabnet.services.platform import notifications
from fabnet.settings import Settings
from services.orders.conftest import Proposal, World, award_proposals, specified_order, to_point
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

BUYER, INSPECTOR = "ana@hospital.org", "ines@inspect.org"


def _card(page: str, lot_id: str) -> str:
    found = re.search(rf'<article class="card" id="lot-{lot_id}".*?</article>', page, re.S)
    assert found, f"no card for lot {lot_id}"
    return html.unescape(" ".join(found.group(0).split()))


def _submitted(world: World, settings: Settings) -> tuple[World, str, str]:
    db = world.db
    buyer = identity.create_user(db, BUYER, world.buyer.org_id, actor=None, password=PASSWORD,
                                 settings=settings)  # fmt: skip
    identity.create_user(db, INSPECTOR, world.inspector.org_id, actor=None, password=PASSWORD,
                         settings=settings)  # fmt: skip
    w = dataclasses.replace(world, buyer=principal_for_user(db, buyer.id))
    order_id = specified_order(w, quantity=40)
    [lot_id] = award_proposals(w, order_id, [Proposal("fac-0", 40, 2.0,
                                                      destinations=to_point(40))])  # fmt: skip
    lots.accept_lot(db, w.makers[0], lot_id)
    payments.fund_order(db, w.buyer, order_id, 8_000, reference="ref-delegation")
    [contract] = contracts.list_lot_contracts(db, w.buyer, lot_id)
    contracts.sign_contract(db, w.buyer, contract.id, settings=settings)
    contracts.sign_contract(db, w.makers[0], contract.id)
    inspections.assign_inspector(db, w.buyer, lot_id, w.inspector.org_id)
    lots.submit_prototype(db, w.makers[0], lot_id, [w.evidence[0]])
    return w, order_id, lot_id


def test_buyer_delegates_and_the_inspector_approves_the_prototype(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    w, order_id, lot_id = _submitted(world, web_settings)
    db = w.db
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    card = _card(page.text, lot_id)
    assert "Delegate the prototype approval to Inspect Co" in card
    assert "Approve the prototype" in card  # without the delegation the buyer decides
    bad = web.post(f"/orders/{order_id}/lots/{lot_id}/prototype-approval",
                   data={"csrf_token": csrf_of(page.text), "delegated": "maybe"})  # fmt: skip
    assert bad.status_code == 422 and "yes or no" in bad.text
    done = web.post(
        f"/orders/{order_id}/lots/{lot_id}/prototype-approval",
        data={"csrf_token": csrf_of(page.text), "delegated": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = web.get(done.headers["location"])
    assert "Prototype approval delegated to Inspect Co" in html.unescape(page.text)
    card = _card(page.text, lot_id)
    assert "Take the prototype approval back" in card
    assert lots.prototype_approval(db, w.buyer, lot_id).delegated

    web.cookies.clear()
    sign_in(web, INSPECTOR)
    listing = web.get("/inspections")
    assert "delegated the approval of this first article to you" in listing.text
    assert any(n.event_type == "lot.prototype_delegation"
               for n in notifications.list_notifications(db, w.inspector))  # fmt: skip
    approved = web.post(
        f"/inspections/lots/{lot_id}/first-article",
        data={"csrf_token": csrf_of(listing.text), "decision": "approve"},
        files=[("evidence", ("measurements.csv", b"width,30.1", "text/csv"))],
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert lots.get_lot(db, w.buyer, lot_id).state is LotState.PROTOTYPE_APPROVED

    web.cookies.clear()
    sign_in(web, BUYER)
    card = _card(web.get(f"/orders/{order_id}").text, lot_id)
    assert "prototype approved" in card
    assert "approve prototype (inspector)" in card
    assert "Take the prototype approval back" not in card  # decided: nothing to change


def test_without_the_delegation_the_inspector_page_has_no_review_form(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    w, _, lot_id = _submitted(world, web_settings)
    sign_in(web, INSPECTOR)
    listing = web.get("/inspections")
    assert "First article to review" in listing.text
    assert "its approval is not delegated to you" in listing.text
    assert f"/inspections/lots/{lot_id}/first-article" not in listing.text
    refused = web.post(f"/inspections/lots/{lot_id}/first-article",
                       data={"csrf_token": csrf_of(listing.text), "decision": "reject",
                             "reason": "too thin"})  # fmt: skip
    assert refused.status_code == 403
    assert lots.get_lot(w.db, w.buyer, lot_id).state is LotState.PROTOTYPE_SUBMITTED
