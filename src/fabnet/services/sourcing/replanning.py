"""Re-planning one lot's open quantity: a lot that was declined, expired or terminated is planned
again among the facilities not yet tried, for the destinations it still owes; an assembly step
re-routes the parts already being made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility
from fabnet.domain.plan import Destination, DestinationKind
from fabnet.engine.logistics import TransportModel
from fabnet.engine.matching import MatchRequest, MatchResult, match_design
from fabnet.engine.planning import problem as pp
from fabnet.engine.proposal import proposed_lots
from fabnet.engine.sourcing import (
    DeliveryInput,
    ProductInput,
    build_sourcing_problem,
)
from fabnet.errors import InputError, NotFoundError
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.sourcing._ordering import (
    PlanOverrides,
    ResolvedPoint,
    candidate_facilities,
    match_request,
    planning_options,
    quoted_hours,
    solve_sourcing,
)
from fabnet.services.sourcing._records import (
    LotRef,
    PlanRecord,
    get_plan,
    lot_json,
    override_lots,
    store_plan,
)
from fabnet.services.sourcing.matching import facility_index
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.plans import PlanRepository

REPLAN_LATENESS_PER_UNIT_DAY = 1.0
"""A re-plan may arrive late rather than not at all: lateness is priced at the order's own
penalty, or at this much per unit and day (in the order's currency) when the order set none."""


# --- re-planning one lot ------------------------------------------------------------------------


def replan_lot(
    db: Database,
    plan_id: str,
    lot: LotRef,
    *,
    exclude_facility_ids: Collection[str],
    order_id: str | None = None,
    today: dt.date | None = None,
    only_facility_ids: Collection[str] | None = None,
) -> PlanRecord:
    """Re-plan the open quantity of ``lot`` without the excluded facilities (and, when
    ``only_facility_ids`` is given, among those only: e.g. facilities run by a manufacturer on
    the platform, who can be invited).

    - A part or single-part-product lot: the same quantities to the same destinations (assembly
      sites or delivery points), made elsewhere.
    - An assembly lot: the assembly moves to another capable site; the parts already planned for
      the old site are re-routed there (they come back as ``existing`` lots of their makers).
    """
    parent = get_plan(db, plan_id)
    spec = parent.spec
    stored_inputs = _plan_inputs(db, plan_id)
    lot = _complete_ref(lot, parent, stored_inputs)
    today = today or dt.date.fromisoformat(stored_inputs["today"])
    exclude = set(exclude_facility_ids) | {lot.facility_id}
    allowed = None if only_facility_ids is None else frozenset(only_facility_ids)
    points = {p["id"]: p for p in stored_inputs["delivery_points"]}
    design = resolve_design(db, lot.design_id)
    index = facility_index(db)
    sites = _site_points(db, lot.destinations, points, lot.due_days)
    request = match_request(spec, [ResolvedPoint(**(p | {"demand": {}})) for p in points.values()])
    if lot.kind == "assembly":
        return _replan_assembly(
            db,
            parent,
            lot,
            design,
            index,
            request,
            exclude,
            points,
            stored_inputs,
            order_id,
            allowed,
        )
    part = design.part(lot.item_id)
    sub_design = design.model_copy(
        update={"parts": (part,), "assemblies": (), "root_assembly_id": None}
    )
    match = match_design(index, design, request)
    sub_match = MatchResult(
        design_id=design.id, parts=tuple(pm for pm in match.parts if pm.part == part.id)
    )
    key = lot.product_key or lot.item_id
    facilities = candidate_facilities(db, [sub_match], exclude, allowed)
    sourcing = build_sourcing_problem(
        [ProductInput(key, sub_design, sub_match, quoted_hours(db, design))],
        [
            DeliveryInput(
                s.id, s.latitude, s.longitude, s.country, {key: s.quantity}, s.due_days, s.label
            )
            for s in sites
        ],
        facilities,
        options=_replan_options(spec),
        transport=TransportModel.default(),
        currency=spec.currency,
        horizon_days=_order_horizon(stored_inputs),
    )
    result = solve_sourcing(sourcing)
    lots = proposed_lots(sourcing, result) if result.has_plan else ()
    # The sub-problem ships "products" to the old destinations: give them back their real kind.
    site_kind = {s.id: s.kind for s in sites}
    fixed = tuple(
        new.model_copy(
            update={
                "kind": lot.kind,
                "destinations": tuple(
                    d.model_copy(update={"kind": site_kind[d.id]}) for d in new.destinations
                ),
            }
        )
        for new in lots
    )
    inputs = stored_inputs | {"replan_of": lot_json(lot), "excluded_facility_ids": sorted(exclude)}
    record = store_plan(
        db, sourcing, result, inputs, order_id=order_id or parent.order_id, parent=plan_id
    )
    return override_lots(db, record, fixed)


def _complete_ref(lot: LotRef, parent: PlanRecord, inputs: Mapping[str, Any]) -> LotRef:
    if lot.product_key is not None and (lot.due_days is not None or not lot.destinations):
        return lot
    same = next(
        (
            p
            for p in parent.lots
            if (p.facility_id, p.kind, p.item_id, p.design_id)
            == (lot.facility_id, lot.kind, lot.item_id, lot.design_id)
        ),
        None,
    )
    key = lot.product_key or (same.product_key if same else None)
    if key is None:
        designs = inputs.get("designs", {})
        key = next((k for k, d in designs.items() if d.get("id") == lot.design_id), None)
    if key is None:
        raise InputError(
            f"design {lot.design_id} is not a product of the plan {parent.id}",
            field="lot.design_id",
        )
    due = lot.due_days if lot.due_days is not None else (same.due_days if same else None)
    if due is None:
        dues = {p["id"]: p.get("due_days") for p in inputs.get("delivery_points", [])}
        known = [
            dues[d.id] - d.transit_days
            for d in lot.destinations
            if d.kind == "delivery_point" and dues.get(d.id) is not None
        ]
        due = min(known) if known else None
    return replace(lot, product_key=key, due_days=due)


@dataclass(frozen=True)
class _Site:
    id: str
    kind: DestinationKind
    label: str
    latitude: float
    longitude: float
    country: str | None
    due_days: float | None
    quantity: int


def _site_points(
    db: Database,
    destinations: Sequence[Destination],
    points: Mapping[str, Mapping[str, Any]],
    lot_due: float | None,
) -> list[_Site]:
    sites: list[_Site] = []
    facility_ids = [d.id for d in destinations if d.kind == "assembly_site"]
    with db.read() as session:
        facs = {f.id: f for f in FacilityRepository(session).get_many(facility_ids)}
    for d in destinations:
        if d.kind == "delivery_point":
            p = points[d.id]
            sites.append(
                _Site(
                    d.id,
                    "delivery_point",
                    str(p["label"]),
                    float(p["latitude"]),
                    float(p["longitude"]),
                    p.get("country"),
                    p.get("due_days"),
                    d.quantity,
                )
            )
        else:
            f = facs[d.id]
            due = None if lot_due is None else lot_due + d.transit_days
            sites.append(
                _Site(
                    d.id,
                    "assembly_site",
                    f.name,
                    float(f.location.latitude or 0),
                    float(f.location.longitude or 0),
                    f.location.country,
                    due,
                    d.quantity,
                )
            )
    return sites


def _plan_inputs(db: Database, plan_id: str) -> dict[str, Any]:
    with db.read() as session:
        row = PlanRepository(session).get(plan_id)
        if row is None:
            raise NotFoundError(f"no plan with id {plan_id}")
        return dict(row.inputs)


def _replan_options(spec: OrderSpec) -> pp.PlanningOptions:
    options = planning_options(spec, PlanOverrides())
    if options.lateness_penalty_per_unit_day is None:
        options = replace(options, lateness_penalty_per_unit_day=REPLAN_LATENESS_PER_UNIT_DAY)
    return options


def _order_horizon(inputs: Mapping[str, Any]) -> float | None:
    dues = [p["due_days"] for p in inputs.get("delivery_points", []) if p.get("due_days")]
    return float(max(dues)) if dues else None


def _replan_assembly(
    db: Database,
    parent: PlanRecord,
    lot: LotRef,
    design: Design,
    index: Any,
    request: MatchRequest,
    exclude: set[str],
    points: Mapping[str, Mapping[str, Any]],
    stored_inputs: dict[str, Any],
    order_id: str | None,
    allowed: Collection[str] | None,
) -> PlanRecord:
    """Move an assembly step: parts keep their makers (at no new production cost), the planner
    picks the new site and the routes in and out."""
    feeding = [
        old
        for old in parent.lots
        if old.kind == "part"
        and old.product_key == lot.product_key
        and any(d.kind == "assembly_site" and d.id == lot.facility_id for d in old.destinations)
    ]
    match = match_design(index, design, request)
    facilities = candidate_facilities(db, [match], exclude, allowed)
    with db.read() as session:
        makers = {
            f.id: f
            for f in FacilityRepository(session).get_many([old.facility_id for old in feeding])
        }
    facilities.update(makers)
    spec = parent.spec
    key = lot.product_key or lot.item_id
    sourcing = build_sourcing_problem(
        [ProductInput(key, design, match, quoted_hours(db, design))],
        [
            DeliveryInput(
                d.id,
                float(points[d.id]["latitude"]),
                float(points[d.id]["longitude"]),
                points[d.id].get("country"),
                {key: d.quantity},
                points[d.id].get("due_days"),
                str(points[d.id]["label"]),
            )
            for d in lot.destinations
            if d.kind == "delivery_point"
        ],
        facilities,
        options=_replan_options(spec),
        transport=TransportModel.default(),
        currency=spec.currency,
        horizon_days=_order_horizon(stored_inputs),
    )
    # Parts may only come from their current makers, for the quantities they already make for
    # the old site, at no extra production cost.
    supplied: dict[tuple[str, str], int] = defaultdict(int)
    for old in feeding:
        uid = f"{old.product_key}/{old.item_id}"
        for d in old.destinations:
            if d.kind == "assembly_site" and d.id == lot.facility_id:
                supplied[(uid, old.facility_id)] += d.quantity
    problem = sourcing.problem
    candidates = tuple(
        pp.Candidate(
            part_id=uid,
            facility_id=fid,
            unit_cost=0.0,
            setup_cost=0.0,
            capacity=float(qty),
            lead_time_days=0.0,
        )
        for (uid, fid), qty in supplied.items()
    )
    assembly_candidates = tuple(
        c for c in problem.assembly_candidates if c.facility_id not in exclude
    )
    used = {c.facility_id for c in candidates} | {c.facility_id for c in assembly_candidates}
    problem = replace(
        problem,
        candidates=candidates,
        assembly_candidates=assembly_candidates,
        facilities=tuple(f for f in _all_plan_facilities(facilities) if f.id in used),
    )
    sourcing = replace(
        sourcing, problem=problem, facility_names={fid: facilities[fid].name for fid in used}
    )
    result = solve_sourcing(sourcing)
    lots = proposed_lots(sourcing, result) if result.has_plan else ()
    marked = tuple(x.model_copy(update={"existing": True}) if x.kind == "part" else x for x in lots)
    inputs = stored_inputs | {"replan_of": lot_json(lot), "excluded_facility_ids": sorted(exclude)}
    record = store_plan(
        db, sourcing, result, inputs, order_id=order_id or parent.order_id, parent=parent.id
    )
    return override_lots(db, record, marked)


def _all_plan_facilities(facilities: Mapping[str, Facility]) -> list[pp.Facility]:
    return [
        pp.Facility(
            id=f.id,
            lat=float(f.location.latitude),
            lon=float(f.location.longitude),
            country=f.location.country,
            region=f.location.region,
        )
        for f in facilities.values()
        if f.location.latitude is not None and f.location.longitude is not None
    ]
