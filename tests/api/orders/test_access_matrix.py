"""Every order route x every kind of caller: no token, a read-only token, a foreign organisation,
the manufacturer of another lot, an inspection body not assigned, the assigned inspector, the
lot's own manufacturer, the buyer, the platform operator.

The routes come from the application, so a new route of these modules without an entry here
fails. A refused call must not reveal the id of any object the caller may not see (ids the
caller sent itself are not news to it); listings a caller may read must leave them out too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from fabnet.domain.orders.states import LotAction
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.services.platform.files import store_bytes

from .conftest import DESIGN_ID, Member, World, awarded_order, order_body

#: The OpenAPI tags of the routers under test (match, orders, plans, lots, files, contracts,
#: inspections, payments, events).
ORDER_TAGS = {"matching", "orders", "plans", "lots", "files", "contracts", "inspections",
              "payments", "audit"}  # fmt: skip
#: Callers who hold no role on the object under test: what they get must not name it.
OUTSIDERS = ("stranger", "other_maker", "other_inspector")


@dataclass
class Scene:
    """Order A of the buyer: lot 1 at maker A is contracted and waits for inspection by the
    assigned inspector; lot 2 at maker B is accepted; lot 3 is invited."""

    ids: dict[str, str]
    callers: dict[str, Member | None]
    hidden: dict[str, set[str]] = field(default_factory=dict)


@pytest.fixture
def scene(world: World) -> Scene:
    db, settings = world.db, world.settings
    awarded = awarded_order(world)
    lot1, lot2, lot3 = awarded.lots
    buyer = world.buyer.principal
    maker_a, maker_b = world.maker_of(lot1), world.maker_of(lot2)
    lots.accept_lot(db, maker_a.principal, lot1.id)
    lots.accept_lot(db, maker_b.principal, lot2.id)
    [c1] = contracts.list_lot_contracts(db, buyer, lot1.id)
    [c2] = contracts.list_lot_contracts(db, buyer, lot2.id)
    payments.fund_order(db, buyer, awarded.order_id, c1.terms.total_minor, reference="pay-1")
    for signer in (buyer, maker_a.principal):
        contracts.sign_contract(db, signer, c1.id, settings=settings)
    inspections.assign_inspector(db, buyer, lot1.id, world.inspector.org_id)
    lots.delegate_prototype_approval(db, buyer, lot1.id)
    photo = store_bytes(db, world.file_store(), b"prototype", original_name="p.jpg").sha256
    lots.submit_prototype(db, maker_a.principal, lot1.id, [photo])
    lots.review_prototype(db, world.inspector.principal, lot1.id, approve=True,
                          evidence_sha256=[photo])  # fmt: skip
    for action in (LotAction.START_PRODUCTION, LotAction.SUBMIT_FOR_INSPECTION):
        lots.act_on_lot(db, maker_a.principal, lot1.id, action)
    [task] = inspections.lot_inspections(db, buyer, lot1.id)
    ids = {
        "order": awarded.order_id,
        "plan": awarded.plan_id,
        "lot": lot1.id,
        "lot2": lot2.id,
        "lot3": lot3.id,
        "contract": c1.id,
        "contract2": c2.id,
        "inspection": task.id,
        "facility": lot1.facility_id,
        "evidence": photo,
    }
    everything = {v for k, v in ids.items() if k not in ("facility", "evidence")}
    lot1_objects = {ids["lot"], ids["lot3"], ids["contract"], ids["inspection"]}
    return Scene(
        ids=ids,
        callers={
            "anonymous": None,
            "reader": world.buyer_reader,
            "stranger": world.stranger,
            "other_maker": maker_b,
            "other_inspector": world.other_inspector,
            "inspector": world.inspector,
            "maker": maker_a,
            "operator": world.operator,
            "buyer": world.buyer,
        },
        hidden={
            "stranger": everything,
            "other_inspector": everything,
            # maker B sees the order's header (and so its plan id) and its own lot only
            "other_maker": lot1_objects,
        },
    )


@dataclass(frozen=True)
class Entry:
    """One route: the URL (``{name}`` filled from the scene), the body, and the status each
    caller gets. Callers left out are not called; ``anonymous`` always gets 401."""

    url: str
    expect: Mapping[str, int]
    json: dict[str, Any] | None = None
    upload: bool = False


SEES_ALL = {"reader": 200, "stranger": 200, "other_maker": 200, "other_inspector": 200,
            "buyer": 200}  # fmt: skip
ORDER_READ = {"reader": 200, "stranger": 404, "other_maker": 200, "other_inspector": 404,
              "inspector": 200, "maker": 200, "buyer": 200}  # fmt: skip
LOT_READ = {"reader": 200, "stranger": 404, "other_maker": 404, "other_inspector": 404,
            "inspector": 200, "maker": 200, "buyer": 200}  # fmt: skip
LOT_WRITE_REFUSED = {"reader": 403, "stranger": 404, "other_maker": 404, "other_inspector": 404}
DEMAND_ONLY = {"reader": 200, "stranger": 404, "other_maker": 404, "other_inspector": 404,
               "inspector": 404, "maker": 404, "buyer": 200, "operator": 200}  # fmt: skip
ORDER_WRITE_REFUSED = {"reader": 403, "stranger": 404, "other_maker": 403,
                       "other_inspector": 404, "inspector": 403, "maker": 403}  # fmt: skip


def entries(ids: Mapping[str, str]) -> dict[tuple[str, str], Entry]:
    order, lot, contract = ids["order"], ids["lot"], ids["contract"]
    inspection, plan = ids["inspection"], ids["plan"]
    return {
        ("POST", "/v1/match"): Entry("/v1/match", SEES_ALL, json={"design_id": DESIGN_ID}),
        ("GET", "/v1/match/why-not"): Entry(
            f"/v1/match/why-not?design_id={DESIGN_ID}&part=splint&facility_id={ids['facility']}",
            SEES_ALL,
        ),
        ("GET", "/v1/facilities/{facility_id}/designs"): Entry(
            f"/v1/facilities/{ids['facility']}/designs", SEES_ALL
        ),
        ("POST", "/v1/orders"): Entry(
            "/v1/orders",
            {"reader": 403, "stranger": 201, "buyer": 201},
            json=order_body(name="Another order"),
        ),
        ("GET", "/v1/orders"): Entry("/v1/orders", {**SEES_ALL, "inspector": 200}),
        ("GET", "/v1/orders/{order_id}"): Entry(f"/v1/orders/{order}", ORDER_READ),
        # the order is ALLOCATED: specifying it again is refused by the life cycle
        ("POST", "/v1/orders/{order_id}/actions/{action}"): Entry(
            f"/v1/orders/{order}/actions/specify", {**ORDER_WRITE_REFUSED, "buyer": 409}
        ),
        # the order is ALLOCATED: its terms are fixed; a permission needs a stored file
        ("PUT", "/v1/orders/{order_id}/terms"): Entry(
            f"/v1/orders/{order}/terms", {**ORDER_WRITE_REFUSED, "buyer": 409}, json={}
        ),
        ("POST", "/v1/orders/{order_id}/licensor-permission"): Entry(
            f"/v1/orders/{order}/licensor-permission",
            {**ORDER_WRITE_REFUSED, "buyer": 422},
            json={"evidence_sha256": "0" * 64},
        ),
        ("POST", "/v1/orders/{order_id}/plans"): Entry(
            f"/v1/orders/{order}/plans", {**ORDER_WRITE_REFUSED, "buyer": 409}, json={}
        ),
        ("POST", "/v1/orders/{order_id}/plan-jobs"): Entry(
            f"/v1/orders/{order}/plan-jobs", {**ORDER_WRITE_REFUSED, "buyer": 409}, json={}
        ),
        ("POST", "/v1/orders/{order_id}/award"): Entry(
            f"/v1/orders/{order}/award",
            {**ORDER_WRITE_REFUSED, "buyer": 409},
            json={"plan_id": plan},
        ),
        ("GET", "/v1/orders/{order_id}/lots"): Entry(f"/v1/orders/{order}/lots", ORDER_READ),
        # the report: the demand side sees the order's, a manufacturer or inspector its lots'
        ("GET", "/v1/orders/{order_id}/report"): Entry(f"/v1/orders/{order}/report", ORDER_READ),
        ("GET", "/v1/plans/{plan_id}"): Entry(f"/v1/plans/{plan}", DEMAND_ONLY),
        ("GET", "/v1/lots/{lot_id}"): Entry(f"/v1/lots/{lot}", LOT_READ),
        # the lot waits for its inspection: the life cycle refuses to ship it, whoever asks
        ("POST", "/v1/lots/{lot_id}/actions/{action}"): Entry(
            f"/v1/lots/{lot}/actions/ship",
            {**LOT_WRITE_REFUSED, "inspector": 409, "maker": 409, "buyer": 409},
            json={"evidence_sha256": [ids["evidence"]]},
        ),
        ("GET", "/v1/lots/{lot_id}/contracts"): Entry(f"/v1/lots/{lot}/contracts", LOT_READ),
        ("GET", "/v1/lots/{lot_id}/replan"): Entry(f"/v1/lots/{lot}/replan", LOT_READ),
        ("GET", "/v1/lots/{lot_id}/prototype-approval"): Entry(
            f"/v1/lots/{lot}/prototype-approval", LOT_READ
        ),
        # only the demand side delegates; the lot's prototype is approved: too late to change
        ("PUT", "/v1/lots/{lot_id}/prototype-approval"): Entry(
            f"/v1/lots/{lot}/prototype-approval",
            {**LOT_WRITE_REFUSED, "inspector": 403, "maker": 403, "buyer": 409},
            json={"delegated": False},
        ),
        # an inspection body may not assign itself; the manufacturer may not choose its own
        ("POST", "/v1/lots/{lot_id}/inspector"): Entry(
            f"/v1/lots/{lot}/inspector",
            {**LOT_WRITE_REFUSED, "inspector": 403, "maker": 403},
            json={"inspector_org_id": "PLACEHOLDER_OTHER_INSPECTOR"},
        ),
        ("GET", "/v1/lots/{lot_id}/inspections"): Entry(f"/v1/lots/{lot}/inspections", LOT_READ),
        ("POST", "/v1/files"): Entry(
            "/v1/files", {"reader": 403, "stranger": 201, "maker": 201, "buyer": 201}, upload=True
        ),
        ("GET", "/v1/contracts/{contract_id}"): Entry(f"/v1/contracts/{contract}", LOT_READ),
        # both parties have signed: signing again is a conflict, others are not signers
        ("POST", "/v1/contracts/{contract_id}/signatures"): Entry(
            f"/v1/contracts/{contract}/signatures",
            {**LOT_WRITE_REFUSED, "inspector": 403, "maker": 409, "buyer": 409},
        ),
        ("GET", "/v1/contracts/{contract_id}/verification"): Entry(
            f"/v1/contracts/{contract}/verification", LOT_READ
        ),
        ("GET", "/v1/contracts/{contract_id}/pdf"): Entry(
            f"/v1/contracts/{contract}/pdf", {**LOT_READ, "reader": 200}
        ),
        # rendering the PDF in the background is a read: whoever may read it may queue it
        ("POST", "/v1/contracts/{contract_id}/pdf-jobs"): Entry(
            f"/v1/contracts/{contract}/pdf-jobs",
            {k: 202 if v == 200 else v for k, v in LOT_READ.items()},
        ),
        ("GET", "/v1/inspections/{inspection_id}"): Entry(
            f"/v1/inspections/{inspection}", LOT_READ
        ),
        # the manufacturer may not judge its own lot
        ("POST", "/v1/inspections/{inspection_id}/results"): Entry(
            f"/v1/inspections/{inspection}/results",
            {**LOT_WRITE_REFUSED, "maker": 403},
            json={"defects_found": {"major": 0, "minor": 0}, "evidence_sha256": [ids["evidence"]]},
        ),
        ("POST", "/v1/orders/{order_id}/funding"): Entry(
            f"/v1/orders/{order}/funding",
            {**ORDER_WRITE_REFUSED, "buyer": 200},
            json={"amount_minor": 100, "reference": "pay-2"},
        ),
        ("GET", "/v1/orders/{order_id}/ledger"): Entry(f"/v1/orders/{order}/ledger", ORDER_READ),
        # escrow due per lot: the demand side's business (manufacturers and inspectors: 404)
        ("GET", "/v1/orders/{order_id}/escrow"): Entry(f"/v1/orders/{order}/escrow", DEMAND_ONLY),
        ("GET", "/v1/events"): Entry(f"/v1/events?object_id={lot}", LOT_READ),
        ("GET", "/v1/audit/verification"): Entry(
            "/v1/audit/verification",
            {"reader": 403, "stranger": 403, "other_maker": 403, "buyer": 403, "operator": 200},
        ),
    }


def _app_routes(world: World) -> set[tuple[str, str]]:
    """(method, path) of every operation the application documents under the order tags."""
    document = world.client.get("/openapi.json").json()
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if ORDER_TAGS & set(operation.get("tags", ()))
    }


def test_every_order_route_answers_each_caller_as_expected(world: World, scene: Scene) -> None:
    table = entries(scene.ids)
    assert _app_routes(world) == set(table), "give every order route an entry in the matrix"
    failures: list[str] = []
    for (method, path), entry in table.items():
        json = entry.json
        if json is not None and json.get("inspector_org_id") == "PLACEHOLDER_OTHER_INSPECTOR":
            json = {"inspector_org_id": world.other_inspector.org_id}
        for name, expected in {"anonymous": 401, **entry.expect}.items():
            member = scene.callers[name]
            headers = {} if member is None else member.headers
            if entry.upload:
                response = world.client.post(entry.url, headers=headers,
                                             files={"file": ("e.jpg", b"evidence")})  # fmt: skip
            else:
                response = world.client.request(method, entry.url, headers=headers, json=json)
            if response.status_code != expected:
                failures.append(f"{method} {path} as {name}: {response.status_code} "
                                f"(expected {expected}) {response.text[:200]}")  # fmt: skip
                continue
            if expected >= 400:
                assert response.headers["content-type"] == "application/problem+json"
            sent = entry.url + str(json or "")
            hidden = scene.hidden.get(name, set())
            leaked = {i for i in hidden if i in response.text and i not in sent}
            if leaked:
                failures.append(f"{method} {path} as {name} reveals {sorted(leaked)}")
    assert not failures, "\n".join(failures)
