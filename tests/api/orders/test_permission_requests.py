"""Permission requests over HTTP: the operator links a non-commercial design to its designer
organisation, the buyer asks for permission on its paid order, the licensor sees the request,
the design and the order, and grants it (the order holds the permission) or refuses it (the
buyer reads why); a second answer is 409, another organisation gets 404."""

from __future__ import annotations

from typing import Any

import pytest

from fabnet.domain.design import Design, Part
from fabnet.domain.identity import OrgKind
from fabnet.storage.designs import DesignRepository

from .conftest import Member, World, _member, ok, order_body, problem

NC_DESIGN = "design-nc-splint-api"


@pytest.fixture
def licensor(world: World) -> Member:
    with world.db.transaction() as session:
        DesignRepository(session).add_or_replace(
            Design(id=NC_DESIGN, name="NC splint", license="CC-BY-NC-4.0",
                   licensor=("Splint Studio",), parts=(Part(id="splint", name="Splint"),))
        )  # fmt: skip
    member = _member(world.db, world.settings, "Splint Studio", OrgKind.DESIGNER)
    url = f"/v1/designs/{NC_DESIGN}/licensor"
    problem(world.client.put(url, headers=world.buyer.headers, json={"org_id": member.org_id}),
            403)  # fmt: skip
    linked = ok(world.client.put(url, headers=world.operator.headers,
                                 json={"org_id": member.org_id}))  # fmt: skip
    assert linked["org_name"] == "Splint Studio"
    assert ok(world.client.get(url, headers=world.stranger.headers))["org_id"] == member.org_id
    return member


def _nc_order(world: World) -> str:
    body = order_body(quantity=30, name="NC splints")
    body["products"] = [{"design": NC_DESIGN, "key": "splint"}]
    created: dict[str, Any] = ok(
        world.client.post("/v1/orders", headers=world.buyer.headers, json=body), 201
    )
    return str(created["id"])


def test_the_buyer_asks_and_the_licensor_grants_over_http(world: World, licensor: Member) -> None:
    client = world.client
    order_id = _nc_order(world)
    [need] = ok(client.get(f"/v1/orders/{order_id}/permissions", headers=world.buyer.headers))
    assert need["licence"]["needs_permission"] and need["can_request"]
    problem(client.get(f"/v1/orders/{order_id}/permissions", headers=licensor.headers), 404)

    made = client.post(f"/v1/orders/{order_id}/permission-requests", headers=world.buyer.headers,
                       json={"design_id": NC_DESIGN, "message": "30 units, at cost"})  # fmt: skip
    request = ok(made, 201)
    assert made.headers["Location"] == f"/v1/permission-requests/{request['id']}"
    again = client.post(f"/v1/orders/{order_id}/permission-requests",
                        headers=world.buyer.headers, json={"design_id": NC_DESIGN})  # fmt: skip
    problem(again, 409)

    [designs] = ok(client.get("/v1/licensor/designs", headers=licensor.headers))
    assert designs["design_id"] == NC_DESIGN and designs["needs_permission"]
    [use] = ok(client.get("/v1/licensor/orders", headers=licensor.headers))
    assert use["order_id"] == order_id and use["units"] == 30
    [pending] = ok(client.get("/v1/permission-requests?status=pending", headers=licensor.headers))
    assert pending["message"] == "30 units, at cost"
    assert ok(client.get("/v1/permission-requests", headers=world.stranger.headers)) == []
    url = f"/v1/permission-requests/{request['id']}"
    problem(client.get(url, headers=world.stranger.headers), 404)
    problem(client.post(f"{url}/grant", headers=world.stranger.headers, json={}), 404)
    problem(client.post(f"{url}/grant", headers=world.buyer.headers, json={}), 403)

    granted = ok(client.post(f"{url}/grant", headers=licensor.headers, json={"note": "ok"}))
    assert granted["status"] == "granted"
    order = ok(client.get(f"/v1/orders/{order_id}", headers=world.buyer.headers))
    assert order["terms"]["licensor_permission"]["evidence_sha256"] == granted["evidence_sha256"]
    problem(client.post(f"{url}/refuse", headers=licensor.headers, json={"reason": "no"}), 409)


def test_a_refusal_reaches_the_buyer_and_refusing_twice_is_409(
    world: World, licensor: Member
) -> None:
    client = world.client
    order_id = _nc_order(world)
    made = client.post(f"/v1/orders/{order_id}/permission-requests",
                       headers=world.buyer.headers, json={"design_id": NC_DESIGN})  # fmt: skip
    request = ok(made, 201)
    url = f"/v1/permission-requests/{request['id']}/refuse"
    empty = problem(client.post(url, headers=licensor.headers, json={"reason": ""}), 422)
    assert "reason" in str(empty)
    refused = ok(client.post(url, headers=licensor.headers, json={"reason": "NC edition only"}))
    assert refused["status"] == "refused"
    problem(client.post(url, headers=licensor.headers, json={"reason": "again"}), 409)
    seen = ok(client.get(f"/v1/permission-requests/{request['id']}", headers=world.buyer.headers))
    assert seen["response_note"] == "NC edition only"
    news = ok(client.get("/v1/notifications", headers=world.buyer.headers))
    items = news["items"] if isinstance(news, dict) else news
    assert any("NC edition only" in n["message"] for n in items)


def test_the_licensing_routes_are_documented(world: World) -> None:
    document = world.client.get("/openapi.json").json()
    paths = {p for p, item in document["paths"].items()
             if any("licensing" in op.get("tags", ()) for op in item.values())}  # fmt: skip
    assert {"/v1/licensor/designs", "/v1/licensor/orders", "/v1/permission-requests",
            "/v1/orders/{order_id}/permission-requests",
            "/v1/permission-requests/{request_id}/grant",
            "/v1/permission-requests/{request_id}/refuse"} <= paths  # fmt: skip
