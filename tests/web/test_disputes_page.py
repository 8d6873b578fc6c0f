"""Disputes on the web after a rejection: the buyer's order page does not offer to terminate a
rejected lot while the manufacturer's dispute window is open (it says when termination becomes
possible instead); the manufacturer's lot page offers "Open a dispute" with a reason while the
window is open, says when it closes, and shows the dispute and its outcome to both sides."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from fastapi.testclient import TestClient

from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotAction, LotState, OrderAction
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import inspections, lots
from fabnet.services.orders.orders import act_on_order, create_order
from fabnet.settings import Settings
from services.orders.conftest import World, spec, submitted_lot, terms
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

BUYER, MAKER = "bea@buyer.org", "mia@maker0.org"
REJECT: dict[DefectClass | str, int] = {DefectClass.MAJOR: 3, DefectClass.MINOR: 0}


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


def _text(html: str) -> str:
    """The page's words, without tags."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def _rejected_lot(world: World, settings: Settings, *, window_days: int = 14) -> tuple[str, str]:
    """An order whose one lot the buyer (its own inspector) rejected at inspection, with web
    users for the buyer and the manufacturer. Returns (order id, lot id)."""
    db = world.db
    for email, org in ((BUYER, world.buyer.org_id), (MAKER, world.makers[0].org_id)):
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=settings)
    order = create_order(db, world.buyer, spec(50), terms=terms(dispute_window_days=window_days))
    act_on_order(db, world.buyer, order.id, OrderAction.SPECIFY)
    lot_id = submitted_lot(world, order.id, 50)
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    inspections.record_inspection(db, world.buyer, task.id, REJECT,
                                  evidence_sha256=[world.evidence[2]],
                                  reason="cracked clips")  # fmt: skip
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    return order.id, lot_id


def _shipped_lot(world: World, settings: Settings, *, window_days: int = 14) -> tuple[str, str]:
    """The rejected lot reworked, accepted at its second inspection and shipped."""
    db = world.db
    order_id, lot_id = _rejected_lot(world, settings, window_days=window_days)
    inspections.dispose_nonconformance(db, world.buyer, lot_id, "rework",
                                       description="reprint the clips")  # fmt: skip
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = [t for t in inspections.lot_inspections(db, world.buyer, lot_id)
              if t.status == "open"]  # fmt: skip
    clean: dict[DefectClass | str, int] = {DefectClass.MAJOR: 0, DefectClass.MINOR: 0}
    inspections.record_inspection(db, world.buyer, task.id, clean,
                                  evidence_sha256=[world.evidence[2]])  # fmt: skip
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SHIP,
                    evidence_sha256=[world.evidence[0]])  # fmt: skip
    return order_id, lot_id


def _window_closes(world: World, lot_id: str) -> datetime:
    [rejected] = [t for t in lots.lot_history(world.db, world.buyer, lot_id)
                  if t.action == "reject_lot"]  # fmt: skip
    return rejected.occurred_at


def _offered(html: str, lot_id: str) -> list[str]:
    """The lot actions the order page offers as forms for ``lot_id``."""
    card = re.search(rf'<article class="card" id="lot-{lot_id}".*?</article>', html, re.S)
    assert card is not None
    return re.findall(r'name="action" value="([a-z_]+)"', card.group(0))


