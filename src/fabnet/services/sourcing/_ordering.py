"""Planning's private floor for reading an order: resolve its designs and places, ask the matcher
who can make every part, choose candidate facilities, and solve (used by planning and
re-planning)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind
from fabnet.engine.logistics import TransportMode
from fabnet.engine.matching import DeliveryPoint as MatchPoint
from fabnet.engine.matching import MatchRequest, MatchResult
from fabnet.engine.planning import problem as pp
from fabnet.engine.planning.result import PlanResult
from fabnet.engine.sourcing import (
    SourcingProblem,
    kit_refusal,
)
from fabnet.errors import InputError
from fabnet.geo.countries import country_code
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.catalogue.places import locate_place
from fabnet.services.sourcing.quoting import part_process_times
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import OrganisationRow

MAX_CANDIDATES_PER_PART = 100_000


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


# --- resolving the order ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedPoint:
    id: str
    label: str
    latitude: float
    longitude: float
    country: str | None
    due_days: float | None
    demand: Mapping[str, int]


def resolve_order_design(db: Database, ref: str, base_dir: Path | None) -> Design:
    candidate = Path(ref)
    if base_dir is not None and not candidate.is_absolute():
        joined = base_dir / candidate
        if joined.suffix and joined.is_file():
            return resolve_design(db, str(joined))
    return resolve_design(db, ref)


def resolve_points(spec: OrderSpec, today: dt.date) -> list[ResolvedPoint]:
    points: list[ResolvedPoint] = []
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
            ResolvedPoint(
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


def planning_options(spec: OrderSpec, overrides: PlanOverrides) -> pp.PlanningOptions:
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


def match_request(spec: OrderSpec, points: Sequence[ResolvedPoint]) -> MatchRequest:
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


def platform_facilities(db: Database) -> set[str]:
    """Facilities that a manufacturer organisation on the platform runs (they can be invited)."""
    with db.read() as session:
        rows = session.scalars(
            select(OrganisationRow).where(OrganisationRow.kind == OrgKind.MANUFACTURER.value)
        )
        return {fid for r in rows for fid in (r.facility_ids or [])}


def candidate_facilities(
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


def quoted_hours(db: Database, design: Design) -> dict[str, dict[str, float]]:
    """Machine hours per unit of every part and assembly step, from the design's geometry."""
    times = part_process_times(db, design)
    return {
        item: {process: t.hours_per_unit for process, t in by_process.items()}
        for item, by_process in times.items()
    }


def uncovered_message(
    key: str, design: Design, match: MatchResult, *, kit: bool = False
) -> str | None:
    """What nobody can make of product ``key``; a kit's assembly is the recipient's, so only its
    parts count."""
    uncovered = [
        label for label in match.uncovered_parts if not (kit and match.part(label).is_assembly)
    ]
    if not uncovered:
        return None
    parts = []
    for label in uncovered:
        pm = match.part(label)
        misses = "; ".join(f"{n.facility_name} ({n.lacks})" for n in pm.near_misses[:2])
        parts.append(f"{pm.name} [{label}]" + (f", nearest misses: {misses}" if misses else ""))
    return (
        f"no facility can make {', '.join(parts)} of product {key!r} "
        f"(design {design.id}) under the order's constraints"
    )


def check_kits(spec: OrderSpec, designs: Mapping[str, Design]) -> None:
    """Refuse ``kits: true`` for a product whose design does not declare its assembly a simple
    manual step (the recipient can only do such a step), naming the order file's field.

    ``spec`` is the order as written; ``designs`` may be keyed by its regional variants
    (``<key>@<variant>``), which keep their parent's assembly steps."""
    for i, product in enumerate(spec.products):
        if not product.kits:
            continue
        design = designs.get(product.ref) or next(
            (d for k, d in designs.items() if k.split("@")[0] == product.ref), None
        )
        why = None if design is None else kit_refusal(design)
        if why is not None:
            raise InputError(
                why,
                field=f"products[{i}].kits",
                hint="drop 'kits' to have the product assembled by a facility",
            )


def solve_sourcing(sourcing: SourcingProblem) -> PlanResult:
    from fabnet.engine.planning.solver import solve  # noqa: PLC0415 (HiGHS: only to plan)

    return solve(sourcing.problem)
