"""Issue 11 item 4 over HTTP: an order of kits of a design with a manual final assembly plans with
every part shipped to the delivery points and says the recipient assembles; kits of a design
whose assembly is not declared manual are a 422 naming the field."""

from __future__ import annotations

from typing import Any

from tests.order_world import SPLINT_KIT_ID, splint_kit_design

from fabnet.storage.designs import DesignRepository

from .conftest import World, ok, order_body, problem


def _kit_body(design_id: str) -> dict[str, Any]:
    body = order_body(quantity=10, name="Splint kits for Nairobi")
    body["products"] = [{"design": design_id, "key": "splint", "kits": True}]
    return body


def test_a_kit_order_plans_parts_to_the_delivery_point(world: World) -> None:
    with world.db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_kit_design())
    client, headers = world.api, world.buyer.headers
    order = ok(client.post("/v1/orders", json=_kit_body(SPLINT_KIT_ID), headers=headers), 201)
    ok(client.post(f"/v1/orders/{order['id']}/actions/specify", json={"version": 1},
                   headers=headers))  # fmt: skip
    summary = ok(client.post(f"/v1/orders/{order['id']}/plans", json={}, headers=headers), 201)
    assert summary["lots"] and {lot["kind"] for lot in summary["lots"]} == {"part"}
    shipped: dict[str, int] = {}
    for lot in summary["lots"]:
        for d in lot["destinations"]:
            assert (d["kind"], d["id"]) == ("delivery_point", "knh")
            shipped[lot["item_id"]] = shipped.get(lot["item_id"], 0) + d["quantity"]
    assert shipped == {"splint": 10, "clip": 20}
    plan = ok(client.get(f"/v1/plans/{summary['plan_id']}", headers=headers))
    result = plan.get("result", plan)
    (kit,) = result["kits"]
    assert (kit["product"], kit["assembled_by"], kit["delivery_points"]) == (
        "splint",
        "recipient",
        ["knh"],
    )
    assert result["assembly"] == []


def test_kits_of_a_design_without_a_manual_assembly_are_422(world: World) -> None:
    refused = problem(
        world.api.post(
            "/v1/orders", json=_kit_body(splint_kit_design().id), headers=world.buyer.headers
        ),
        422,
    )  # the kit design is not in the registry yet: its id is refused first
    assert refused["errors"][0]["field"] == "products[0].design"
    body = _kit_body("design-finger-splint-test")  # one part: nothing for the recipient to do
    refused = problem(world.api.post("/v1/orders", json=body, headers=world.buyer.headers), 422)
    assert refused["errors"][0]["field"] == "products[0].kits"
    assert "no final assembly" in refused["detail"]
