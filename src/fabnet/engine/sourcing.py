"""From matched designs to a planning problem: which facility may make what, at what terms.

The matcher answers *who can make each part* (and each assembly step); the planner needs, per
(part, facility), a unit cost, a setup cost, a capacity for the order's horizon, a lead time and a
minimum lot. This module derives them from each facility's rate card, capacity and lead times,
and reports every capable facility it had to leave out, and why (no rate for the process, rate in
another currency, ...). It is pure: facilities, designs and match results come in, a frozen
:class:`SourcingProblem` goes out.

Modelling choices (see ADR 0008):

- Planner part ids are ``"<product key>/<part id>"``, so two products that share a part name
  never mix.
- Purchased parts are bought in by the assembly site; they are not planned (their mass is).
- The planner has one assembly level. A design's nested sub-assemblies are exploded into the final
  assembly (quantities multiply through the BOM), and the final assembly must happen at a site
  able to do **every** assembly step of the design: an assembly candidate must also be a
  candidate of each intermediate step the matcher reported (a solar-lamp's LED board needs
  ``pcb-assembly``, so the lamp is assembled where PCB assembly is possible).
- Capacity for the order = units per week x the weeks between the facility's production start
  and the latest due date (4 weeks when no due date is given).
- Variable unit cost = hourly rate / units per hour + mass x material cost per kg; the rate's setup
  cost is the planner's fixed cost, its minimum lot the planner's minimum lot.
- A product ordered as kits (the design declares every assembly step a simple manual one) has no
  assembly site: each of its manufactured parts becomes a planner product of its own (id
  ``"<product key>/<part id>"``, shipped as is), demanded at every delivery point in the BOM's
  quantity per kit, so the parts travel straight to the recipient, who assembles them, by the
  point's due date; no assembly cost or lead time is planned.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility, ProcessRate
from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.engine.matching.results import MatchResult, PartMatch
from fabnet.engine.planning import problem as pp
from fabnet.engine.planning.geojson import plan_to_geojson
from fabnet.engine.planning.result import PlanResult
from fabnet.errors import InputError
from fabnet.geo.distance import haversine_km
from fabnet.vocab.processes import get_process_taxonomy

DEFAULT_HORIZON_DAYS = 28.0
CandidateT = TypeVar("CandidateT", pp.Candidate, pp.AssemblyCandidate)


@dataclass(frozen=True)
class ProductInput:
    """One product of an order: its key in the order, its design, and its match result."""

    key: str
    design: Design
    match: MatchResult
    hours: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Quoted machine hours per unit: part or assembly id -> process id -> hours."""
    kit: bool = False
    """Deliver kits of the parts; the recipient does the (manual) final assembly."""


def kit_refusal(design: Design) -> str | None:
    """Why ``design`` cannot be delivered as kits for the recipient to assemble, or None.

    Only what the design declares counts: every assembly step must be a simple manual one
    (``kind = "manual"``); a single-part design has nothing to assemble."""
    if design.root_assembly_id is None:
        return (
            f"{design.name} has no final assembly; it is delivered as one finished part, "
            "so there is no kit to send"
        )
    root = design.assembly(design.root_assembly_id)
    if not root.manual:
        return (
            f"the design's final assembly {root.id!r} is not a simple manual step; only a "
            "manual step may be left to the recipient"
        )
    other = next((a for a in design.assemblies if not a.manual), None)
    if other is not None:
        return (
            f"the design's assembly step {other.id!r} is not a simple manual step; only manual "
            "steps may be left to the recipient"
        )
    return None


@dataclass(frozen=True)
class DeliveryInput:
    id: str
    latitude: float
    longitude: float
    country: str | None
    demand: Mapping[str, int]
    due_days: float | None
    label: str = ""


MIN_LOT_OVER_CAPACITY = "its minimum lot is more than it can make in the order's time window"


@dataclass(frozen=True)
class Exclusion:
    """A capable facility left out of the plan, and why."""

    item: str
    facility_id: str
    reason: str


@dataclass(frozen=True)
class ItemRef:
    """What a planner part or product id stands for in the order."""

    product_key: str
    design_id: str
    item_id: str  # part id, or the root assembly id for an assembled product
    kind: str  # "part" | "assembly" | "product" (a single-part product) | "kit"
    name: str


