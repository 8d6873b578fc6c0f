"""A whole order through HTTP only: match, order, plan, award, answers, re-plan, contracts,
money, prototypes, AQL inspection, delivery, payment, closing, and the audit chain."""

from __future__ import annotations

from typing import Any

from fabnet.domain.orders.ledger import escrow, payable

from .conftest import DESIGN_ID, ORDER_QUANTITY, SITES, Member, World, ok, order_body, problem


def _upload(world: World, member: Member, name: str) -> str:
    files = {"file": (name, f"evidence {name}".encode(), "image/jpeg")}
    body = ok(world.client.post("/v1/files", files=files, headers=member.headers), 201)
    assert len(body["sha256"]) == 64 and body["original_name"] == name
    return str(body["sha256"])


def _lot_action(
    world: World, member: Member, lot_id: str, action: str, status: int = 200, **body: Any
) -> dict[str, Any]:
    response = world.client.post(
        f"/v1/lots/{lot_id}/actions/{action}", json=body, headers=member.headers
    )
    result: dict[str, Any] = ok(response, status)
    assert response.headers["etag"] == f'"v{result["version"]}"'
    return result


def _match_plan_and_award(world: World) -> tuple[str, list[dict[str, Any]]]:
    client, buyer = world.client, world.buyer
    query = {"design_id": DESIGN_ID, "quantity": 150, "near": ["Nairobi, KE"]}
    matched = ok(client.post("/v1/match", json=query, headers=buyer.headers))
    assert matched["uncovered_parts"] == []
    [part] = matched["parts"]
    assert {c["facility_id"] for c in part["candidates"]} == {s[0] for s in SITES}
    assert all(isinstance(c["unit_cost"], float) for c in part["candidates"])

    created = client.post("/v1/orders", json=order_body(), headers=buyer.headers)
    order = ok(created, 201)
    order_id = order["id"]
    assert created.headers["location"] == f"/v1/orders/{order_id}"
    assert created.headers["etag"] == '"v1"' and order["state"] == "DRAFT"
    assert order["quantity"] == ORDER_QUANTITY

    specified = client.post(f"/v1/orders/{order_id}/actions/specify",
                            headers={**buyer.headers, "If-Match": '"v1"'})  # fmt: skip
    assert ok(specified)["state"] == "SPECIFIED" and specified.headers["etag"] == '"v2"'

    planned = client.post(f"/v1/orders/{order_id}/plans", json={}, headers=buyer.headers)
    summary = ok(planned, 201)
    plan_id = summary["plan_id"]
    assert planned.headers["location"] == f"/v1/plans/{plan_id}"
    assert summary["order"]["state"] == "SOURCING"
    assert len(summary["lots"]) == 3  # 15 units a week each: no facility makes 150 alone
    assert sum(lot["quantity"] for lot in summary["lots"]) == ORDER_QUANTITY

    plan = ok(client.get(f"/v1/plans/{plan_id}", headers=buyer.headers))
    assert plan["order_id"] == order_id and plan["status"] == "optimal"
    assert plan["result"]["flows"] and plan["lots"][0]["destinations"][0]["id"] == "knh"
    geo = client.get(f"/v1/plans/{plan_id}?format=geojson", headers=buyer.headers)
    assert geo.headers["content-type"] == "application/geo+json"
    assert geo.json()["type"] == "FeatureCollection"

    lots = ok(client.post(f"/v1/orders/{order_id}/award", json={"plan_id": plan_id},
                          headers=buyer.headers))  # fmt: skip
    assert [lot["state"] for lot in lots] == ["INVITED"] * 3
    assert ok(client.get(f"/v1/orders/{order_id}", headers=buyer.headers))["state"] == "ALLOCATED"
    return order_id, lots


def _answer_invitations(world: World, order_id: str, lots: list[dict[str, Any]]) -> list[str]:
    """Two manufacturers accept, one declines; the declined quantity is re-planned to another
    facility, whose manufacturer accepts. Returns the live lot ids."""
    for lot in lots[:2]:
        accepted = _lot_action(world, world.maker_of(lot), lot["id"], "accept")
        assert accepted["state"] == "ACCEPTED"
    declined = lots[2]
    answer = _lot_action(world, world.maker_of(declined), declined["id"], "decline",
                         reason="no PLA in stock this month")  # fmt: skip
    assert answer["state"] == "DECLINED"

    all_lots = ok(world.client.get(f"/v1/orders/{order_id}/lots", headers=world.buyer.headers))
    [replacement] = [lot for lot in all_lots if lot["replaces_lot_id"] == declined["id"]]
    assert replacement["state"] == "INVITED"
    assert replacement["facility_id"] != declined["facility_id"]
    assert replacement["quantity"] == declined["quantity"]
    _lot_action(world, world.maker_of(replacement), replacement["id"], "accept")
    return [lots[0]["id"], lots[1]["id"], replacement["id"]]


