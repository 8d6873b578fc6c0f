"""Planning's private floor for stored plans: the plan record, its JSON, and the rows it is
stored in."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from fabnet.domain.plan import Destination, LotKind, ProposedLot
from fabnet.engine.planning.result import PlanResult
from fabnet.engine.proposal import proposed_lots
from fabnet.engine.sourcing import (
    SourcingProblem,
    plan_geojson,
)
from fabnet.errors import NotFoundError
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.identity import aware
from fabnet.storage.plans import PlanRepository, PlanRow


@dataclass(frozen=True)
class LotRef:
    """What re-planning needs of a lot whose quantity is open: the planner's fields of the lot.

    ``product_key`` and ``due_days`` may be left out: they are taken from the plan the lot came
    from, or from the order (the product whose design it is; the due dates of its delivery points).
    """

    kind: LotKind
    design_id: str
    item_id: str
    quantity: int
    destinations: tuple[Destination, ...]
    facility_id: str
    product_key: str | None = None
    due_days: float | None = None


@dataclass(frozen=True)
class PlanRecord:
    id: str
    order_id: str | None
    parent_plan_id: str | None
    created_at: dt.datetime
    spec: OrderSpec
    status: str
    objective: float | None
    currency: str
    result_json: dict[str, Any]
    lots: tuple[ProposedLot, ...]
    geojson: dict[str, Any] = field(default_factory=dict)


def result_to_json(sourcing: SourcingProblem, result: PlanResult) -> dict[str, Any]:
    """The plan as JSON: the CLI's ``--json`` keys first, then the details."""
    ev = result.evaluation
    costs = result.costs
    out: dict[str, Any] = {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "currency": sourcing.currency,
        "flows": [
            {
                "item": f.item_id,
                "from": f.origin_facility_id,
                "from_name": sourcing.facility_names.get(f.origin_facility_id),
                "to": f.destination_id,
                "to_delivery_point": f.to_delivery_point,
                "mode": f.mode,
                "quantity": round(f.quantity, 6),
                "transport_cost": round(f.transport_cost, 2),
                "duty": round(f.duty, 2),
                "co2e_kg": round(f.co2e_kg, 3),
                "transit_days": round(f.transit_days, 2),
            }
            for f in result.flows
        ],
        "cost": None
        if costs is None
        else {
            "production": round(costs.production, 2),
            "setup": round(costs.setup, 2),
            "transport": round(costs.transport, 2),
            "duties": round(costs.duties, 2),
            "co2": round(costs.co2, 2),
            "lateness": round(costs.lateness, 2),
            "shortfall": round(costs.shortfall, 2),
            "landed": round(costs.landed, 2),
            "total": round(costs.total, 2),
        },
        "co2e_kg": None if result.co2e_kg is None else round(result.co2e_kg, 3),
        "baselines": [
            {
                "name": b.name,
                "description": b.description,
                "cost": round(b.evaluation.costs.landed, 2),
                "total_with_penalties": round(b.evaluation.costs.total, 2),
                "lateness_cost": round(b.evaluation.costs.lateness, 2),
                "co2e_kg": round(b.evaluation.co2e_kg, 3),
                "max_lead_time_days": round(b.evaluation.max_lead_time_days, 2),
                "mean_lead_time_days": round(b.evaluation.mean_lead_time_days, 2),
                "facilities_used": len(b.evaluation.facilities_used),
                "units_over_capacity": round(sum(b.evaluation.capacity_excess.values()), 2),
                "breaks": list(b.evaluation.violations),
                "late_delivery_points": sorted(
                    k for k, v in b.evaluation.late_days.items() if v > 1e-6
                ),
            }
            for b in result.baselines
        ],
        "savings": [asdict(s) for s in result.savings],
        "lead_time_days": {k: round(v, 2) for k, v in result.lead_time_days.items()},
        "local_share": result.local_share,
        "facilities_used": list(ev.facilities_used) if ev else [],
        "shortfall": [asdict(s) for s in ev.shortfall] if ev else [],
        "production": [asdict(p) for p in result.production],
        "assembly": [asdict(a) for a in result.assembly],
        "kits": _kits(sourcing),
        "binding_constraints": list(result.binding_constraints),
        "diagnosis": list(result.diagnosis),
        "notes": list(sourcing.notes),
        "facility_names": dict(sourcing.facility_names),
        "excluded_candidates": len(sourcing.exclusions),
        "exclusion_reasons": _exclusion_summary(sourcing),
    }
    return out