@dataclass(frozen=True)
class SourcingProblem:
    problem: pp.PlanningProblem
    items: Mapping[str, ItemRef]
    """Planner part ids and product ids -> what they are in the order."""
    exclusions: tuple[Exclusion, ...] = ()
    notes: tuple[str, ...] = ()
    currency: str = "EUR"
    facility_names: Mapping[str, str] = field(default_factory=dict)
    kits: tuple[str, ...] = ()
    """Product keys delivered as kits: their parts go to the delivery points, the recipient
    assembles (their planner products are the part ids)."""


def _hours_for(
    rate_process: str, processes: Sequence[str], hours: Mapping[str, float]
) -> float | None:
    """Hours per unit quoted for the rate's process, or for a required process it satisfies."""
    if rate_process in hours:
        return hours[rate_process]
    taxonomy = get_process_taxonomy()
    for p in processes:
        if p in hours and taxonomy.satisfies(rate_process, p):
            return hours[p]
    return None


def _cheapest_rate(
    facility: Facility,
    processes: Sequence[str],
    mass_g: float | None,
    currency: str,
    hours: Mapping[str, float] | None = None,
) -> tuple[ProcessRate | None, float | None, str]:
    """The rate with the lowest variable unit cost for ``processes``; or why there is none.

    Machine time per unit: the rate's own ``units_per_hour`` when the facility declares it, else
    the quoted hours per unit of the part for that process (``hours``, from its geometry).
    """
    card = facility.extension.rate_card
    if card is None or not card.rates:
        return None, None, "no rate card"
    if card.currency != currency:
        return None, None, f"rates in {card.currency}, order in {currency}"
    taxonomy = get_process_taxonomy()
    best: tuple[ProcessRate, float] | None = None
    for rate in card.rates:
        if not any(taxonomy.satisfies(rate.process, p) for p in processes):
            continue
        if rate.hourly_rate == 0:
            machine = 0.0
        elif rate.units_per_hour is not None:
            machine = rate.hourly_rate / rate.units_per_hour
        else:
            quoted = _hours_for(rate.process, processes, hours or {})
            if quoted is None:
                continue
            machine = rate.hourly_rate * quoted
        if rate.material_cost_per_kg and mass_g is None:
            continue
        material = (mass_g or 0.0) / 1000.0 * rate.material_cost_per_kg
        cost = machine + material
        if best is None or cost < best[1]:
            best = (rate, cost)
    if best is None:
        return None, None, "no time estimate for the process (no units per hour, no quote)"
    return best[0], best[1], ""


def _capacity(
    facility: Facility, rate: ProcessRate, horizon_days: float, hours_per_unit: float | None
) -> float:
    """Units the facility can make for this order before the horizon (inf when unknown)."""
    cap = facility.extension.capacity
    start = _lead_time(facility)
    weeks = max(horizon_days - start, 1.0) / 7.0
    if cap is None:
        return math.inf
    if cap.units_per_week is not None:
        units = float(cap.units_per_week) * weeks
    elif rate.units_per_hour is not None:
        units = rate.units_per_hour * cap.hours_per_week * weeks
    elif hours_per_unit:
        units = cap.hours_per_week * weeks / hours_per_unit
    else:
        return math.inf
    return float(math.floor(units))  # whole units: lots are made of whole parts


