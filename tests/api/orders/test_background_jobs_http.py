"""Slicing and PDF rendering as background jobs in the API too (issue 16 item 2): POST answers
202 with a job at its Location, GET /v1/jobs/{id} follows it, and ``result_url`` names what it
made; another organisation's quote, contract and job are not found."""

from __future__ import annotations

import time
from typing import Any

from .conftest import DESIGN_ID, World, awarded_order, ok, problem


def _finished(world: World, url: str) -> dict[str, Any]:
    for _ in range(900):
        job: dict[str, Any] = ok(world.client.get(url, headers=world.buyer.headers))
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job {url} did not finish")


def test_an_instant_quote_runs_as_a_job(world: World) -> None:
    client, buyer = world.client, world.buyer
    body = {"design_id": DESIGN_ID, "quantity": 40, "material": "pla", "near": "Nairobi, KE"}
    # checked before anything is queued: the field is named
    wrong = {**body, "material": "unobtainium"}
    assert "material" in str(
        problem(client.post("/v1/quotes", json=wrong, headers=buyer.headers), 422)
    )
    unknown = {**body, "design_id": "nope"}
    assert "design" in str(
        problem(client.post("/v1/quotes", json=unknown, headers=buyer.headers), 422)
    )
    started = client.post("/v1/quotes", json=body, headers=buyer.headers)
    job = ok(started, 202)
    assert (
        job["kind"] == "quotes.instant" and started.headers["location"] == f"/v1/jobs/{job['id']}"
    )
    problem(client.get(started.headers["location"], headers=world.stranger.headers), 404)
    done = _finished(world, started.headers["location"])
    assert done["status"] == "succeeded", done
    assert done["result_url"] == f"/v1/quotes/{job['id']}"
    quote = ok(client.get(done["result_url"], headers=buyer.headers))
    assert quote["status"] == "succeeded" and quote["error"] is None
    offers = quote["quote"]["facilities"]
    assert offers and all(o["currency"] == "EUR" for o in offers)
    priced = [o for o in offers if o["complete"]]
    assert priced and all(o["total"] > 0 and o["per_unit"] > 0 for o in priced)
    # the nearest facility first is not promised, but distances are given from Nairobi
    assert all(o["distance_km"] is not None for o in offers)
    problem(client.get(done["result_url"], headers=world.stranger.headers), 404)


def test_a_contract_pdf_is_rendered_as_a_job_and_then_served(world: World) -> None:
    client = world.client
    awarded = awarded_order(world)
    lot = awarded.lots[0]
    maker = world.maker_of(lot)
    ok(client.post(f"/v1/lots/{lot.id}/actions/accept", json={}, headers=maker.headers))
    [contract] = ok(client.get(f"/v1/lots/{lot.id}/contracts", headers=world.buyer.headers))
    url = f"/v1/contracts/{contract['id']}/pdf-jobs"
    problem(client.post(url, headers=world.stranger.headers), 404)
    started = client.post(url, headers=maker.headers)
    job = ok(started, 202)
    assert job["kind"] == "contracts.pdf"
    problem(client.get(started.headers["location"], headers=world.buyer.headers), 404)  # maker's
    for _ in range(900):
        done = ok(client.get(started.headers["location"], headers=maker.headers))
        if done["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert done["status"] == "succeeded", done
    assert done["result_url"] == f"/v1/contracts/{contract['id']}/pdf"
    assert len(done["result"]["pdf_sha256"]) == 64
    pdf = client.get(done["result_url"], headers=world.buyer.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
