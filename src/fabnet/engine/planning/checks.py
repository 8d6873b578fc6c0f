"""Consistency checks run before a model is built (all problems are listed at once)."""

from __future__ import annotations

import math
from collections import Counter

from fabnet.errors import InputError

from .problem import PlanningProblem

_SOURCE = "planning problem"


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def find_problems(problem: PlanningProblem) -> list[str]:
    """Every inconsistency of ``problem`` as a message naming the field path and what to fix."""
    found: list[str] = []
    part_ids = {p.id for p in problem.parts}
    product_ids = {p.id for p in problem.products}
    facility_ids = {f.id for f in problem.facilities}
    for kind, ids in (
        ("parts", [p.id for p in problem.parts]),
        ("products", [p.id for p in problem.products]),
        ("facilities", [f.id for f in problem.facilities]),
        ("delivery_points", [d.id for d in problem.delivery_points]),
    ):
        for dup in _duplicates(ids):
            found.append(f"{kind}: id {dup!r} appears more than once; ids must be unique")
    for part in problem.parts:
        if not part.mass_kg >= 0:
            found.append(f"parts[{part.id}].mass_kg: must be >= 0, got {part.mass_kg}")
    for product in problem.products:
        where = f"products[{product.id}]"
        if not product.bom:
            found.append(f"{where}.bom: is empty; list at least one (part id, quantity)")
        for part_id, qty in product.bom:
            if part_id not in part_ids:
                found.append(f"{where}.bom: unknown part id {part_id!r}")
            if not qty > 0:
                found.append(f"{where}.bom[{part_id}]: quantity must be > 0, got {qty}")
        if not product.assembled and (len(product.bom) != 1 or product.bom[0][1] != 1):
            found.append(
                f"{where}: a product without assembly ships exactly one part (quantity 1); "
                "set assembled=True for a multi-part BOM"
            )
    for i, c in enumerate(problem.candidates):
        where = f"candidates[{i}] (part {c.part_id}, facility {c.facility_id})"
        if c.part_id not in part_ids:
            found.append(f"{where}.part_id: unknown part id {c.part_id!r}")
        if c.facility_id not in facility_ids:
            found.append(f"{where}.facility_id: unknown facility id {c.facility_id!r}")
        found.extend(_check_numbers(where, c))
    for i, a in enumerate(problem.assembly_candidates):
        where = f"assembly_candidates[{i}] (product {a.product_id}, facility {a.facility_id})"
        if a.product_id not in product_ids:
            found.append(f"{where}.product_id: unknown product id {a.product_id!r}")
        if a.facility_id not in facility_ids:
            found.append(f"{where}.facility_id: unknown facility id {a.facility_id!r}")
        found.extend(_check_numbers(where, a))
    for d in problem.delivery_points:
        where = f"delivery_points[{d.id}]"
        for product_id, qty in d.demand:
            if product_id not in product_ids:
                found.append(f"{where}.demand: unknown product id {product_id!r}")
            if not (qty >= 0 and math.isfinite(qty)):
                found.append(f"{where}.demand[{product_id}]: must be a finite number >= 0")
        if d.due_days is not None and not d.due_days >= 0:
            found.append(f"{where}.due_days: must be >= 0, got {d.due_days}")
        if not (-90 <= d.lat <= 90 and -180 <= d.lon <= 180):
            found.append(f"{where}: latitude/longitude out of range")
    demanded = {pid for d in problem.delivery_points for pid, q in d.demand if q > 0}
    capable_parts = {c.part_id for c in problem.candidates}
    assemblers = {a.product_id for a in problem.assembly_candidates}
    for product in problem.products:
        if product.id not in demanded:
            continue
        for part_id, _ in product.bom:
            if part_id in part_ids and part_id not in capable_parts:
                found.append(
                    f"parts[{part_id}]: no candidate facility can make it "
                    f"(needed by product {product.id}); add a candidate"
                )
        if product.assembled and product.id not in assemblers:
            found.append(
                f"products[{product.id}]: needs assembly but has no assembly candidate; add one"
            )
    found.extend(_check_options(problem))
    return found


