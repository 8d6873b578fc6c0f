"""Issue 13 through HTTP: the buyer rejects a counter-offer, the lot is re-planned to another
facility with a new invitation, the buyer's notifications say which facility's offer was
rejected, why, and where the quantity went, and ``GET /v1/lots/{id}/replan`` shows it."""

from __future__ import annotations

from fabnet.services.orders import lots

from .conftest import SITES, World, awarded_order, ok, problem


def test_a_rejected_counter_offer_is_replanned_and_the_buyer_told(world: World) -> None:
    client, buyer = world.client, world.buyer
    awarded = awarded_order(world)
    lot = awarded.lots[0]
    maker = world.maker_of(lot)
    countered = client.post(
        f"/v1/lots/{lot.id}/actions/counter-offer",
        json={"counter_offer": {"unit_price_minor": lot.unit_price_minor * 4, "note": "PLA"}},
        headers=maker.headers,
    )
    assert ok(countered)["state"] == "COUNTER_OFFERED"
    assert ok(client.get(f"/v1/lots/{lot.id}/replan", headers=buyer.headers)) is None
    no_reason = client.post(f"/v1/lots/{lot.id}/actions/reject-counter-offer", json={},
                            headers=buyer.headers)  # fmt: skip
    assert "reason" in problem(no_reason, 409)["detail"]
    rejected = client.post(
        f"/v1/lots/{lot.id}/actions/reject-counter-offer",
        json={"reason": "four times the planned price"},
        headers=buyer.headers,
    )
    assert ok(rejected)["state"] == "DECLINED"

    listed = ok(client.get(f"/v1/orders/{awarded.order_id}/lots", headers=buyer.headers))
    [new] = [x for x in listed if x["replaces_lot_id"] == lot.id]
    assert new["state"] == "INVITED" and new["facility_id"] != lot.facility_id
    assert ok(client.get(f"/v1/orders/{awarded.order_id}", headers=buyer.headers))["state"] == (
        "ALLOCATED"
    )
    outcome = ok(client.get(f"/v1/lots/{lot.id}/replan", headers=buyer.headers))
    assert outcome["status"] == "replanned" and outcome["new_lot_ids"] == [new["id"]]
    assert outcome["facility_ids"] == [new["facility_id"]]

    news = ok(client.get("/v1/notifications", headers=buyer.headers))["items"]
    [told] = [n for n in news if n["event_type"] == "order.replan"]
    old_name = f"Fab {_city(lot.facility_id)}"
    new_name = f"Fab {_city(new['facility_id'])}"
    assert f"the counter-offer of {old_name} was rejected by the buyer" in told["message"]
    assert "four times the planned price" in told["message"]
    assert f"at {new_name} (lot {new['id'][:8]})" in told["message"]
    assert told["message"] == outcome["message"]
    # the new facility's manufacturer has its invitation
    invited = world.maker_of(new)
    invites = ok(client.get("/v1/notifications", headers=invited.headers))["items"]
    assert any(n["event_type"] == "lot.invite" and n["object_id"] == new["id"] for n in invites)
    # the audit trail of the lot carries the re-plan
    events = ok(client.get(f"/v1/events?object_id={lot.id}", headers=buyer.headers))
    items = events["items"] if isinstance(events, dict) else events
    assert any(e["event_type"] == "lot.replan" for e in items)
    # another organisation does not learn about the lot
    stranger = client.get(f"/v1/lots/{lot.id}/replan", headers=world.stranger.headers)
    assert problem(stranger, 404)
    assert lots.replan_outcome(world.db, None, lot.id) is not None


def _city(facility_id: str) -> str:
    return next(city for fid, city, *_ in SITES if fid == facility_id)
