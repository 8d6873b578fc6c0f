"""Every time the API answers carries its time zone, on SQLite as on PostgreSQL (issue 15 item 13:
a plan's and a job's ``created_at`` came back without one on SQLite, which hands back naive
datetimes, while PostgreSQL's had ``Z``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .conftest import World, awarded_order, ok, order_body

#: An RFC 3339 date-time as Pydantic writes it (offset or Z; fraction optional).
_DATE_TIME_LENGTH = len("2027-01-04T00:00:00")


def _naive_times(value: Any, where: str = "") -> list[str]:
    """Where ``value`` holds an ISO date-time string without a time zone."""
    if isinstance(value, dict):
        return [n for key, item in value.items() for n in _naive_times(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [n for i, item in enumerate(value) for n in _naive_times(item, f"{where}[{i}]")]
    if isinstance(value, str) and len(value) >= _DATE_TIME_LENGTH and value[10:11] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return []
        return [f"{where}={value}"] if parsed.tzinfo is None else []
    return []


def test_every_time_in_an_answer_has_a_time_zone(world: World) -> None:
    client, buyer = world.client, world.buyer
    awarded = awarded_order(world)
    lot_id = awarded.lots[0].id
    draft = ok(
        client.post("/v1/orders", json=order_body(name="Second"), headers=buyer.headers), 201
    )
    job = ok(
        client.post(f"/v1/orders/{draft['id']}/plan-jobs", json={}, headers=buyer.headers), 202
    )
    urls = [
        f"/v1/orders/{awarded.order_id}",
        "/v1/orders",
        f"/v1/plans/{awarded.plan_id}",
        f"/v1/jobs/{job['id']}",
        f"/v1/orders/{awarded.order_id}/lots",
        f"/v1/lots/{lot_id}",
        f"/v1/lots/{lot_id}/contracts",
        f"/v1/lots/{lot_id}/inspections",
        f"/v1/orders/{awarded.order_id}/ledger",
        f"/v1/orders/{awarded.order_id}/report",
        f"/v1/events?object_id={awarded.order_id}",
        "/v1/notifications",
        "/v1/tokens",
        "/v1/users/me",
    ]
    answers = {url: ok(client.get(url, headers=buyer.headers)) for url in urls}
    naive = [n for url, body in answers.items() for n in _naive_times(body, url)]
    assert naive == []
    # the check sees times at all: the plan's and the job's creation
    assert answers[f"/v1/plans/{awarded.plan_id}"]["created_at"].endswith("Z")
    assert answers[f"/v1/jobs/{job['id']}"]["created_at"].endswith("Z")
