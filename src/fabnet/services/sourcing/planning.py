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
from collections.abc import Callable, Collection
from dataclasses import asdict
from pathlib import Path

from fabnet.engine.logistics import TransportModel
from fabnet.engine.matching import match_design
from fabnet.engine.proposal import proposed_lots
from fabnet.engine.sourcing import (
    DeliveryInput,
    ProductInput,
    build_sourcing_problem,
)
from fabnet.errors import InputError
from fabnet.services.catalogue.variants import expand_order_variants
from fabnet.services.sourcing._ordering import (
    MAX_CANDIDATES_PER_PART,
    PlanOverrides,
    candidate_facilities,
    check_kits,
    match_request,
    planning_options,
    platform_facilities,
    quoted_hours,
    resolve_order_design,
    resolve_points,
    solve_sourcing,
    uncovered_message,
)
from fabnet.services.sourcing._records import (
    LotRef,
    PlanRecord,
    get_plan,
    plan_owner,
    plans_for_order,
    result_to_json,
    store_plan,
)
from fabnet.services.sourcing.matching import facility_index
from fabnet.services.sourcing.replanning import REPLAN_LATENESS_PER_UNIT_DAY, replan_lot
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database

__all__ = [
    "MAX_CANDIDATES_PER_PART",
    "REPLAN_LATENESS_PER_UNIT_DAY",
    "LotRef",
    "PlanOverrides",
    "PlanProgress",
    "PlanRecord",
    "check_kits",
    "get_plan",
    "plan_order",
    "plan_owner",
    "plans_for_order",
    "proposed_lots",
    "replan_lot",
    "result_to_json",
]

PlanProgress = Callable[[float, str], None]
"""Told how far planning is (0..1) and what it does now (a job's progress report)."""


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
    progress: PlanProgress | None = None,
) -> PlanRecord:
    """Match, build, solve and store a plan for ``spec``. See the module docstring.
    ``owner_org_id``: the organisation a plan without an order belongs to (it may read it at
    ``/v1/plans/{id}``); ``progress`` is told each step as it starts."""
    report = progress or (lambda _fraction, _message: None)
    overrides = overrides or PlanOverrides()
    today = today or dt.datetime.now(dt.UTC).date()
    report(0.05, "Reading the designs and delivery places")
    written = spec
    spec = expand_order_variants(db, spec, base_dir=base_dir)  # regional variants, if any
    designs = {p.ref: resolve_order_design(db, p.design, base_dir) for p in spec.products}
    check_kits(written, designs)
    kits = {p.ref for p in spec.products if p.kits}
    points = resolve_points(spec, today)
    request = match_request(spec, points)
    report(0.15, "Finding the facilities that can make every part")
    index = facility_index(db)
    matches = {key: match_design(index, design, request) for key, design in designs.items()}
    for key, design in designs.items():
        message = uncovered_message(key, design, matches[key], kit=key in kits)
        if message:
            raise InputError(
                message,
                field=f"products[{key}]",
                hint="widen the radius or countries, or drop a requirement",
            )
    exclude_facility_ids = tuple(exclude_facility_ids) + spec.matching.exclude_facilities
    facilities = candidate_facilities(
        db,
        list(matches.values()),
        exclude_facility_ids,
        platform_facilities(db) if spec.matching.platform_only else None,
    )
    report(0.35, f"Pricing {len(facilities)} candidate facilities and the transport lanes")
    sourcing = build_sourcing_problem(
        [
            ProductInput(
                key, designs[key], matches[key], quoted_hours(db, designs[key]), kit=key in kits
            )
            for key in designs
        ],
        [
            DeliveryInput(p.id, p.latitude, p.longitude, p.country, p.demand, p.due_days, p.label)
            for p in points
        ],
        facilities,
        options=planning_options(spec, overrides),
        transport=TransportModel.default(),
        currency=spec.currency,
    )
    report(0.5, "Solving the plan and its baselines")
    result = solve_sourcing(sourcing)
    report(0.9, "Storing the plan")
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
    return store_plan(db, sourcing, result, inputs, order_id=order_id, parent=None)
