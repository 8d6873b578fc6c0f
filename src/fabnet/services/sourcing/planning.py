"""Planning use cases: plan an order, read a stored plan, re-plan one lot's open quantity.

``plan_order`` resolves the order file's designs (ids or OKH paths) and places (names or
coordinates), asks the matcher who can make every part and assembly step, turns the candidates
into a planning problem (:mod:`fabnet.engine.sourcing`), solves it with the network planner and
stores the plan with everything it was made from. The planner's flows become *proposed lots*: one
per (facility, part) and per (assembly site, product), in whole units, each with its
destinations and a due date that leaves time for the transit after it.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind
from fabnet.domain.plan import Destination, DestinationKind, LotKind, ProposedLot
from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.engine.matching import DeliveryPoint as MatchPoint
from fabnet.engine.matching import MatchRequest, MatchResult, match_design
from fabnet.engine.planning import problem as pp
from fabnet.engine.planning.result import PlanResult
from fabnet.engine.planning.rounding import whole_units
from fabnet.engine.planning.solve import solve
from fabnet.engine.sourcing import (
    DeliveryInput,
    ProductInput,
    SourcingProblem,
    build_sourcing_problem,
    plan_geojson,
)
from fabnet.errors import InputError, NotFoundError
from fabnet.geo.countries import country_code
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.catalogue.places import locate_place
from fabnet.services.catalogue.variants import expand_order_variants
from fabnet.services.sourcing.matching import facility_index
from fabnet.services.sourcing.quoting import part_process_times
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import OrganisationRow
from fabnet.storage.plans import PlanRepository, PlanRow

MAX_CANDIDATES_PER_PART = 100_000
REPLAN_LATENESS_PER_UNIT_DAY = 1.0
"""A re-plan may arrive late rather than not at all: lateness is priced at the order's own
penalty, or at this much per unit and day (in the order's currency) when the order set none."""


@dataclass(frozen=True)
class PlanOverrides:
    """Options given on the command line or in an API call, over those of the order file."""

    time_limit_s: float | None = None
    gap: float | None = None
    co2_price_per_t: float | None = None
    max_facilities: int | None = None

    def __post_init__(self) -> None:
        for name, value in (
            ("time_limit", self.time_limit_s),
            ("gap", self.gap),
            ("co2_price", self.co2_price_per_t),
        ):
            if value is not None and not math.isfinite(value):
                raise InputError(
                    f"{value} is not a number the solver can use",
                    field=name,
                    hint="give a finite number",
                )
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise InputError(
                "the time limit must be a positive number of seconds", field="time_limit"
            )
        if self.gap is not None and not 0 <= self.gap < 1:
            raise InputError("the gap is a fraction between 0 and 1 (0.01 = 1 %)", field="gap")
        if self.co2_price_per_t is not None and self.co2_price_per_t < 0:
            raise InputError("the CO2 price must not be negative", field="co2_price")
        if self.max_facilities is not None and self.max_facilities < 1:
            raise InputError("max facilities must be at least 1", field="max_facilities")


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


# --- resolving the order ------------------------------------------------------------------------


@dataclass(frozen=True)
class _ResolvedPoint:
    id: str
    label: str
    latitude: float
    longitude: float
    country: str | None
    due_days: float | None
    demand: Mapping[str, int]


def _resolve_design(db: Database, ref: str, base_dir: Path | None) -> Design:
    candidate = Path(ref)
    if base_dir is not None and not candidate.is_absolute():
        joined = base_dir / candidate
        if joined.suffix and joined.is_file():
            return resolve_design(db, str(joined))
    return resolve_design(db, ref)


def _resolve_points(spec: OrderSpec, today: dt.date) -> list[_ResolvedPoint]:
    points: list[_ResolvedPoint] = []
    for i, (dp, dp_id) in enumerate(
        zip(spec.delivery_points, spec.delivery_point_ids(), strict=True)
    ):
        if dp.place is not None:
            try:
                place = locate_place(dp.place)
            except InputError as exc:
                raise InputError(
                    exc.message, field=f"delivery_points[{i}].place", hint=exc.hint
                ) from None
            lat, lon, country = place.latitude, place.longitude, place.country
        else:
            assert dp.coordinates is not None
            lat, lon = dp.coordinates
            country = locate_place(f"{lat}, {lon}").country
        points.append(
            _ResolvedPoint(
                id=dp_id,
                label=dp.label,
                latitude=lat,
                longitude=lon,
                country=None if country == "ZZ" else country,
                due_days=spec.due_days(i, today),
                demand=dict(dp.demand),
            )
        )
    return points


def _options(spec: OrderSpec, overrides: PlanOverrides) -> pp.PlanningOptions:
    o = spec.options
    local = None
    if o.local_share is not None:
        local = pp.LocalShare(
            min_share=o.local_share.min_share,
            countries=frozenset(map(country_code, o.local_share.countries)),
            regions=frozenset(o.local_share.regions),
        )
    return pp.PlanningOptions(
        pinned_facilities=spec.matching.pin_facilities,
        co2_price_per_t=(
            overrides.co2_price_per_t
            if overrides.co2_price_per_t is not None
            else o.co2_price_per_t
        ),
        lateness_penalty_per_unit_day=o.lateness_penalty_per_unit_day,
        shortfall_penalty_per_unit=o.shortfall_penalty_per_unit,
        max_facilities=overrides.max_facilities or o.max_facilities,
        single_sourcing=o.single_sourcing,
        local_share=local,
        co2_budget_kg=o.co2_budget_kg,
        time_limit_s=overrides.time_limit_s or o.time_limit_s or 60.0,
        mip_gap=overrides.gap
        if overrides.gap is not None
        else (o.gap if o.gap is not None else 1e-4),
        allowed_modes=tuple(TransportMode(m) for m in o.modes),
    )


def _match_request(spec: OrderSpec, points: Sequence[_ResolvedPoint]) -> MatchRequest:
    m = spec.matching
    # Capability only (quantity 1): the planner splits quantities, so a facility too small for
    # the whole order still makes a share of it; capacities enter the plan as constraints.
    return MatchRequest(
        quantity=1,
        delivery_points=tuple(MatchPoint(p.latitude, p.longitude, p.label) for p in points),
        radius_km=m.radius_km,
        countries=frozenset(map(country_code, m.countries)) if m.countries else None,
        excluded_countries=frozenset(map(country_code, m.exclude_countries)),
        required_certifications=frozenset(m.require_certs),
        top_k=MAX_CANDIDATES_PER_PART,
        near_miss_k=3,
        include_synthetic=m.include_synthetic,
        currency=spec.currency,
    )


def _platform_facilities(db: Database) -> set[str]:
    """Facilities that a manufacturer organisation on the platform runs (they can be invited)."""
    with db.read() as session:
        rows = session.scalars(
            select(OrganisationRow).where(OrganisationRow.kind == OrgKind.MANUFACTURER.value)
        )
        return {fid for r in rows for fid in (r.facility_ids or [])}


def _candidate_facilities(
    db: Database,
    matches: Sequence[MatchResult],
    exclude: Collection[str],
    allowed: Collection[str] | None = None,
) -> dict[str, Facility]:
    found_ids = {c.facility_id for m in matches for pm in m.parts for c in pm.candidates}
    if allowed is not None:
        found_ids &= set(allowed)
    ids = sorted(found_ids - set(exclude))
    with db.read() as session:
        found = FacilityRepository(session).get_many(ids)
    return {f.id: f for f in found}


def _quoted_hours(db: Database, design: Design) -> dict[str, dict[str, float]]:
    """Machine hours per unit of every part and assembly step, from the design's geometry."""
    times = part_process_times(db, design)
    return {
        item: {process: t.hours_per_unit for process, t in by_process.items()}
        for item, by_process in times.items()
    }


def _uncovered_message(key: str, design: Design, match: MatchResult) -> str | None:
    if not match.uncovered_parts:
        return None
    parts = []
    for label in match.uncovered_parts:
        pm = match.part(label)
        misses = "; ".join(f"{n.facility_name} ({n.lacks})" for n in pm.near_misses[:2])
        parts.append(f"{pm.name} [{label}]" + (f", nearest misses: {misses}" if misses else ""))
    return (
        f"no facility can make {', '.join(parts)} of product {key!r} "
        f"(design {design.id}) under the order's constraints"
    )


# --- planning -----------------------------------------------------------------------------------


def plan_order(
    db: Database,
    spec: OrderSpec,
    *,
    base_dir: Path | None = None,
    exclude_facility_ids: Collection[str] = (),
    overrides: PlanOverrides | None = None,
    order_id: str | None = None,
    today: dt.date | None = None,
    owner_org_id: str | None = None,
) -> PlanRecord:
    """Match, build, solve and store a plan for ``spec``. See the module docstring.
    ``owner_org_id``: the organisation a plan without an order belongs to (it may read it at
    ``/v1/plans/{id}``)."""
    overrides = overrides or PlanOverrides()
    today = today or dt.datetime.now(dt.UTC).date()
    spec = expand_order_variants(db, spec, base_dir=base_dir)  # regional variants, if any
    designs = {p.ref: _resolve_design(db, p.design, base_dir) for p in spec.products}
    points = _resolve_points(spec, today)
    request = _match_request(spec, points)
    index = facility_index(db)
    matches = {key: match_design(index, design, request) for key, design in designs.items()}
    for key, design in designs.items():
        message = _uncovered_message(key, design, matches[key])
        if message:
            raise InputError(
                message,
                field=f"products[{key}]",
                hint="widen the radius or countries, or drop a requirement",
            )
    exclude_facility_ids = tuple(exclude_facility_ids) + spec.matching.exclude_facilities
    facilities = _candidate_facilities(
        db,
        list(matches.values()),
        exclude_facility_ids,
        _platform_facilities(db) if spec.matching.platform_only else None,
    )
    sourcing = build_sourcing_problem(
        [
            ProductInput(key, designs[key], matches[key], _quoted_hours(db, designs[key]))
            for key in designs
        ],
        [
            DeliveryInput(p.id, p.latitude, p.longitude, p.country, p.demand, p.due_days, p.label)
            for p in points
        ],
        facilities,
        options=_options(spec, overrides),
        transport=TransportModel.default(),
        currency=spec.currency,
    )
    result = _solve(sourcing)
    inputs = {
        "spec": spec.model_dump(mode="json"),
        "today": today.isoformat(),
        "designs": {
            k: {"id": d.id, "name": d.name, "version": d.version} for k, d in designs.items()
        },
        "delivery_points": [asdict(p) | {"demand": dict(p.demand)} for p in points],
        "excluded_facility_ids": sorted(exclude_facility_ids),
        "overrides": asdict(overrides),
        "owner_org_id": owner_org_id,
    }
    return _store(db, sourcing, result, inputs, order_id=order_id, parent=None)


def _solve(sourcing: SourcingProblem) -> PlanResult:
    return solve(sourcing.problem)


def proposed_lots(sourcing: SourcingProblem, result: PlanResult) -> tuple[ProposedLot, ...]:
    """Whole-unit lots from the planner's (possibly fractional) flows."""
    problem = sourcing.problem
    dues = {d.id: d.due_days for d in problem.delivery_points}
    units = whole_units(result.flows)
    out_flows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, flow in enumerate(result.flows):
        if units[i] > 0:
            out_flows[(flow.item_id, flow.origin_facility_id)].append(i)

    unit_cost = {(c.part_id, c.facility_id): c for c in problem.candidates}
    asm_cost = {(c.product_id, c.facility_id): c for c in problem.assembly_candidates}
    products = {p.id: p for p in problem.products}

    def destinations(item: str, facility: str) -> tuple[Destination, ...]:
        return tuple(
            Destination(
                kind="delivery_point" if result.flows[i].to_delivery_point else "assembly_site",
                id=result.flows[i].destination_id,
                quantity=units[i],
                transit_days=round(result.flows[i].transit_days, 2),
            )
            for i in out_flows.get((item, facility), [])
        )

    lots: list[ProposedLot] = []
    assembly_due: dict[tuple[str, str], float | None] = {}
    for asm in result.assembly:
        dests = destinations(asm.product_id, asm.facility_id)
        qty = sum(d.quantity for d in dests)
        if qty <= 0:
            continue
        ac = asm_cost[(asm.product_id, asm.facility_id)]
        due = _due(dests, dues)
        assembly_due[(asm.product_id, asm.facility_id)] = (
            None if due is None else due - ac.lead_time_days
        )
        ref = sourcing.items[asm.product_id]
        lots.append(
            _lot(
                sourcing,
                asm.facility_id,
                "assembly",
                ref.product_key,
                ref.design_id,
                ref.item_id,
                ref.name,
                qty,
                ac.unit_cost,
                ac.setup_cost,
                due,
                dests,
            )
        )
    for line in result.production:
        ref = sourcing.items[line.part_id]
        product = products[ref.product_key]
        item = line.part_id if product.assembled else ref.product_key
        dests = destinations(item, line.facility_id)
        qty = sum(d.quantity for d in dests)
        if qty <= 0:
            continue
        c = unit_cost[(line.part_id, line.facility_id)]
        if product.assembled:
            due_candidates = [assembly_due.get((ref.product_key, d.id)) for d in dests]
            known = [
                v - d.transit_days
                for v, d in zip(due_candidates, dests, strict=True)
                if v is not None
            ]
            due = min(known) if known else None
            kind: LotKind = "part"
        else:
            due = _due(dests, dues)
            kind = "product"
        lots.append(
            _lot(
                sourcing,
                line.facility_id,
                kind,
                ref.product_key,
                ref.design_id,
                ref.item_id,
                ref.name,
                qty,
                c.unit_cost,
                c.setup_cost,
                due,
                dests,
            )
        )
    return tuple(lots)


def _due(dests: Sequence[Destination], dues: Mapping[str, float | None]) -> float | None:
    known = [
        due - d.transit_days
        for d in dests
        if d.kind == "delivery_point" and (due := dues.get(d.id)) is not None
    ]
    return round(min(known), 2) if known else None


def _lot(
    sourcing: SourcingProblem,
    facility_id: str,
    kind: LotKind,
    key: str,
    design_id: str,
    item_id: str,
    name: str,
    qty: int,
    unit_cost: float,
    setup: float,
    due: float | None,
    dests: tuple[Destination, ...],
) -> ProposedLot:
    return ProposedLot(
        facility_id=facility_id,
        facility_name=sourcing.facility_names.get(facility_id, facility_id),
        kind=kind,
        product_key=key,
        design_id=design_id,
        item_id=item_id,
        item_name=name,
        quantity=qty,
        unit_price=round(unit_cost, 4),
        setup_cost=setup,
        due_days=due,
        destinations=dests,
    )


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
        "binding_constraints": list(result.binding_constraints),
        "diagnosis": list(result.diagnosis),
        "notes": list(sourcing.notes),
        "facility_names": dict(sourcing.facility_names),
        "excluded_candidates": len(sourcing.exclusions),
        "exclusion_reasons": _exclusion_summary(sourcing),
    }
    return out


