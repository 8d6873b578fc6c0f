"""Retried POSTs with the same Idempotency-Key have one effect: one order, one lot transition."""

from __future__ import annotations

from fabnet.services.orders import contracts, lots

from .conftest import World, awarded_order, ok, order_body, problem


def test_retried_order_creation_creates_one_order(world: World) -> None:
    client = world.client
    headers = {**world.buyer.headers, "Idempotency-Key": "order-2027-001"}
    first = client.post("/v1/orders", json=order_body(), headers=headers)
    second = client.post("/v1/orders", json=order_body(), headers=headers)
    assert ok(first, 201) == ok(second, 201)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    listed = ok(client.get("/v1/orders", headers=world.buyer.headers))
    assert [o["id"] for o in listed["items"]] == [first.json()["id"]]

    other = client.post("/v1/orders", json=order_body(quantity=10), headers=headers)
    assert "different request" in problem(other, 422)["detail"]
    # without the key, the same body is a second order
    again = client.post("/v1/orders", json=order_body(), headers=world.buyer.headers)
    assert ok(again, 201)["id"] != first.json()["id"]


def test_retried_lot_action_takes_effect_once(world: World) -> None:
    lot = awarded_order(world).lots[0]
    maker = world.maker_of(lot)
    headers = {**maker.headers, "Idempotency-Key": f"accept-{lot.id}"}
    url = f"/v1/lots/{lot.id}/actions/accept"
    first = world.client.post(url, headers=headers)
    second = world.client.post(url, headers=headers)
    assert ok(first) == ok(second)
    assert first.json()["state"] == "ACCEPTED" and first.json()["version"] == lot.version + 1
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["etag"] == first.headers["etag"]
    history = lots.lot_history(world.db, maker.principal, lot.id)
    assert [t.action for t in history] == ["accept"]
    assert len(contracts.list_lot_contracts(world.db, maker.principal, lot.id)) == 1
    # a new key is a new request, which the life cycle now refuses
    retry = world.client.post(url, headers={**maker.headers, "Idempotency-Key": "accept-again"})
    problem(retry, 409)