def _manual_assembly(
    product_key: str,
    facility: Facility,
    minutes_per_unit: float,
    horizon_days: float,
    currency: str,
) -> pp.AssemblyCandidate | str:
    """A facility making a part of the product as the site of its manual final assembly, or why
    it cannot be one.

    The design declares the step manual (``kind = "manual"``, minutes per unit): a facility that
    declares staffed hours (a capacity) can do it although it lists no assembly process. Labour
    is priced at the lowest hourly rate of its rate card (machine + labour rates, so an upper
    bound on labour alone); capacity is its weekly hours over the order's window at that many
    minutes per unit; no setup, no minimum lot."""
    card = facility.extension.rate_card
    hours = facility.extension.capacity
    if hours is None:
        return "no staffed hours declared for a manual assembly"
    if card is None or not card.rates:
        return "no rate card"
    if card.currency != currency:
        return f"rates in {card.currency}, order in {currency}"
    paid = [r.hourly_rate for r in card.rates if r.hourly_rate > 0]
    if not paid:
        return "no hourly rate to price a manual assembly"
    weeks = max(horizon_days - _lead_time(facility), 1.0) / 7.0
    return pp.AssemblyCandidate(
        product_id=product_key,
        facility_id=facility.id,
        unit_cost=min(paid) * minutes_per_unit / 60.0,
        setup_cost=0.0,
        capacity=float(math.floor(hours.hours_per_week * weeks * 60.0 / minutes_per_unit)),
        lead_time_days=_lead_time(facility),
        min_lot=0.0,
    )


def _lead_time(facility: Facility) -> float:
    lt = facility.extension.lead_times
    return float(lt.production_start_days) if lt is not None else 0.0


def _step_candidates(match: MatchResult, design: Design) -> list[set[str]]:
    """Facility sets of every intermediate assembly step the matcher reported."""
    root = design.root_assembly_id
    sets: list[set[str]] = []
    for pm in match.parts:
        if pm.is_assembly and _assembly_id(pm, design) not in (None, root):
            sets.append({c.facility_id for c in pm.candidates})
    return sets


def _assembly_id(pm: PartMatch, design: Design) -> str | None:
    """The assembly a match line stands for: its own id when the matcher gives one, else the
    root assembly first (the matcher labels it by its process), then any other step."""
    item = getattr(pm, "item_id", None)
    if isinstance(item, str):
        return item
    order = sorted(design.assemblies, key=lambda a: a.id != design.root_assembly_id)
    for asm in order:
        if pm.part in (asm.id, asm.process, f"{asm.process}:{asm.id}"):
            return asm.id
    return None


DEFAULT_MAX_CANDIDATES = 24
"""Per part (and per assembly step): the planner sees at most this many candidates, chosen by
estimated landed unit cost, plus as many more as needed to hold 3x the part's demand."""
CAPACITY_COVER = 3.0


def _landed_estimate(
    candidates: Sequence[pp.Candidate] | Sequence[pp.AssemblyCandidate],
    facilities: Mapping[str, Facility],
    delivery_points: Sequence[DeliveryInput],
    mass_kg: float,
    transport: TransportModel | None,
) -> list[float]:
    """Unit cost + setup spread over 50 units + road freight to the nearest delivery point."""
    if not delivery_points or transport is None or TransportMode.ROAD not in transport.modes:
        return [c.unit_cost + c.setup_cost / 50.0 for c in candidates]
    road = transport.modes[TransportMode.ROAD]
    lats = np.array([d.latitude for d in delivery_points])
    lons = np.array([d.longitude for d in delivery_points])
    out = []
    for c in candidates:
        loc = facilities[c.facility_id].location
        km = float(np.min(haversine_km(loc.latitude or 0.0, loc.longitude or 0.0, lats, lons)))
        freight = road.cost_per_kg_km * max(mass_kg, 0.01) * km * road.detour_factor
        out.append(c.unit_cost + c.setup_cost / 50.0 + freight)
    return out


NEAREST_PER_POINT = 3
"""Pruning keeps, besides the cheapest, this many nearest candidates of every delivery point."""


def _window_share(
    candidates: Sequence[pp.Candidate] | Sequence[pp.AssemblyCandidate],
    facilities: Mapping[str, Facility],
    delivery_points: Sequence[DeliveryInput],
    transport: TransportModel | None,
) -> list[float]:
    """The share of each candidate's capacity that can still arrive by a due date.

    Capacity counts over the window from the facility's lead time to the due date; what is made
    later than the due date less the fastest allowed mode's door-to-door days arrives late. The
    best delivery point counts (an upper estimate: a part also goes through final assembly).
    Without due dates (or transport) all of it counts."""
    due = [d for d in delivery_points if d.due_days is not None]
    if not due or transport is None or not transport.modes:
        return [1.0] * len(candidates)
    places = [(d.latitude, d.longitude, d.country) for d in due]
    due_days = np.array([float(d.due_days or 0.0) for d in due])
    out = []
    for c in candidates:
        loc = facilities[c.facility_id].location
        fastest = transport.fastest_days(
            (loc.latitude or 0.0, loc.longitude or 0.0), loc.country, places
        )
        window = np.maximum(due_days - c.lead_time_days, 1.0)
        usable = np.clip((due_days - c.lead_time_days - fastest) / window, 0.0, 1.0)
        out.append(float(usable.max()))
    return out