def _exclusion_summary(sourcing: SourcingProblem) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for e in sourcing.exclusions:
        counts[e.reason] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _store(
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
        lots=[_lot_json(lot) for lot in lots],
    )
    with db.transaction() as session:
        PlanRepository(session).add(row)
    return _record(row)


def _lot_json(lot: ProposedLot | LotRef) -> dict[str, Any]:
    if isinstance(lot, ProposedLot):
        return lot.model_dump(mode="json")
    return asdict(lot) | {"destinations": [d.model_dump(mode="json") for d in lot.destinations]}


def _lot_from_json(data: Mapping[str, Any]) -> ProposedLot:
    return ProposedLot.model_validate(data)


def _record(row: PlanRow) -> PlanRecord:
    result = dict(row.result)
    geojson = result.pop("geojson", {})
    return PlanRecord(
        id=row.id,
        order_id=row.order_id,
        parent_plan_id=row.parent_plan_id,
        created_at=row.created_at,
        spec=OrderSpec.model_validate(row.inputs["spec"]),
        status=row.status,
        objective=row.objective,
        currency=row.currency,
        result_json=result,
        lots=tuple(_lot_from_json(d) for d in row.lots),
        geojson=geojson,
    )


def get_plan(db: Database, plan_id: str) -> PlanRecord:
    with db.read() as session:
        row = PlanRepository(session).get(plan_id)
        if row is None:
            raise NotFoundError(f"no plan with id {plan_id}")
        return _record(row)


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
        return [_record(r) for r in PlanRepository(session).for_order(order_id)]


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
    request = _match_request(
        spec, [_ResolvedPoint(**(p | {"demand": {}})) for p in points.values()]
    )
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
    facilities = _candidate_facilities(db, [sub_match], exclude, allowed)
    sourcing = build_sourcing_problem(
        [ProductInput(key, sub_design, sub_match, _quoted_hours(db, design))],
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
    result = _solve(sourcing)
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
    inputs = stored_inputs | {"replan_of": _lot_json(lot), "excluded_facility_ids": sorted(exclude)}
    record = _store(
        db, sourcing, result, inputs, order_id=order_id or parent.order_id, parent=plan_id
    )
    return _override_lots(db, record, fixed)


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
    options = _options(spec, PlanOverrides())
    if options.lateness_penalty_per_unit_day is None:
        options = replace(options, lateness_penalty_per_unit_day=REPLAN_LATENESS_PER_UNIT_DAY)
    return options


def _order_horizon(inputs: Mapping[str, Any]) -> float | None:
    dues = [p["due_days"] for p in inputs.get("delivery_points", []) if p.get("due_days")]
    return float(max(dues)) if dues else None


def _override_lots(db: Database, record: PlanRecord, lots: tuple[ProposedLot, ...]) -> PlanRecord:
    with db.transaction() as session:
        row = PlanRepository(session).get(record.id)
        assert row is not None
        row.lots = [_lot_json(lot) for lot in lots]
    return replace(record, lots=lots)


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
    facilities = _candidate_facilities(db, [match], exclude, allowed)
    with db.read() as session:
        makers = {
            f.id: f
            for f in FacilityRepository(session).get_many([old.facility_id for old in feeding])
        }
    facilities.update(makers)
    spec = parent.spec
    key = lot.product_key or lot.item_id
    sourcing = build_sourcing_problem(
        [ProductInput(key, design, match, _quoted_hours(db, design))],
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
    result = _solve(sourcing)
    lots = proposed_lots(sourcing, result) if result.has_plan else ()
    marked = tuple(x.model_copy(update={"existing": True}) if x.kind == "part" else x for x in lots)
    inputs = stored_inputs | {"replan_of": _lot_json(lot), "excluded_facility_ids": sorted(exclude)}
    record = _store(
        db, sourcing, result, inputs, order_id=order_id or parent.order_id, parent=parent.id
    )
    return _override_lots(db, record, marked)


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
