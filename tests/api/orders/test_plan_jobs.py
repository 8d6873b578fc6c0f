"""Planning as a background job: POST /v1/orders/{id}/plan-jobs answers 202 with a job, which
GET /v1/jobs/{id} reports with its progress until it names the plan it made; another
organisation's order and job are not found."""

from __future__ import annotations

import time
from typing import Any

from .conftest import ORDER_QUANTITY, Member, World, ok, order_body, problem


def _finished(world: World, url: str, member: Member | None = None) -> dict[str, Any]:
    """The job at ``url`` once it has finished, read as ``member`` (default: the buyer)."""
    headers = (member or world.buyer).headers
    for _ in range(900):
        job: dict[str, Any] = ok(world.client.get(url, headers=headers))
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job {url} did not finish")


def test_a_draft_order_is_planned_in_the_background(world: World) -> None:
    client, buyer = world.client, world.buyer
    body = order_body()
    order = ok(client.post("/v1/orders", json=body, headers=buyer.headers), 201)
    assert order["state"] == "DRAFT"
    url = f"/v1/orders/{order['id']}/plan-jobs"
    # another organisation's order is not found; a negative CO2 price names the field
    problem(client.post(url, json={}, headers=world.stranger.headers), 404)
    bad = problem(client.post(url, json={"co2_price_per_t": -5}, headers=buyer.headers), 422)
    assert "co2_price_per_t" in str(bad)
    started = client.post(url, json={"co2_price_per_t": 80}, headers=buyer.headers)
    job = ok(started, 202)
    assert started.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["kind"] == "orders.plan" and job["status"] in ("queued", "running", "succeeded")
    # the buyer's draft was specified and is being sourced
    assert ok(client.get(f"/v1/orders/{order['id']}", headers=buyer.headers))["state"] in (
        "SPECIFIED", "SOURCING",
    )  # fmt: skip
    problem(client.get(started.headers["location"], headers=world.stranger.headers), 404)
    done = _finished(world, started.headers["location"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["message"] == "Storing the plan"
    plan_id = done["result"]["plan_id"]
    assert done["result_url"] == f"/v1/plans/{plan_id}"
    plan = ok(client.get(done["result_url"], headers=buyer.headers))
    assert plan["order_id"] == order["id"] and plan["status"] == "optimal"
    assert sum(lot["quantity"] for lot in plan["lots"]) == ORDER_QUANTITY
    assert ok(client.get(f"/v1/orders/{order['id']}", headers=buyer.headers))["state"] == (
        "SOURCING"
    )
    # once awarded, the order is not planned again
    ok(client.post(f"/v1/orders/{order['id']}/award", json={"plan_id": plan_id},
                   headers=buyer.headers))  # fmt: skip
    problem(client.post(url, json={}, headers=buyer.headers), 409)


def test_a_job_of_another_kind_or_unknown_id_is_not_found(world: World) -> None:
    problem(world.client.get("/v1/jobs/nosuchjob", headers=world.buyer.headers), 404)
