"""Issue 13 through HTTP: the buyer delegates the approval of a lot's prototype to the lot's
inspector. Without the delegation the inspector's review is refused (403); with it the inspector
rejects (with the reason) and approves; the buyer sees the result; taking the delegation back
returns the decision to the buyer. Audited and notified."""

from __future__ import annotations

from typing import Any

from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.services.platform.files import store_bytes

from .conftest import Member, World, awarded_order, ok, problem


def _review(world: World, who: Member, lot_id: str, **body: Any) -> Any:
    return world.client.post(f"/v1/lots/{lot_id}/actions/review-prototype", json=body,
                             headers=who.headers)  # fmt: skip


def _delegate(world: World, who: Member, lot_id: str, delegated: bool) -> Any:
    return world.client.put(f"/v1/lots/{lot_id}/prototype-approval",
                            json={"delegated": delegated}, headers=who.headers)  # fmt: skip


def test_the_inspector_decides_on_the_prototype_only_when_delegated(world: World) -> None:
    db, client, buyer, inspector = world.db, world.client, world.buyer, world.inspector
    awarded = awarded_order(world)
    lot = awarded.lots[0]
    maker = world.maker_of(lot)
    lots.accept_lot(db, maker.principal, lot.id)
    [contract] = contracts.list_lot_contracts(db, buyer.principal, lot.id)
    payments.fund_order(db, buyer.principal, awarded.order_id, contract.terms.total_minor,
                        reference="pay-1")  # fmt: skip
    for signer in (buyer.principal, maker.principal):
        contracts.sign_contract(db, signer, contract.id, settings=world.settings)
    photo = store_bytes(db, world.file_store(), b"first article", original_name="fa.jpg").sha256
    url = f"/v1/lots/{lot.id}/prototype-approval"

    # no inspector yet: nothing to delegate to
    assert "assign one first" in problem(_delegate(world, buyer, lot.id, True), 409)["detail"]
    inspections.assign_inspector(db, buyer.principal, lot.id, inspector.org_id)
    lots.submit_prototype(db, maker.principal, lot.id, [photo])

    seen = ok(client.get(url, headers=inspector.headers))
    assert seen["delegated"] is False and seen["can_change"] is False
    refused = _review(world, inspector, lot.id, approve=True, evidence_sha256=[photo])
    assert "has not delegated" in problem(refused, 403)["detail"]
    assert problem(_delegate(world, inspector, lot.id, True), 403)
    assert problem(_delegate(world, maker, lot.id, True), 403)
    assert problem(_delegate(world, world.other_inspector, lot.id, True), 404)
    assert ok(client.get(f"/v1/lots/{lot.id}", headers=buyer.headers))["state"] == (
        "PROTOTYPE_SUBMITTED"
    )

    delegated = ok(_delegate(world, buyer, lot.id, True))
    assert delegated["delegated"] is True and delegated["inspector_org_id"] == inspector.org_id
    assert delegated["delegated_by"] == buyer.user_id and delegated["can_change"] is True
    assert ok(_delegate(world, buyer, lot.id, True))["audit_seq"] == delegated["audit_seq"]
    told = ok(client.get("/v1/notifications", headers=inspector.headers))["items"]
    assert any(n["event_type"] == "lot.prototype_delegation" and n["object_id"] == lot.id
               and "the inspector approves or rejects it" in n["message"]
               for n in told)  # fmt: skip

    no_reason = _review(world, inspector, lot.id, approve=False, evidence_sha256=[photo])
    assert "reason" in problem(no_reason, 409)["detail"]
    rejected = _review(world, inspector, lot.id, approve=False, evidence_sha256=[photo],
                       reason="clip 0.4 mm too thin")  # fmt: skip
    assert ok(rejected)["state"] == "PROTOTYPE_REJECTED"
    # the buyer sees the result: the lot's state, its history and a notification
    seen_lot = ok(client.get(f"/v1/lots/{lot.id}", headers=buyer.headers))
    assert seen_lot["state"] == "PROTOTYPE_REJECTED"
    events = ok(client.get(f"/v1/events?object_id={lot.id}", headers=buyer.headers))
    items = events["items"] if isinstance(events, dict) else events
    types = [e["event_type"] for e in items]
    assert "lot.prototype_delegation" in types
    [rejection] = [e for e in items if e["event_type"] == "lot.reject_prototype"]
    assert rejection["role"] == "inspector" and rejection["reason"] == "clip 0.4 mm too thin"
    news = ok(client.get("/v1/notifications", headers=buyer.headers))["items"]
    assert any("reject prototype by the inspector" in n["message"]
               and "clip 0.4 mm too thin" in n["message"] for n in news)  # fmt: skip

    lots.submit_prototype(db, maker.principal, lot.id, [photo])
    approved = _review(world, inspector, lot.id, approve=True, evidence_sha256=[photo])
    assert ok(approved)["state"] == "PROTOTYPE_APPROVED"
    # decided: the delegation can no longer change
    assert "past review" in problem(_delegate(world, buyer, lot.id, False), 409)["detail"]


def test_taking_the_delegation_back_returns_the_decision_to_the_buyer(world: World) -> None:
    db, buyer, inspector = world.db, world.buyer, world.inspector
    awarded = awarded_order(world)
    lot = awarded.lots[0]
    inspections.assign_inspector(db, buyer.principal, lot.id, inspector.org_id)
    assert ok(_delegate(world, buyer, lot.id, True))["delegated"] is True
    taken = ok(_delegate(world, buyer, lot.id, False))
    assert taken["delegated"] is False and taken["delegated_by"] is None
    # a new inspection body is not covered by the old body's delegation
    ok(_delegate(world, buyer, lot.id, True))
    inspections.assign_inspector(db, buyer.principal, lot.id, world.other_inspector.org_id)
    seen = ok(world.client.get(f"/v1/lots/{lot.id}/prototype-approval", headers=buyer.headers))
    assert seen["delegated"] is False
    assert seen["inspector_org_id"] == world.other_inspector.org_id