def _kits(sourcing: SourcingProblem) -> list[dict[str, Any]]:
    """Products delivered as kits: their parts go to the delivery points, whose recipients do
    the final assembly (no facility assembles them)."""
    out = []
    for key in sourcing.kits:
        ref = sourcing.items[key]
        parts = [
            uid
            for uid, item in sourcing.items.items()
            if item.kind == "part" and item.product_key == key
        ]
        points = [
            d.id
            for d in sourcing.problem.delivery_points
            if any(pid in parts and qty > 0 for pid, qty in d.demand)
        ]
        out.append(
            {
                "product": key,
                "design_id": ref.design_id,
                "assembly": ref.item_id,
                "assembled_by": "recipient",
                "parts": parts,
                "delivery_points": points,
            }
        )
    return out


def _exclusion_summary(sourcing: SourcingProblem) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for e in sourcing.exclusions:
        counts[e.reason] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def store_plan(
    db: Database,
    sourcing: SourcingProblem,
    result: PlanResult,
    inputs: dict[str, Any],
    *,
    order_id: str | None,
    parent: str | None,
) -> PlanRecord:
    lots = proposed_lots(sourcing, result) if result.has_plan else ()
    result_json = result_to_json(sourcing, result)
    geojson = plan_geojson(sourcing, result) if result.has_plan else {}
    inputs = inputs | {
        "problem": {
            "products": len(sourcing.problem.products),
            "parts": len(sourcing.problem.parts),
            "facilities": len(sourcing.problem.facilities),
            "candidates": len(sourcing.problem.candidates),
            "assembly_candidates": len(sourcing.problem.assembly_candidates),
            "delivery_points": len(sourcing.problem.delivery_points),
        },
        "items": {k: asdict(v) for k, v in sourcing.items.items()},
    }
    row = PlanRow(
        id=str(uuid.uuid4()),
        order_id=order_id,
        parent_plan_id=parent,
        created_at=dt.datetime.now(dt.UTC),
        status=result.status,
        objective=result.objective,
        currency=sourcing.currency,
        inputs=inputs,
        result=result_json | {"geojson": geojson},
        lots=[lot_json(lot) for lot in lots],
    )
    with db.transaction() as session:
        PlanRepository(session).add(row)
    return plan_record(row)


def lot_json(lot: ProposedLot | LotRef) -> dict[str, Any]:
    if isinstance(lot, ProposedLot):
        return lot.model_dump(mode="json")
    return asdict(lot) | {"destinations": [d.model_dump(mode="json") for d in lot.destinations]}


def lot_from_json(data: Mapping[str, Any]) -> ProposedLot:
    return ProposedLot.model_validate(data)


def plan_record(row: PlanRow) -> PlanRecord:
    result = dict(row.result)
    geojson = result.pop("geojson", {})
    return PlanRecord(
        id=row.id,
        order_id=row.order_id,
        parent_plan_id=row.parent_plan_id,
        created_at=aware(row.created_at),
        spec=OrderSpec.model_validate(row.inputs["spec"]),
        status=row.status,
        objective=row.objective,
        currency=row.currency,
        result_json=result,
        lots=tuple(lot_from_json(d) for d in row.lots),
        geojson=geojson,
    )


def get_plan(db: Database, plan_id: str) -> PlanRecord:
    with db.read() as session:
        row = PlanRepository(session).get(plan_id)
        if row is None:
            raise NotFoundError(f"no plan with id {plan_id}")
        return plan_record(row)


def plan_owner(db: Database, plan_id: str) -> str | None:
    """The organisation a plan made without an order belongs to (None: the local operator's)."""
    with db.read() as session:
        row = PlanRepository(session).get(plan_id)
        if row is None:
            raise NotFoundError(f"no plan with id {plan_id}")
        owner = row.inputs.get("owner_org_id")
        return owner if isinstance(owner, str) else None


def plans_for_order(db: Database, order_id: str) -> list[PlanRecord]:
    with db.read() as session:
        return [plan_record(r) for r in PlanRepository(session).for_order(order_id)]


def override_lots(db: Database, record: PlanRecord, lots: tuple[ProposedLot, ...]) -> PlanRecord:
    with db.transaction() as session:
        row = PlanRepository(session).get(record.id)
        assert row is not None
        row.lots = [lot_json(lot) for lot in lots]
    return replace(record, lots=lots)