def _is_local(fac: Facility, share: pp.LocalShare | None) -> bool:
    if share is None:
        return False
    loc = fac.location
    return (loc.country is not None and loc.country in share.countries) or (
        loc.region is not None and loc.region in share.regions
    )


def _prune(
    item: str,
    candidates: list[CandidateT],
    need: float,
    facilities: Mapping[str, Facility],
    delivery_points: Sequence[DeliveryInput],
    mass_kg: float,
    transport: TransportModel | None,
    limit: int,
    exclusions: list[Exclusion],
    local_share: pp.LocalShare | None = None,
    pinned: Collection[str] = (),
) -> list[CandidateT]:
    """The candidates the planner sees for one item.

    The ``limit`` best by landed estimate (more while what they can make and still deliver by a
    due date is < 3x the need: capacity too far or too late for the order counts for nothing);
    besides them the :data:`NEAREST_PER_POINT` nearest of every delivery point (a local plan stays
    possible), and, when the order asks for a local share, the best local candidates until they
    hold 3x the local need (the rule can only be met by candidates the planner sees)."""
    if len(candidates) <= limit:
        return candidates
    scores = _landed_estimate(candidates, facilities, delivery_points, mass_kg, transport)
    order = sorted(range(len(candidates)), key=lambda i: (scores[i], candidates[i].facility_id))
    share = _window_share(candidates, facilities, delivery_points, transport)
    keep: set[int] = set()
    capacity = 0.0  # what the kept candidates can make and still deliver by a due date
    for rank, i in enumerate(order):
        if rank < limit or (share[i] > 0 and capacity < CAPACITY_COVER * need):
            keep.add(i)
            capacity += candidates[i].capacity * share[i]
    if delivery_points:
        lats = np.array([facilities[c.facility_id].location.latitude or 0.0 for c in candidates])
        lons = np.array([facilities[c.facility_id].location.longitude or 0.0 for c in candidates])
        for d in delivery_points:
            km = haversine_km(d.latitude, d.longitude, lats, lons)
            nearest = sorted(
                range(len(candidates)), key=lambda i: (float(km[i]), candidates[i].facility_id)
            )
            keep.update(nearest[:NEAREST_PER_POINT])
    keep.update(i for i, c in enumerate(candidates) if c.facility_id in pinned)
    if local_share is not None:
        local_cap = 0.0
        local_need = CAPACITY_COVER * need * local_share.min_share
        taken = 0
        for i in order:
            if not _is_local(facilities[candidates[i].facility_id], local_share):
                continue
            if taken >= limit and local_cap >= local_need:
                break
            keep.add(i)
            taken += 1
            local_cap += candidates[i].capacity
    for i in order:
        if i not in keep:
            exclusions.append(
                Exclusion(
                    item,
                    candidates[i].facility_id,
                    f"not among the {limit} lowest landed-cost candidates",
                )
            )
    ranked = sorted(keep, key=lambda i: (scores[i], candidates[i].facility_id))
    return [candidates[i] for i in ranked]


def _unusable(item: str, name: str, capable: int, exclusions: Sequence[Exclusion]) -> InputError:
    reasons: dict[str, int] = {}
    for e in exclusions:
        if e.item == item:
            reasons[e.reason] = reasons.get(e.reason, 0) + 1
    why = "; ".join(f"{n} x {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return InputError(
        f"{name} [{item}]: {capable} facilities can make it, but none can be priced or planned"
        + (f" ({why})" if why else ""),
        field=f"products[{item.split('/')[0]}]",
        hint="add rate cards with throughput (units per hour), or quote the part's geometry",
    )