def test_terminate_is_not_offered_while_the_manufacturers_window_is_open(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    order_id, lot_id = _rejected_lot(world, web_settings)
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert page.status_code == 200, _errors(page.text)
    offered = _offered(page.text, lot_id)
    assert "terminate" not in offered
    assert "rework" in offered  # rework is possible at once
    [choice] = [c for c in lots.available_actions(world.db, world.buyer, lot_id)
                if c.action is LotAction.TERMINATE]  # fmt: skip
    assert choice.available_after is not None
    closes = f"{choice.available_after:%Y-%m-%d %H:%M} UTC"
    assert f"Terminate available after {closes}" in _text(page.text)
    # the window counts 14 days from the rejection
    assert (choice.available_after - _window_closes(world, lot_id)).days == 14
    # a forged terminate is still refused by the service, at the lot, in words; nothing changes
    token = csrf_of(page.text)
    forged = web.post(
        f"/orders/{order_id}/lots/{lot_id}/act",
        data={"csrf_token": token, "action": "terminate", "reason": "give up"},
    )
    assert forged.status_code == 422
    assert any(f"may dispute the rejection until {closes}" in e for e in _errors(forged.text))
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.LOT_REJECTED


def test_terminate_is_offered_once_the_window_has_passed(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    order_id, lot_id = _rejected_lot(world, web_settings, window_days=0)
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert "terminate" in _offered(page.text, lot_id)
    assert "Terminate available after" not in page.text
    done = web.post(f"/orders/{order_id}/lots/{lot_id}/act", follow_redirects=False,
                    data={"csrf_token": csrf_of(page.text), "action": "terminate",
                          "reason": "replace the lot"})  # fmt: skip
    assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.TERMINATED


def _lot_page(web: TestClient, lot_id: str) -> str:
    page = web.get(f"/jobs/lots/{lot_id}")
    assert page.status_code == 200, _errors(page.text)
    return page.text


def test_the_manufacturer_disputes_a_rejection_and_sees_the_outcome(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    order_id, lot_id = _rejected_lot(world, web_settings)
    sign_in(web, MAKER)
    page = _lot_page(web, lot_id)
    [choice] = [c for c in lots.available_actions(db, world.buyer, lot_id)
                if c.action is LotAction.TERMINATE]  # fmt: skip
    assert choice.available_after is not None
    closes = f"{choice.available_after:%Y-%m-%d %H:%M} UTC"
    assert f"You may dispute the rejection until {closes}" in _text(page)
    assert 'action="/jobs/lots/' + lot_id + '/dispute"' in page
    token = csrf_of(page)

    # no reason: refused at the reason field, in words; the lot stays rejected
    empty = web.post(f"/jobs/lots/{lot_id}/dispute", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.text
    assert any("say why you dispute the rejection" in e for e in _errors(empty.text))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED

    reason = "the clips were measured at 5 degrees, below the drawing's 20"
    opened = web.post(
        f"/jobs/lots/{lot_id}/dispute", follow_redirects=False,
        data={"csrf_token": token, "reason": reason},
        files=[("evidence", ("our-measurements.csv", b"clip_mm,4.0\n", "text/csv"))],
    )  # fmt: skip
    assert opened.status_code == 303, _errors(opened.text)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.DISPUTED
    [raised] = [t for t in lots.lot_history(db, world.buyer, lot_id) if t.action == "dispute"]
    assert raised.reason == reason and len(raised.evidence_sha256) == 1
    page = _text(_lot_page(web, lot_id))
    assert "Opened by the manufacturer" in page and reason in page and "Open:" in page
    assert "Withdraw the dispute" in page
    assert "Open a dispute" not in page  # one dispute at a time

    # the buyer sees the dispute on the order page and resolves it with rework there
    web.cookies.clear()
    sign_in(web, BUYER)
    order_page = web.get(f"/orders/{order_id}")
    assert reason in _text(order_page.text) and "Open:" in _text(order_page.text)
    resolved = web.post(
        f"/orders/{order_id}/lots/{lot_id}/act", follow_redirects=False,
        data={"csrf_token": csrf_of(order_page.text), "action": "resolve_with_rework",
              "reason": "remeasure at 20 degrees and rework the short clips"},
    )  # fmt: skip
    assert resolved.status_code == 303, _errors(resolved.text)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.REWORK

    # the manufacturer reads the outcome on its lot page
    web.cookies.clear()
    sign_in(web, MAKER)
    page = _text(_lot_page(web, lot_id))
    assert "Outcome: resolved with rework by the buyer" in page
    assert "remeasure at 20 degrees" in page
    assert "Withdraw the dispute" not in page


def test_the_manufacturer_withdraws_its_dispute(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _, lot_id = _rejected_lot(world, web_settings)
    sign_in(web, MAKER)
    token = csrf_of(_lot_page(web, lot_id))
    web.post(f"/jobs/lots/{lot_id}/dispute", data={"csrf_token": token, "reason": "wrong gauge"})
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.DISPUTED
    done = web.post(f"/jobs/lots/{lot_id}/withdraw-dispute", data={"csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    page = _text(_lot_page(web, lot_id))
    assert "Outcome: withdrawn by the manufacturer" in page
    assert "Open a dispute" in page  # the window is still open: it may dispute again


def test_no_dispute_form_once_the_window_has_closed(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _, lot_id = _rejected_lot(world, web_settings, window_days=0)
    sign_in(web, MAKER)
    page = _lot_page(web, lot_id)
    assert "The dispute window closed on" in _text(page)
    assert "Open a dispute" not in page
    late = web.post(f"/jobs/lots/{lot_id}/dispute",
                    data={"csrf_token": csrf_of(page), "reason": "too late"})  # fmt: skip
    assert late.status_code == 422
    assert any("the dispute window closed on" in e for e in _errors(late.text))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED


def test_the_manufacturer_sees_the_buyers_refused_delivery(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    """The buyer rejects the delivery (disputes the shipped lot): the manufacturer's page shows
    the buyer's dispute and its reason, without a withdraw button (it is the buyer's)."""
    db = world.db
    _, lot_id = _shipped_lot(world, web_settings)
    lots.act_on_lot(db, world.buyer, lot_id, LotAction.DISPUTE,
                    reason="two boxes arrived crushed")  # fmt: skip
    sign_in(web, MAKER)
    page = _text(_lot_page(web, lot_id))
    assert "Opened by the buyer" in page and "two boxes arrived crushed" in page
    assert "Withdraw the dispute" not in page and "Open a dispute" not in page
    token = csrf_of(web.get(f"/jobs/lots/{lot_id}").text)
    forged = web.post(f"/jobs/lots/{lot_id}/withdraw-dispute", data={"csrf_token": token})
    assert forged.status_code == 422
    assert any("only the buyer withdraws it" in e for e in _errors(forged.text))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.DISPUTED


def test_another_organisation_cannot_dispute_on_the_manufacturers_page(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    """The manufacturer's lot page and its dispute forms are not found for anyone else (the buyer
    has its own page; a rival manufacturer has no business there)."""
    db = world.db
    _, lot_id = _rejected_lot(world, web_settings)
    rival = "oto@maker1.org"
    identity.create_user(db, rival, world.makers[1].org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    for email in (BUYER, rival):
        sign_in(web, email)
        token = csrf_of(web.get("/").text)
        assert web.get(f"/jobs/lots/{lot_id}").status_code == 404
        for path in ("dispute", "withdraw-dispute"):
            answer = web.post(f"/jobs/lots/{lot_id}/{path}",
                              data={"csrf_token": token, "reason": "not mine"})  # fmt: skip
            assert answer.status_code == 404, (email, path)
        web.cookies.clear()
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED


def test_after_delivery_the_window_decides_dispute_and_close(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    """While the delivery's dispute window is open the buyer may dispute the delivered lot and
    is told when it can be closed; with the window passed there is no dispute to offer and the
    lot can be closed."""
    db = world.db
    order_id, lot_id = _shipped_lot(world, web_settings)
    lots.act_on_lot(db, world.buyer, lot_id, LotAction.CONFIRM_DELIVERY)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.PAID  # escrow released
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}").text
    offered = _offered(page, lot_id)
    assert "dispute" in offered and "close" not in offered
    [close] = [c for c in lots.available_actions(db, world.buyer, lot_id)
               if c.action is LotAction.CLOSE]  # fmt: skip
    assert close.available_after is not None
    assert (f"Closing the lot available after {close.available_after:%Y-%m-%d %H:%M} UTC"
            in _text(page))  # fmt: skip


def test_after_the_delivery_window_the_lot_closes_and_is_not_disputed(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    order_id, lot_id = _shipped_lot(world, web_settings, window_days=0)
    lots.act_on_lot(db, world.buyer, lot_id, LotAction.CONFIRM_DELIVERY)
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}").text
    offered = _offered(page, lot_id)
    assert "dispute" not in offered and "close" in offered
    assert "available after" not in _text(page)
    done = web.post(f"/orders/{order_id}/lots/{lot_id}/act", follow_redirects=False,
                    data={"csrf_token": csrf_of(page), "action": "close"})  # fmt: skip
    assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.CLOSED