def _check_numbers(where: str, c: object) -> list[str]:
    found: list[str] = []
    for name in ("unit_cost", "setup_cost", "lead_time_days", "min_lot"):
        value = getattr(c, name)
        if not (value >= 0 and math.isfinite(value)):
            found.append(f"{where}.{name}: must be a finite number >= 0, got {value}")
    capacity = getattr(c, "capacity")  # noqa: B009
    if not capacity >= 0:
        found.append(f"{where}.capacity: must be >= 0, got {capacity}")
    if getattr(c, "min_lot") > capacity:  # noqa: B009
        found.append(f"{where}.min_lot: exceeds the capacity; lower it or raise the capacity")
    return found


def _check_options(problem: PlanningProblem) -> list[str]:
    o = problem.options
    found: list[str] = []
    if o.co2_price_per_t < 0:
        found.append("options.co2_price_per_t: must be >= 0")
    for name in ("lateness_penalty_per_unit_day", "shortfall_penalty_per_unit", "co2_budget_kg"):
        value = getattr(o, name)
        if value is not None and not value >= 0:
            found.append(f"options.{name}: must be >= 0 or None")
    if o.max_facilities is not None and o.max_facilities < 1:
        found.append("options.max_facilities: must be at least 1 or None")
    usable = {c.facility_id for c in problem.candidates} | {
        a.facility_id for a in problem.assembly_candidates
    }
    for fid in o.pinned_facilities:
        if fid not in usable:
            found.append(f"options.pinned_facilities: facility {fid!r} is a candidate for nothing")
    if o.local_share is not None:
        share = o.local_share
        if not 0 <= share.min_share <= 1:
            found.append("options.local_share.min_share: must be between 0 and 1")
        if not share.countries and not share.regions:
            found.append("options.local_share: name at least one country or region")
    if not o.time_limit_s > 0:
        found.append("options.time_limit_s: must be > 0")
    if not 0 <= o.mip_gap < 1:
        found.append("options.mip_gap: must be in [0, 1)")
    if o.due_date_model not in ("auto", "time_indexed", "big_m"):
        found.append("options.due_date_model: must be auto, time_indexed or big_m")
    if o.nearest_origins is not None and o.nearest_origins < 1:
        found.append("options.nearest_origins: must be at least 1 or None")
    if not o.allowed_modes and problem.transport is not None:
        found.append("options.allowed_modes: allow at least one transport mode")
    if problem.transport is not None:
        missing = [m for m in o.allowed_modes if m not in problem.transport.modes]
        if missing:
            found.append(f"options.allowed_modes: the transport model has no mode {missing}")
    lanes = problem.lanes
    if lanes is not None:
        n_f, n_d = len(problem.facilities), len(problem.delivery_points)
        if not (
            len(lanes.facility_index)
            == len(lanes.delivery_point_index)
            == len(lanes.cost_per_unit)
            == len(lanes.days)
            == len(lanes.co2e_kg_per_unit)
        ):
            found.append("lanes: all arrays must have the same length")
        elif len(lanes.facility_index) and (
            lanes.facility_index.min() < 0
            or lanes.facility_index.max() >= n_f
            or lanes.delivery_point_index.min() < 0
            or lanes.delivery_point_index.max() >= n_d
        ):
            found.append("lanes: an index is outside the facilities or delivery points")
        elif len(lanes.cost_per_unit) and (lanes.cost_per_unit.min() < 0 or lanes.days.min() < 0):
            found.append("lanes: cost_per_unit and days must be >= 0")
    return found


def check_consistency(problem: PlanningProblem) -> list[str]:
    """Raise :class:`InputError` listing every problem; return an empty list when consistent."""
    found = find_problems(problem)
    if found:
        raise InputError(
            f"{len(found)} problem(s): " + "; ".join(found),
            source=_SOURCE,
            hint="fix the listed fields and plan again",
        )
    return found
