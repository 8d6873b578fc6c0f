"""Issue 15 item 10 through HTTP: after the assigned inspector rejects a lot, the buyer's
``terminate`` (which would refund the escrow) answers 409 naming when the manufacturer's dispute
window closes, and leaves the lot and its escrow as they were; the manufacturer disputes the
rejection within the window."""

from __future__ import annotations

from datetime import timedelta

from fabnet.domain.orders.aql import DefectClass
from fabnet.services.orders import (
    LotView,
    OrderTerms,
    contracts,
    inspections,
    lots,
    orders,
    payments,
)
from fabnet.services.platform.files import store_bytes
from fabnet.standards.order_file import OrderSpec

from .conftest import Awarded, World, awarded_order, ok, order_body, problem


def _awarded(world: World, window_days: int) -> Awarded:
    """``awarded_order`` with a dispute window of ``window_days`` (the shared one has none)."""
    body = order_body()
    terms = OrderTerms.model_validate({**body.pop("terms"), "dispute_window_days": window_days})
    buyer, db = world.buyer.principal, world.db
    order = orders.create_order(db, buyer, OrderSpec.model_validate(body), terms=terms)
    orders.act_on_order(db, buyer, order.id, "specify")
    plan = orders.plan(db, buyer, order.id)
    return Awarded(order.id, plan.plan_id, orders.award(db, buyer, order.id, plan.plan_id))


def _rejected(world: World, awarded: Awarded) -> tuple[LotView, int]:
    """The first lot contracted, made and rejected by its assigned inspector; its contract's
    dispute window in days."""
    db, buyer, inspector = world.db, world.buyer, world.inspector
    lot = awarded.lots[0]
    maker = world.maker_of(lot)
    lots.accept_lot(db, maker.principal, lot.id)
    [contract] = contracts.list_lot_contracts(db, buyer.principal, lot.id)
    payments.fund_order(db, buyer.principal, awarded.order_id, contract.terms.total_minor,
                        reference="pay-1")  # fmt: skip
    for signer in (buyer.principal, maker.principal):
        contracts.sign_contract(db, signer, contract.id, settings=world.settings)
    photo = store_bytes(db, world.file_store(), b"inspection", original_name="i.jpg").sha256
    inspections.assign_inspector(db, buyer.principal, lot.id, inspector.org_id)
    lots.delegate_prototype_approval(db, buyer.principal, lot.id)
    lots.submit_prototype(db, maker.principal, lot.id, [photo])
    lots.review_prototype(db, inspector.principal, lot.id, approve=True, evidence_sha256=[photo])
    lots.act_on_lot(db, maker.principal, lot.id, "start_production")
    lots.act_on_lot(db, maker.principal, lot.id, "submit_for_inspection")
    [task] = inspections.lot_inspections(db, inspector.principal, lot.id)
    inspections.record_inspection(db, inspector.principal, task.id,
                                  {DefectClass.MAJOR: 5, DefectClass.MINOR: 0},
                                  evidence_sha256=[photo], reason="cracked")  # fmt: skip
    return lot, contract.terms.dispute_window_days


def test_terminating_a_rejected_lot_waits_for_the_manufacturers_window(world: World) -> None:
    db, client, buyer = world.db, world.client, world.buyer
    awarded = _awarded(world, 14)
    lot, days = _rejected(world, awarded)
    assert days == 14
    maker = world.maker_of(lot)
    escrow_url = f"/v1/orders/{awarded.order_id}/escrow"
    before = ok(client.get(escrow_url, headers=buyer.headers))
    [rejection] = [t for t in lots.lot_history(db, buyer.principal, lot.id)
                   if t.action == "reject_lot"]  # fmt: skip
    closes = rejection.occurred_at + timedelta(days=days)

    refused = client.post(f"/v1/lots/{lot.id}/actions/terminate",
                          json={"reason": "replace it elsewhere"},
                          headers=buyer.headers)  # fmt: skip
    detail = problem(refused, 409)["detail"]
    assert f"the manufacturer may dispute the rejection until {closes:%Y-%m-%d %H:%M} UTC" in detail
    assert ok(client.get(f"/v1/lots/{lot.id}", headers=buyer.headers))["state"] == "LOT_REJECTED"
    assert ok(client.get(escrow_url, headers=buyer.headers)) == before  # nothing refunded

    disputed = client.post(f"/v1/lots/{lot.id}/actions/dispute",
                           json={"reason": "the gauge was not calibrated"},
                           headers=maker.headers)  # fmt: skip
    assert ok(disputed)["state"] == "DISPUTED"


def test_with_no_dispute_window_the_buyer_replaces_a_rejected_lot_at_once(world: World) -> None:
    awarded = awarded_order(world)  # dispute_window_days: 0
    lot, days = _rejected(world, awarded)
    assert days == 0
    done = world.client.post(f"/v1/lots/{lot.id}/actions/terminate",
                             json={"reason": "replace it elsewhere"},
                             headers=world.buyer.headers)  # fmt: skip
    assert ok(done)["state"] == "TERMINATED"
