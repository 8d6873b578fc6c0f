"""Every licensing route x every kind of caller: no token, the buyer's read-only token, a foreign
buyer, the design's licensor, the buyer, the platform operator. The routes come from the
application (tag ``licensing``), so a new licensing route without an entry here fails; a refused
or listing answer must not reveal the order or request to a caller who has no business there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conftest import Member, World
from .test_permission_requests import NC_DESIGN, _nc_order
from .test_permission_requests import licensor as licensor  # the fixture


@dataclass(frozen=True)
class Entry:
    url: str
    expect: Mapping[str, int]
    json: dict[str, Any] | None = None


READ_ALL = {"reader": 200, "stranger": 200, "licensor": 200, "buyer": 200, "operator": 200}


def test_every_licensing_route_answers_each_caller_as_expected(
    world: World, licensor: Member
) -> None:
    client = world.client
    order_id = _nc_order(world)
    made = client.post(f"/v1/orders/{order_id}/permission-requests", headers=world.buyer.headers,
                       json={"design_id": NC_DESIGN, "message": "hello"})  # fmt: skip
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    design_url = f"/v1/designs/{NC_DESIGN}/licensor"
    request_url = f"/v1/permission-requests/{request_id}"
    callers: dict[str, Member | None] = {
        "anonymous": None, "reader": world.buyer_reader, "stranger": world.stranger,
        "licensor": licensor, "buyer": world.buyer, "operator": world.operator,
    }  # fmt: skip
    table: dict[tuple[str, str], Entry] = {
        ("GET", "/v1/designs/{design_id}/licensor"): Entry(design_url, READ_ALL),
        ("PUT", "/v1/designs/{design_id}/licensor"): Entry(
            design_url,
            {"reader": 403, "stranger": 403, "licensor": 403, "buyer": 403, "operator": 200},
            json={"org_id": licensor.org_id},
        ),
        ("GET", "/v1/licensor/designs"): Entry("/v1/licensor/designs", READ_ALL),
        ("GET", "/v1/licensor/orders"): Entry("/v1/licensor/orders", READ_ALL),
        ("GET", "/v1/permission-requests"): Entry("/v1/permission-requests", READ_ALL),
        ("GET", "/v1/orders/{order_id}/permissions"): Entry(
            f"/v1/orders/{order_id}/permissions",
            {"reader": 200, "stranger": 404, "licensor": 404, "buyer": 200, "operator": 200},
        ),
        # a request waits already: the buyer is told 409; the operator is no party to ask
        ("POST", "/v1/orders/{order_id}/permission-requests"): Entry(
            f"/v1/orders/{order_id}/permission-requests",
            {"reader": 403, "stranger": 404, "licensor": 404, "operator": 403, "buyer": 409},
            json={"design_id": NC_DESIGN},
        ),
        ("GET", "/v1/permission-requests/{request_id}"): Entry(
            request_url,
            {"reader": 200, "stranger": 404, "licensor": 200, "buyer": 200, "operator": 200},
        ),
        ("POST", "/v1/permission-requests/{request_id}/grant"): Entry(
            f"{request_url}/grant",
            {"reader": 403, "stranger": 404, "buyer": 403, "operator": 403, "licensor": 200},
            json={"note": "ok"},
        ),
        # granted above: answering again is a conflict for the licensor
        ("POST", "/v1/permission-requests/{request_id}/refuse"): Entry(
            f"{request_url}/refuse",
            {"reader": 403, "stranger": 404, "buyer": 403, "operator": 403, "licensor": 409},
            json={"reason": "no"},
        ),
        ("DELETE", "/v1/designs/{design_id}/licensor"): Entry(
            design_url,
            {"reader": 403, "stranger": 403, "licensor": 403, "buyer": 403, "operator": 204},
        ),
    }
    document = client.get("/openapi.json").json()
    routes = {(method.upper(), path) for path, item in document["paths"].items()
              for method, op in item.items() if "licensing" in op.get("tags", ())}  # fmt: skip
    assert routes == set(table), "give every licensing route an entry"
    failures: list[str] = []
    for (method, path), entry in table.items():
        for name, expected in {"anonymous": 401, **entry.expect}.items():
            member = callers[name]
            headers = {} if member is None else member.headers
            answer = client.request(method, entry.url, headers=headers, json=entry.json)
            if answer.status_code != expected:
                failures.append(f"{method} {path} as {name}: {answer.status_code} "
                                f"(expected {expected}) {answer.text[:200]}")  # fmt: skip
                continue
            if expected >= 400:
                assert answer.headers["content-type"] == "application/problem+json"
            if name == "stranger":
                leaked = {i for i in (order_id, request_id)
                          if i in answer.text and i not in entry.url}  # fmt: skip
                if leaked:
                    failures.append(f"{method} {path} as stranger reveals {sorted(leaked)}")
    assert not failures, "\n".join(failures)