def build_sourcing_problem(
    products: Sequence[ProductInput],
    delivery_points: Sequence[DeliveryInput],
    facilities: Mapping[str, Facility],
    *,
    options: pp.PlanningOptions,
    transport: TransportModel | None,
    currency: str = "EUR",
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
    horizon_days: float | None = None,
) -> SourcingProblem:
    """Candidates for every manufactured part and assembly, derived from rate cards.

    ``horizon_days``: the production window capacities are counted over (default: the latest
    due date of the delivery points; re-planning one lot passes the whole order's)."""
    dues = [d.due_days for d in delivery_points if d.due_days is not None]
    horizon = horizon_days or (max(dues) if dues else DEFAULT_HORIZON_DAYS)
    items: dict[str, ItemRef] = {}
    parts: list[pp.Part] = []
    plan_products: list[pp.Product] = []
    candidates: list[pp.Candidate] = []
    assembly_candidates: list[pp.AssemblyCandidate] = []
    exclusions: list[Exclusion] = []
    notes: list[str] = []
    used_facilities: set[str] = set()
    kits: list[str] = []
    kit_boms: dict[str, tuple[tuple[str, float], ...]] = {}

    for product in products:
        design = product.design
        per_product = design.part_quantities()
        product_demand = float(sum(d.demand.get(product.key, 0) for d in delivery_points))
        manufactured = [p for p in design.parts if not p.purchased]
        bought = [p for p in design.parts if p.purchased]
        if product.kit:
            refusal = kit_refusal(design)
            if refusal is not None:
                raise InputError(refusal, field=f"products[{product.key}].kits")
        if bought:
            who = "the recipient of each kit" if product.kit else "the assembly site"
            notes.append(
                f"{product.key}: {len(bought)} purchased part type(s) "
                f"({', '.join(p.name for p in bought)}) are bought in by {who}"
            )
        if not manufactured:
            raise InputError(
                f"design {design.id} ({design.name}) has no part to manufacture",
                field=f"products[{product.key}]",
            )
        if design.root_assembly_id is None and len(manufactured) > 1:
            raise InputError(
                f"design {design.id} ({design.name}) has {len(manufactured)} parts but no final "
                "assembly, so fabnet cannot tell how they become one product",
                field=f"products[{product.key}]",
                hint="add [fabnet] root-assembly and [[fabnet.assembly]] to the manifest",
            )
        bom: list[tuple[str, float]] = []
        part_makers: set[str] = set()  # facilities the planner sees for a part of this product
        for part in manufactured:
            uid = f"{product.key}/{part.id}"
            items[uid] = ItemRef(product.key, design.id, part.id, "part", part.name)
            parts.append(pp.Part(id=uid, mass_kg=(part.mass_g or 0.0) / 1000.0))
            if part.mass_g is None:
                notes.append(f"{uid}: no mass declared; transport treated as weightless")
            bom.append((uid, float(per_product.get(part.id, 1))))
            try:
                pm = product.match.part(part.id)
            except KeyError:
                continue
            part_cands: list[pp.Candidate] = []
            for cand in pm.candidates:
                fac = facilities.get(cand.facility_id)
                if fac is None:
                    continue
                if not fac.location.has_coordinates:
                    exclusions.append(Exclusion(uid, fac.id, "no coordinates, so no lane"))
                    continue
                part_hours = product.hours.get(part.id, {})
                rate, unit, why = _cheapest_rate(
                    fac, part.processes, part.mass_g, currency, part_hours
                )
                if rate is None or unit is None:
                    exclusions.append(Exclusion(uid, cand.facility_id, why))
                    continue
                capacity = _capacity(
                    fac, rate, horizon, _hours_for(rate.process, part.processes, part_hours)
                )
                min_lot = float(rate.minimum_lot) if rate.minimum_lot > 1 else 0.0
                if min_lot > capacity:
                    exclusions.append(Exclusion(uid, fac.id, MIN_LOT_OVER_CAPACITY))
                    continue
                part_cands.append(
                    pp.Candidate(
                        part_id=uid,
                        facility_id=fac.id,
                        unit_cost=unit,
                        setup_cost=rate.setup_cost,
                        capacity=capacity,
                        lead_time_days=_lead_time(fac),
                        min_lot=min_lot,
                    )
                )
            if max_candidates is not None:
                part_cands = _prune(
                    uid,
                    part_cands,
                    product_demand * per_product.get(part.id, 1),
                    facilities,
                    delivery_points,
                    (part.mass_g or 0.0) / 1000.0,
                    transport,
                    max_candidates,
                    exclusions,
                    options.local_share,
                )
            if not part_cands:
                raise _unusable(uid, part.name, len(pm.candidates), exclusions)
            candidates.extend(part_cands)
            used_facilities.update(c.facility_id for c in part_cands)
            part_makers.update(c.facility_id for c in part_cands)
        assembled = design.root_assembly_id is not None
        if product.kit:
            root = design.assembly(design.root_assembly_id or "")
            items[product.key] = ItemRef(product.key, design.id, root.id, "kit", design.name)
            minutes = f", {root.minutes_per_unit:g} min per unit" if root.minutes_per_unit else ""
            notes.append(
                f"{product.key}: delivered as kits: its parts "
                f"({', '.join(p.name for p in manufactured)}) go straight to each delivery point "
                f"and the recipient does the final assembly (a manual step{minutes}); no "
                "assembly site, cost or lead time is planned"
            )
            kits.append(product.key)
            plan_products.extend(pp.Product(id=uid, bom=((uid, 1.0),)) for uid, _ in bom)
            kit_boms[product.key] = tuple(bom)
            continue
        if assembled:
            root = design.assembly(design.root_assembly_id or "")
            items[product.key] = ItemRef(product.key, design.id, root.id, "assembly", design.name)
            root_match = next(
                (
                    pm
                    for pm in product.match.parts
                    if pm.is_assembly and _assembly_id(pm, design) in (root.id, None)
                ),
                None,
            )
            steps = _step_candidates(product.match, design)
            step_processes = sorted({a.process for a in design.assemblies})
            if len(design.assemblies) > 1:
                notes.append(
                    f"{product.key}: {len(design.assemblies)} assembly steps "
                    f"({', '.join(step_processes)}) are done at the final assembly site"
                )
            asm_cands: list[pp.AssemblyCandidate] = []
            for cand in root_match.candidates if root_match else ():
                fac = facilities.get(cand.facility_id)
                if fac is None:
                    continue
                if not fac.location.has_coordinates:
                    exclusions.append(Exclusion(product.key, fac.id, "no coordinates, so no lane"))
                    continue
                if any(cand.facility_id not in s for s in steps):
                    exclusions.append(
                        Exclusion(product.key, fac.id, "cannot do every assembly step")
                    )
                    continue
                asm_hours = product.hours.get(root.id, {})
                rate, unit, why = _cheapest_rate(fac, (root.process,), None, currency, asm_hours)
                if rate is None or unit is None:
                    if not (root.manual and fac.id in part_makers):  # priced as manual below
                        exclusions.append(Exclusion(product.key, fac.id, why))
                    continue
                capacity = _capacity(
                    fac, rate, horizon, _hours_for(rate.process, (root.process,), asm_hours)
                )
                min_lot = float(rate.minimum_lot) if rate.minimum_lot > 1 else 0.0
                if min_lot > capacity:
                    exclusions.append(Exclusion(product.key, fac.id, MIN_LOT_OVER_CAPACITY))
                    continue
                asm_cands.append(
                    pp.AssemblyCandidate(
                        product_id=product.key,
                        facility_id=fac.id,
                        unit_cost=unit,
                        setup_cost=rate.setup_cost,
                        capacity=capacity,
                        lead_time_days=_lead_time(fac),
                        min_lot=min_lot,
                    )
                )
            if root.manual and root.minutes_per_unit:
                listed = {c.facility_id for c in asm_cands}
                for fid in sorted(part_makers - listed):
                    manual = _manual_assembly(
                        product.key, facilities[fid], root.minutes_per_unit, horizon, currency
                    )
                    if isinstance(manual, str):
                        exclusions.append(Exclusion(product.key, fid, manual))
                    else:
                        asm_cands.append(manual)
                notes.append(
                    f"{product.key}: the final assembly is a manual step "
                    f"({root.minutes_per_unit:g} min per unit), so staffed facilities making one "
                    "of its parts may do it too"
                )
            if max_candidates is not None:
                mass = sum((p.mass_g or 0.0) * per_product.get(p.id, 1) for p in design.parts)
                asm_cands = _prune(
                    product.key,
                    asm_cands,
                    product_demand,
                    facilities,
                    delivery_points,
                    mass / 1000.0,
                    transport,
                    max_candidates,
                    exclusions,
                    options.local_share,
                )
            if not asm_cands:
                raise _unusable(
                    product.key,
                    f"final assembly of {design.name}",
                    len(root_match.candidates) if root_match else 0,
                    exclusions,
                )
            assembly_candidates.extend(asm_cands)
            used_facilities.update(c.facility_id for c in asm_cands)
        else:
            only = manufactured[0]
            items[product.key] = ItemRef(product.key, design.id, only.id, "product", only.name)
        plan_products.append(pp.Product(id=product.key, bom=tuple(bom), assembled=assembled))

    for fid in options.pinned_facilities:
        if fid not in used_facilities:
            fac = facilities.get(fid)
            name = fac.name if fac is not None else fid
            reasons = {e.reason for e in exclusions if e.facility_id == fid}
            raise InputError(
                f"{name} was asked for, but it cannot make any part or do the final assembly of "
                "this order" + (f" ({'; '.join(sorted(reasons))})" if reasons else ""),
                field="matching.pin_facilities",
                hint="pin a facility that makes one of the order's parts, or drop the pin",
            )
    plan_facilities = []
    for fid in sorted(used_facilities):
        fac = facilities[fid]
        if not fac.location.has_coordinates:
            continue
        plan_facilities.append(
            pp.Facility(
                id=fid,
                lat=float(fac.location.latitude or 0.0),
                lon=float(fac.location.longitude or 0.0),
                country=fac.location.country,
                region=fac.location.region,
            )
        )
    located = {f.id for f in plan_facilities}
    for fid in sorted(used_facilities - located):
        exclusions.append(Exclusion("*", fid, "no coordinates, so no transport lane"))
    candidates = [c for c in candidates if c.facility_id in located]
    assembly_candidates = [c for c in assembly_candidates if c.facility_id in located]

    dps = tuple(
        pp.DeliveryPoint(
            id=d.id,
            lat=d.latitude,
            lon=d.longitude,
            demand=_planner_demand(d.demand, kit_boms),
            due_days=d.due_days,
            country=d.country,
        )
        for d in delivery_points
    )
    problem = pp.PlanningProblem(
        products=tuple(plan_products),
        parts=tuple(parts),
        facilities=tuple(plan_facilities),
        candidates=tuple(candidates),
        delivery_points=dps,
        assembly_candidates=tuple(assembly_candidates),
        options=options,
        transport=transport,
    )
    return SourcingProblem(
        problem=problem,
        items=items,
        exclusions=tuple(exclusions),
        notes=tuple(notes),
        currency=currency,
        facility_names={fid: facilities[fid].name for fid in located},
        kits=tuple(kits),
    )


def _planner_demand(
    demand: Mapping[str, int], kit_boms: Mapping[str, tuple[tuple[str, float], ...]]
) -> tuple[tuple[str, float], ...]:
    """A delivery point's demand in planner products: a kit's units become its parts' units."""
    out: dict[str, float] = {}
    for key, qty in demand.items():
        if qty <= 0:
            continue
        for item, per_kit in kit_boms.get(key, ((key, 1.0),)):
            out[item] = out.get(item, 0.0) + per_kit * qty
    return tuple(out.items())


def plan_geojson(sourcing: SourcingProblem, result: PlanResult) -> dict[str, Any]:
    """The planner's GeoJSON of the plan, with facility names (the planner knows only ids)."""
    collection = plan_to_geojson(sourcing.problem, result)
    for feature in collection["features"]:
        props = feature["properties"]
        if props.get("kind") == "facility":
            props["name"] = sourcing.facility_names.get(props["id"], props["id"])
    return collection
