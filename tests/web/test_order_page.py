"""The buyer's order page after the award: a counter-offer accepted, contracts signed and
downloaded, escrow due shown, a short deposit naming the lots it leaves waiting, and another
organisation's order, lot and contract answering 404."""

from __future__ import annotations

import dataclasses
import re

from fastapi.testclient import TestClient

from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import CounterOffer, contracts, inspections, lots
from fabnet.services.orders.orders import principal_for_user
from fabnet.settings import Settings
from services.orders.conftest import Proposal, World, award_proposals, specified_order, to_point
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

BUYER = "ana@hospital.org"


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


def _web_buyer(world: World, settings: Settings) -> World:
    """The world with its buyer as a user who signs in (and signs contracts) on the web."""
    user = identity.create_user(world.db, BUYER, world.buyer.org_id, actor=None,
                                password=PASSWORD, settings=settings)  # fmt: skip
    return dataclasses.replace(world, buyer=principal_for_user(world.db, user.id))


def test_the_buyer_runs_an_order_from_its_page(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    w = _web_buyer(world, web_settings)
    db = w.db
    order_id = specified_order(w, quantity=30)
    lot_ids = award_proposals(w, order_id, [
        Proposal(f"fac-{i}", 10, price, item_id=f"part-{i}", destinations=to_point(10))
        for i, price in enumerate([2.0, 3.0, 4.0])
    ])  # fmt: skip
    lots.accept_lot(db, w.makers[0], lot_ids[0])
    lots.accept_lot(db, w.makers[1], lot_ids[1])
    lots.counter_offer_lot(
        db, w.makers[2], lot_ids[2], CounterOffer(unit_price_minor=450, note="PETG costs more")
    )

    w_client = web
    sign_in(w_client, BUYER)
    page = w_client.get(f"/orders/{order_id}")
    assert page.status_code == 200, _errors(page.text)
    assert "Maker 0&#39;s workshop" in page.text or "Maker 0's workshop" in page.text
    # escrow due before funding, in the order's currency with its decimals: 20.00 + 30.00 EUR
    assert "50.00 EUR" in page.text and "45.00 EUR" in page.text  # counter-offer expected
    assert "4.50 EUR per unit" in page.text and "PETG costs more" in page.text
    assert "Accept the counter-offer" in page.text and "Reject the counter-offer" in page.text
    token = csrf_of(page.text)

    # accept the counter-offer: the lot is accepted at the offered price
    done = w_client.post(
        f"/orders/{order_id}/lots/{lot_ids[2]}/act",
        follow_redirects=False,
        data={"csrf_token": token, "action": "accept_counter_offer"},
    )
    assert done.status_code == 303, _errors(done.text)
    third = lots.get_lot(db, w.buyer, lot_ids[2])
    assert third.state is LotState.ACCEPTED and third.unit_price_minor == 450

    # sign every contract from the page; the manufacturers sign through the service
    page = w_client.get(f"/orders/{order_id}")
    sign_urls = re.findall(r'action="(/contracts/[^"]+/sign)"', page.text)
    assert len(sign_urls) == 3
    for url in sign_urls:
        signed = w_client.post(url, data={"csrf_token": token}, follow_redirects=False)
        assert signed.status_code == 303, _errors(signed.text)
    for i, lot_id in enumerate(lot_ids):
        for contract in contracts.list_lot_contracts(db, w.buyer, lot_id):
            contracts.sign_contract(db, w.makers[i], contract.id)
    page = w_client.get(f"/orders/{order_id}")
    assert not re.findall(r'action="(/contracts/[^"]+/sign)"', page.text)  # nobody's turn
    pdf_url = re.findall(r'href="(/contracts/[^"]+\.pdf)"', page.text)[0]
    pdf = w_client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    # a deposit without a reference is refused at its field; nothing is recorded
    empty = w_client.post(
        f"/orders/{order_id}/funding",
        data={"csrf_token": token, "amount": "50.00", "reference": ""},
    )
    assert empty.status_code == 422
    assert any("reference" in e for e in _errors(empty.text))
    assert lots.get_lot(db, w.buyer, lot_ids[0]).state is LotState.ACCEPTED
    # 50.00 EUR of the 95.00 EUR due: two lots are contracted, the third is named as waiting
    short = w_client.post(
        f"/orders/{order_id}/funding",
        data={"csrf_token": token, "amount": "50.00", "reference": "bank-1"},
    )
    assert short.status_code == 200, _errors(short.text)
    text = " ".join(short.text.split())
    assert "2 of 3 accepted lot(s) due are covered" in text
    assert f"part-2 (lot {lot_ids[2][:8]}, 45.00 EUR)" in text
    assert "pay at least 45.00 EUR more" in text
    assert [lots.get_lot(db, w.buyer, i).state for i in lot_ids] == [
        LotState.CONTRACTED, LotState.CONTRACTED, LotState.ACCEPTED]  # fmt: skip
    # the form offers the amount still due
    assert 'name="amount" inputmode="decimal" value="45.00"' in short.text
    rest = w_client.post(
        f"/orders/{order_id}/funding",
        data={"csrf_token": token, "amount": "45.00", "reference": "bank-2"},
    )
    assert rest.status_code == 200 and lots.get_lot(db, w.buyer, lot_ids[2]).state is (
        LotState.CONTRACTED
    )

    # the open page learns of another party's action without a reload
    page = w_client.get(f"/orders/{order_id}")
    seen = re.search(r"/changes\?seen=([0-9a-f]+)", page.text)
    assert seen is not None
    quiet = w_client.get(f"/orders/{order_id}/changes?seen={seen.group(1)}")
    assert quiet.status_code == 204
    lots.act_on_lot(db, w.makers[0], lot_ids[0], "submit_prototype", evidence_sha256=w.evidence[:1])
    news = w_client.get(f"/orders/{order_id}/changes?seen={seen.group(1)}")
    assert news.status_code == 200 and news.headers["HX-Refresh"] == "true"
    page = w_client.get(f"/orders/{order_id}")
    assert "Approve the prototype" in page.text
    # the buyer approves the first article from the page with a photo as evidence
    approved = w_client.post(
        f"/orders/{order_id}/lots/{lot_ids[0]}/act", follow_redirects=False,
        data={"csrf_token": token, "action": "approve_prototype"},
        files=[("evidence", ("fit-check.jpg", b"a photo of the fit check", "image/jpeg"))],
    )  # fmt: skip
    assert approved.status_code == 303, _errors(approved.text)
    [approval] = [t for t in lots.lot_history(db, w.buyer, lot_ids[0])
                  if t.action == "approve_prototype"]  # fmt: skip
    assert len(approval.evidence_sha256) == 1
    lots.act_on_lot(db, w.makers[0], lot_ids[0], "start_production")
    lots.act_on_lot(db, w.makers[0], lot_ids[0], "submit_for_inspection")
    [task] = inspections.lot_inspections(db, w.buyer, lot_ids[0])
    none_found = {DefectClass.MAJOR: 0, DefectClass.MINOR: 0}
    inspections.record_inspection(db, w.buyer, task.id, none_found, evidence_sha256=w.evidence[2:3])
    lots.act_on_lot(db, w.makers[0], lot_ids[0], "ship", evidence_sha256=w.evidence[:1])
    assert 'id="h-report"' not in w_client.get(f"/orders/{order_id}").text  # nothing delivered
    delivered = w_client.post(f"/orders/{order_id}/lots/{lot_ids[0]}/act", follow_redirects=True,
                              data={"csrf_token": token, "action": "confirm_delivery"})  # fmt: skip
    assert delivered.status_code == 200, _errors(delivered.text)
    assert lots.get_lot(db, w.buyer, lot_ids[0]).state in (LotState.DELIVERED, LotState.PAID)
    text = " ".join(delivered.text.split())
    assert 'id="h-report"' in text and "Report (so far)" in text
    assert "10 of 30 units delivered" not in text  # the lots' items are parts, not products
    assert "manufacturing 95.00 EUR" in text  # 20.00 + 30.00 + 45.00 EUR of contracts
    assert "allocated without a plan" in text  # awarded by hand: no baselines to compare

    # another organisation: the order, a lot action and a contract are not found
    stranger = "olu@other.org"
    identity.create_user(db, stranger, w.stranger.org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    w_client.cookies.clear()
    sign_in(w_client, stranger)
    other_token = csrf_of(w_client.get("/orders").text)
    assert w_client.get(f"/orders/{order_id}").status_code == 404
    refused = w_client.post(
        f"/orders/{order_id}/lots/{lot_ids[0]}/act",
        data={"csrf_token": other_token, "action": "cancel", "reason": "x"},
    )
    assert refused.status_code == 404
    assert w_client.get(pdf_url).status_code == 404
    assert lots.get_lot(db, w.buyer, lot_ids[0]).state in (LotState.DELIVERED, LotState.PAID)


def test_rejecting_a_counter_offer_needs_a_reason_and_says_what_happened(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    w = _web_buyer(world, web_settings)
    order_id = specified_order(w, quantity=10)
    [lot_id] = award_proposals(w, order_id, [Proposal("fac-0", 10, 2.0, destinations=to_point(10))])
    lots.counter_offer_lot(w.db, w.makers[0], lot_id, CounterOffer(unit_price_minor=900))
    sign_in(web, BUYER)
    token = csrf_of(web.get(f"/orders/{order_id}").text)
    no_reason = web.post(
        f"/orders/{order_id}/lots/{lot_id}/act",
        data={"csrf_token": token, "action": "reject_counter_offer"},
    )
    assert no_reason.status_code == 422 and "a reason is required" in no_reason.text
    assert lots.get_lot(w.db, w.buyer, lot_id).state is LotState.COUNTER_OFFERED
    done = web.post(
        f"/orders/{order_id}/lots/{lot_id}/act",
        follow_redirects=False,
        data={"csrf_token": token, "action": "reject_counter_offer", "reason": "over budget"},
    )
    assert done.status_code == 303
    page = web.get(f"/orders/{order_id}")
    assert lots.get_lot(w.db, w.buyer, lot_id).state is LotState.DECLINED
    assert "reject counter offer" in page.text and "over budget" in page.text
    # the buyer is told what followed (a re-plan, or why the quantity is left open)
    news = re.search(r'<ul class="news">(.*?)</ul>', page.text, re.S)
    assert news is not None and "10 units are open" in news.group(1), page.text
    assert "plan the order again" in news.group(1)