def _sign_and_fund(world: World, order_id: str, lot_ids: list[str]) -> int:
    client, buyer = world.client, world.buyer
    live = [ok(client.get(f"/v1/lots/{i}", headers=buyer.headers)) for i in lot_ids]
    total: int = sum(lot["quantity"] * lot["unit_price_minor"] for lot in live)
    ledger = ok(client.post(f"/v1/orders/{order_id}/funding",
                            json={"amount_minor": total, "reference": "bank-2027-0001"},
                            headers=buyer.headers))  # fmt: skip
    assert [tx["kind"] for tx in ledger["transactions"]] == ["deposit"]
    # Paid in full before signing: the money is there for every accepted lot, none waits.
    assert ledger["uncovered_lot_ids"] == [] and ledger["escrow"]["shortfall_minor"] == 0
    assert f"covers all {len(live)} accepted lot(s) due" in ledger["message"]
    for lot in live:
        [contract] = ok(client.get(f"/v1/lots/{lot['id']}/contracts", headers=buyer.headers))
        assert contract["status"] == "awaiting-signatures"
        url = f"/v1/contracts/{contract['id']}"
        ok(client.post(f"{url}/signatures", headers=buyer.headers), 201)
        signed = ok(client.post(f"{url}/signatures", headers=world.maker_of(lot).headers), 201)
        assert signed["status"] == "signed" and len(signed["signatures"]) == 2
        verification = ok(client.get(f"{url}/verification", headers=buyer.headers))
        assert verification["ok"] and verification["failures"] == []
        assert ok(client.get(f"/v1/lots/{lot['id']}", headers=buyer.headers))["state"] == (
            "CONTRACTED"
        )
    pdf = client.get(f"/v1/contracts/{contract['id']}/pdf", headers=buyer.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert ok(client.get(f"/v1/orders/{order_id}", headers=buyer.headers))["state"] == (
        "IN_PROGRESS"
    )
    return total


def _make_inspect_and_deliver(world: World, lot_id: str) -> None:
    client, buyer, inspector = world.client, world.buyer, world.inspector
    lot = ok(client.get(f"/v1/lots/{lot_id}", headers=buyer.headers))
    maker = world.maker_of(lot)
    if_match = {**buyer.headers, "If-Match": f'"v{lot["version"]}"'}
    body = {"inspector_org_id": inspector.org_id}
    assigned = client.post(f"/v1/lots/{lot_id}/inspector", json=body, headers=if_match)
    assert ok(assigned)["inspector_org_id"] == inspector.org_id

    delegated = client.put(f"/v1/lots/{lot_id}/prototype-approval", json={"delegated": True},
                           headers=buyer.headers)  # fmt: skip
    assert ok(delegated)["delegated"] is True
    photo = _upload(world, maker, f"prototype-{lot_id[:8]}.jpg")
    _lot_action(world, maker, lot_id, "submit-prototype", evidence_sha256=[photo])
    review = _upload(world, inspector, f"review-{lot_id[:8]}.jpg")
    approved = _lot_action(world, inspector, lot_id, "review-prototype", approve=True,
                           evidence_sha256=[review])  # fmt: skip
    assert approved["state"] == "PROTOTYPE_APPROVED"
    _lot_action(world, maker, lot_id, "start-production")
    _lot_action(world, maker, lot_id, "submit_for_inspection")

    [task] = ok(client.get(f"/v1/lots/{lot_id}/inspections", headers=inspector.headers))
    assert task["status"] == "open" and task["lot_size"] == lot["quantity"]
    assert 0 < task["sample_size"] < task["lot_size"]  # an ISO 2859-1 sample, not every unit
    assert set(task["plans"]) == {"major", "minor"}
    record = _upload(world, inspector, f"inspection-{lot_id[:8]}.pdf")
    result = ok(client.post(f"/v1/inspections/{task['id']}/results", json={
        "defects_found": {"major": 0, "minor": 1}, "evidence_sha256": [record],
        "measurements": {"width_mm": "19.8"}}, headers=inspector.headers))  # fmt: skip
    assert result["verdict"] == "accept" and result["status"] == "done"
    assert ok(client.get(f"/v1/lots/{lot_id}", headers=buyer.headers))["state"] == "LOT_ACCEPTED"

    waybill = _upload(world, maker, f"waybill-{lot_id[:8]}.pdf")
    _lot_action(world, maker, lot_id, "ship", evidence_sha256=[waybill])
    paid = _lot_action(world, buyer, lot_id, "deliver")
    assert paid["state"] == "PAID"  # the delivery milestone emptied the escrow


def _check_report(world: World, order_id: str, lot_ids: list[str]) -> None:
    """After delivery the buyer reads what the order cost and saved; a maker its own lots."""
    client, buyer = world.client, world.buyer
    report = ok(client.get(f"/v1/orders/{order_id}/report", headers=buyer.headers))
    assert report["complete"] is True and report["currency"] == "EUR"
    assert report["units_delivered"] == report["units_ordered"] == ORDER_QUANTITY
    assert {lot["lot_id"] for lot in report["lots"]} == set(lot_ids)
    live = [ok(client.get(f"/v1/lots/{i}", headers=buyer.headers)) for i in lot_ids]
    values = sum(lot["quantity"] * lot["unit_price_minor"] for lot in live)
    assert report["manufacturing_minor"] == values
    assert report["cost_minor"] == values + report["logistics_minor"]
    assert report["logistics_minor"] > 0  # the plan ships the shields to Nairobi
    assert all(lot["delivered_on"] is not None for lot in report["lots"])
    assert report["lots_on_time"] + report["lots_late"] == len(lot_ids)
    against = {c["baseline"]: c for c in report["comparisons"]}
    assert {"centralised", "nearest"} <= set(against)
    for c in against.values():
        assert c["saved_minor"] == c["cost_minor"] - report["cost_minor"]
    assert report["co2e_kg"] is not None and report["co2e_kg"] > 0
    assert any("retail price" in note for note in report["notes"])  # none recorded here
    # a manufacturer sees the report of its own lots only
    maker = world.maker_of(live[0])
    mine = ok(client.get(f"/v1/orders/{order_id}/report", headers=maker.headers))
    assert {lot["lot_id"] for lot in mine["lots"]} == {
        lot["id"] for lot in live if world.maker_of(lot) == maker
    }


def test_order_journey_over_http(world: World) -> None:
    client, buyer = world.client, world.buyer
    order_id, lots = _match_plan_and_award(world)
    lot_ids = _answer_invitations(world, order_id, lots)
    total = _sign_and_fund(world, order_id, lot_ids)
    for lot_id in lot_ids:
        _make_inspect_and_deliver(world, lot_id)

    ledger = ok(client.get(f"/v1/orders/{order_id}/ledger", headers=buyer.headers))
    balances = {b["account"]: b["balance_minor"] for b in ledger["balances"]}
    assert all(balances[escrow(lot_id)] == 0 for lot_id in lot_ids)
    paid_out = sum(balances.get(payable(m.org_id), 0) for m in world.makers)
    assert 0.97 * total < paid_out < total  # everything released, less the platform fee

    for lot_id in lot_ids:
        assert _lot_action(world, buyer, lot_id, "close")["state"] == "CLOSED"
    assert ok(client.get(f"/v1/orders/{order_id}", headers=buyer.headers))["state"] == "COMPLETED"

    _check_report(world, order_id, lot_ids)

    events = ok(client.get(f"/v1/events?object_id={lot_ids[0]}", headers=buyer.headers))
    kinds = [e["event_type"] for e in events]
    assert kinds[:3] == ["lot.invite", "lot.accept", "lot.contract"]
    assert kinds[-1] == "lot.close" and "lot.confirm_delivery" in kinds
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)

    problem(client.get("/v1/audit/verification", headers=buyer.headers), 403)
    chain = ok(client.get("/v1/audit/verification", headers=world.operator.headers))
    assert chain["ok"] is True and chain["checked"] > 60


def test_a_short_deposit_through_the_api_says_which_lots_wait(world: World) -> None:
    client, buyer = world.client, world.buyer
    order_id, lots = _match_plan_and_award(world)
    lot_ids = _answer_invitations(world, order_id, lots)
    live = [ok(client.get(f"/v1/lots/{i}", headers=buyer.headers)) for i in lot_ids]
    values = [lot["quantity"] * lot["unit_price_minor"] for lot in live]
    short = sum(values) - min(values)
    answer = ok(client.post(f"/v1/orders/{order_id}/funding",
                            json={"amount_minor": short, "reference": "bank-short"},
                            headers=buyer.headers))  # fmt: skip
    assert len(answer["uncovered_lot_ids"]) >= 1
    assert answer["escrow"]["shortfall_minor"] > 0
    assert "not covered" in answer["message"] and "pay at least" in answer["message"]
