"""The manufacturer's job board and the notification list, through the composed app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fabnet.domain.orders.states import LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import lots
from fabnet.settings import Settings
from services.orders.conftest import Dest, Proposal, World, award_proposals, specified_order, world

from .conftest import PASSWORD, csrf_of, sign_in

__all__ = ["world"]  # the fixture


def _user(world: World, web_settings: Settings, email: str, org_id: str) -> str:
    identity.create_user(world.db, email, org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    return email


def test_job_board_answers_an_invitation(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    maker = _user(world, web_settings, "mia@maker0.org", world.makers[0].org_id)
    other = _user(world, web_settings, "oto@maker1.org", world.makers[1].org_id)
    buyer = _user(world, web_settings, "bea@buyer.org", world.buyer.org_id)
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip

    sign_in(web, other)
    page = web.get("/jobs")
    assert page.status_code == 200 and lot_id not in page.text  # not their invitation
    token = csrf_of(page.text)
    assert web.post(f"/jobs/{lot_id}/accept", data={"csrf_token": token}).status_code == 404
    web.cookies.clear()

    sign_in(web, maker)
    page = web.get("/jobs")
    assert page.status_code == 200
    assert "4.76 EUR per unit" in page.text and "476.00 EUR in all" in page.text
    assert "Expires" in page.text and "DAP (Incoterms 2020)" in page.text
    assert 'hx-trigger="every 5s"' in page.text
    token = csrf_of(page.text)
    # decline without a reason, counter with a bad price: the field says what to fix
    no_reason = web.post(f"/jobs/{lot_id}/decline", data={"csrf_token": token, "reason": ""})
    assert no_reason.status_code == 422 and "say why you decline" in no_reason.text
    bad = web.post(f"/jobs/{lot_id}/counter", data={"csrf_token": token, "price": "4.955"})
    assert bad.status_code == 422 and "more decimals" in bad.text
    # without the CSRF token the form is refused
    assert web.post(f"/jobs/{lot_id}/counter", data={"price": "4.95"}).status_code == 403
    done = web.post(f"/jobs/{lot_id}/counter",
                    data={"csrf_token": token, "price": "4.95", "due": "2027-02-20",
                          "note": "PETG costs more"}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    lot = lots.get_lot(world.db, None, lot_id)
    assert lot.state is LotState.COUNTER_OFFERED and lot.counter_offer is not None
    assert lot.counter_offer.unit_price_minor == 495
    # the buyer accepts the counter-offer: the lot awaits funding at the new price
    lots.act_on_lot(world.db, world.buyer, lot_id, "accept_counter_offer")
    money = web.get("/jobs").text
    assert "Money" in money and "495.00 EUR" in money  # 100 x 4.95, awaiting funding
    web.cookies.clear()

    sign_in(web, buyer)
    news = web.get("/notifications")
    assert news.status_code == 200 and "counter offer by the manufacturer" in news.text
    part = web.get("/notifications", headers={"HX-Request": "true",
                                              "HX-Target": "notifications"})  # fmt: skip
    assert "<html" not in part.text and "unread" in part.text
