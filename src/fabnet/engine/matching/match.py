"""Match a design against a facility index; explain why a facility does not qualify; and the
reverse: which designs a facility can make.

Per part (and for the final assembly step, listed under its process id, e.g. ``assembly``):

1. the index selects the facilities where one capability row meets process, material, envelope
   and tolerance (and, for a PCB, board limits), whose largest batch covers the quantity, and
   that pass the request's facility-level criteria (status, access, country, distance/radius,
   certifications, data);
2. survivors are scored (:mod:`.scoring`), ranked by score, ties by facility id;
3. the ``top_k`` are explained criterion by criterion (:func:`.criteria.assess`);
4. for a part with fewer than ``top_k`` candidates (in particular an uncovered one), the
   near-misses: facilities that offer a required process (same node or more specific) but fail
   other criteria, fewest failures first, then nearest (or by id without a delivery point);
   each lists what it lacks. A facility that does not offer the process at all is not a
   near-miss; ``why_not`` explains any (part, facility) pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility
from fabnet.engine.matching.criteria import (
    NO_PROCESS,
    CriterionResult,
    assess,
    capability_criteria,
    capacity_criterion,
    cost_estimate,
    unresolved_text,
)
from fabnet.engine.matching.index import (
    BoolArray,
    FacilityIndex,
    IntArray,
    PartView,
    RequestView,
)
from fabnet.engine.matching.request import MatchRequest
from fabnet.engine.matching.requirement import (
    PartRequirement,
    QuotedHours,
    find_requirement,
    requirements_for,
)
from fabnet.engine.matching.results import (
    Candidate,
    DesignCoverage,
    MatchResult,
    NearMiss,
    PartMatch,
)
from fabnet.engine.matching.scoring import (
    capacity_component,
    combine,
    cost_component,
    distance_component,
)
from fabnet.errors import InputError, NotFoundError

PROVENANCE_LABEL = {1.0: "declared", 0.5: "imported", 0.0: "synthetic"}


def match_design(
    index: FacilityIndex,
    design: Design,
    request: MatchRequest,
    *,
    hours: QuotedHours | None = None,
) -> MatchResult:
    """Candidates and near-misses for every manufactured part and the final assembly step.

    ``hours`` (item id -> process id -> machine hours per unit, quoted from the geometry) prices
    the rates that declare no units per hour, and gives their units per week (:mod:`.scoring`).
    """
    view = index.request_view(request)
    parts = tuple(
        _match_part(index, req, request, view)
        for req in requirements_for(design, request.quantity, hours)
    )
    return MatchResult(design_id=design.id, parts=_with_manual_assembly(design, parts))


def _with_manual_assembly(design: Design, parts: tuple[PartMatch, ...]) -> tuple[PartMatch, ...]:
    """A final assembly the design declares a simple manual step (``kind = "manual"``) can also
    be done by a facility making one of the product's parts: those join the step's candidates
    (after the facilities that list the process), each saying which part it makes. Nothing is
    guessed for a design that does not declare it."""
    root = design.assembly(design.root_assembly_id) if design.root_assembly_id else None
    if root is None or not root.manual:
        return parts
    minutes = f"{root.minutes_per_unit:g} min per unit" if root.minutes_per_unit else "manual"
    makers: dict[str, Candidate] = {}
    for pm in parts:
        if pm.is_assembly:
            continue
        for c in pm.candidates:
            if c.facility_id not in makers:
                makers[c.facility_id] = replace(
                    c,
                    unit_cost=None,
                    equipment_id=None,
                    reasons=(
                        f"manual assembly ({minutes}): makes {pm.name} [{pm.part}] here, and the "
                        "design declares the final assembly a simple manual step",
                    ),
                )
    out: list[PartMatch] = []
    for pm in parts:
        if pm.is_assembly and pm.part in (root.process, f"{root.process}:{root.id}"):
            listed = {c.facility_id for c in pm.candidates}
            extra = tuple(c for fid, c in sorted(makers.items()) if fid not in listed)
            note = "a manual step: facilities making one of its parts may do it too"
            pm = replace(
                pm,
                candidates=pm.candidates + extra,
                candidate_count=pm.candidate_count + len(extra),
                note=note if pm.note is None else f"{pm.note}; {note}",
            )
        out.append(pm)
    return tuple(out)


def _match_part(
    index: FacilityIndex, req: PartRequirement, request: MatchRequest, view: RequestView
) -> PartMatch:
    if not req.processes:
        why = (
            unresolved_text(req)
            if req.unresolved
            else f"{NO_PROCESS}; add one to the design to match it"
        )
        return PartMatch(
            part=req.label,
            name=req.name,
            quantity=req.quantity,
            is_assembly=req.is_assembly,
            candidate_count=0,
            candidates=(),
            near_misses=(),
            note=_stand_in(req, why),
        )
    part = index.part_view(req)
    ok = part.capable & part.batch_ok & view.passes
    if req.unresolved:
        ok = np.zeros_like(ok)  # no facility is known to meet a term not understood
    found = np.flatnonzero(ok).astype(np.int32)
    candidates = _ranked(index, req, request, view, found)
    near: tuple[NearMiss, ...] = ()
    if found.size < request.top_k:
        near = _near_misses(index, req, request, view, part, ok)
    note = None
    if part.offering_rows.size == 0:
        note = f"no facility in the registry offers {' or '.join(req.processes)}"
        note += " or a more specific process"
    if req.unresolved:
        note = unresolved_text(req) + (f"; {note}" if note else "")
    return PartMatch(
        part=req.label,
        name=req.name,
        quantity=req.quantity,
        is_assembly=req.is_assembly,
        candidate_count=int(found.size),
        candidates=candidates,
        near_misses=near,
        note=_stand_in(req, note),
    )


def _stand_in(req: PartRequirement, note: str | None) -> str | None:
    if not req.stand_in:
        return note
    text = (
        "stand-in: the manifest lists no parts, so this one part stands for the whole design;"
        " its geometry is not known part by part"
    )
    return text if note is None else f"{text}; {note}"


def _ranked(
    index: FacilityIndex,
    req: PartRequirement,
    request: MatchRequest,
    view: RequestView,
    found: IntArray,
) -> tuple[Candidate, ...]:
    if found.size == 0:
        return ()
    cost, weekly = index.costs_and_weekly(req, request, found)
    components = {
        "cost": cost_component(cost),
        "capacity": capacity_component(weekly, req.quantity),
        "certifications": index.has_cert[found].astype(np.float64),
        "data": index.data_quality[found],
    }
    if request.delivery_points:
        components = {"distance": distance_component(view.distance_km[found]), **components}
    score = combine(components)
    k = min(request.top_k, found.size)
    if found.size > k:
        threshold = np.partition(score, found.size - k)[found.size - k]
        keep = np.flatnonzero(score >= threshold)
    else:
        keep = np.arange(found.size)
    order = keep[np.lexsort((index.id_rank[found[keep]], -score[keep]))][:k]
    nearest = index.nearest(request, found[order])
    out: list[Candidate] = []
    for i, near in zip(order, nearest, strict=True):
        facility = index.facilities[int(found[i])]
        verdict = assess(facility, req, request, near)
        out.append(
            Candidate(
                facility_id=facility.id,
                facility_name=facility.name,
                score=float(score[i]),
                score_components={name: round(float(v[i]), 6) for name, v in components.items()},
                distance_km=verdict.distance_km,
                unit_cost=verdict.unit_cost,
                currency=request.currency,
                units_per_week=verdict.units_per_week,
                equipment_id=verdict.equipment_id,
                data_provenance=PROVENANCE_LABEL[float(index.data_quality[found[i]])],
                reasons=(
                    *(f"{c.criterion}: {c.detail}" for c in verdict.criteria),
                    f"cost: {verdict.cost_detail}",
                    f"throughput: {verdict.weekly_detail}",
                ),
            )
        )
    return tuple(out)


def _near_misses(
    index: FacilityIndex,
    req: PartRequirement,
    request: MatchRequest,
    view: RequestView,
    part: PartView,
    ok: BoolArray,
) -> tuple[NearMiss, ...]:
    rows = part.offering_rows
    if request.near_miss_k == 0 or rows.size == 0:
        return ()
    fac = part.offering_facility
    keep = ~ok[fac]
    rows, fac = rows[keep], fac[keep]
    if rows.size == 0:
        return ()
    failures = part.row_failures[keep].astype(np.float64) + view.failures[fac] + ~part.batch_ok[fac]
    failures += bool(req.unresolved)
    if request.delivery_points:
        distance = view.distance_km[fac]
        secondary = np.where(np.isnan(distance), 1e8 + index.id_rank[fac], distance)
    else:
        secondary = index.id_rank[fac].astype(np.float64)
    key = failures * 1e9 + secondary
    chosen: list[int] = []
    take = min(rows.size, request.near_miss_k * 8)
    while True:
        first = np.argpartition(key, take - 1)[:take] if take < key.size else np.arange(key.size)
        chosen = []
        for i in first[np.argsort(key[first], kind="stable")]:
            f = int(fac[i])
            if f not in chosen:
                chosen.append(f)
            if len(chosen) == request.near_miss_k:
                break
        if len(chosen) == request.near_miss_k or take >= key.size:
            break
        take = min(key.size, take * 4)
    out: list[NearMiss] = []
    positions = np.asarray(chosen, dtype=np.int32)
    for f, near in zip(chosen, index.nearest(request, positions), strict=True):
        verdict = assess(index.facilities[f], req, request, near)
        out.append(
            NearMiss(
                facility_id=verdict.facility.id,
                facility_name=verdict.facility.name,
                distance_km=verdict.distance_km,
                failed=verdict.failed,
            )
        )
    return tuple(out)


def why_not(
    index: FacilityIndex,
    design: Design,
    part_id: str,
    facility_id: str,
    request: MatchRequest,
    *,
    hours: QuotedHours | None = None,
) -> list[CriterionResult]:
    """Every criterion for (part, facility), each met or not with its reason, then the unit cost
    and units per week (informational, always ``passed``) with what they come from.

    ``part_id`` is a part id, or the final assembly's label (its process id) or id; ``hours``
    as for :func:`match_design`.
    """
    req = find_requirement(design, part_id, request.quantity, hours)
    if req is None:
        known = ", ".join(r.label for r in requirements_for(design, request.quantity))
        raise InputError(
            f"design {design.id} has no manufactured part {part_id!r}",
            source="why-not",
            field="part",
            hint=f"parts: {known}" if known else "the design has no manufactured parts",
        )
    position = index.position.get(facility_id)
    if position is None:
        raise NotFoundError(f"no facility with id {facility_id!r} in the registry")
    verdict = assess(index.facilities[position], req, request)
    return [
        *verdict.criteria,
        CriterionResult("cost", True, verdict.cost_detail),
        CriterionResult("throughput", True, verdict.weekly_detail),
    ]


def reverse_match(
    facility: Facility,
    designs: Iterable[Design],
    quantity: int = 1,
    *,
    hours: Mapping[str, QuotedHours] | None = None,
) -> list[DesignCoverage]:
    """The designs of which ``facility`` can make at least one part (or the final assembly).

    Only what the facility itself can do is judged (process, material, envelope, tolerance on
    one row; batch size for ``quantity`` products); status, location and the buyer's
    constraints belong to a forward match. Whole designs first, then by share made, then id.
    Each makeable part gets its unit cost at the facility, in the currency of its rate card;
    ``hours`` (design id -> quoted hours as for :func:`match_design`) prices the rates that
    declare no units per hour.
    """
    card = facility.extension.rate_card
    currency = card.currency if card is not None else None
    out: list[DesignCoverage] = []
    for design in designs:
        makeable: list[str] = []
        costs: dict[str, float | None] = {}
        missing: dict[str, tuple[CriterionResult, ...]] = {}
        for req in requirements_for(design, quantity, (hours or {}).get(design.id)):
            capability, _ = capability_criteria(facility, req)
            results = (*capability, capacity_criterion(facility, req))
            failed = tuple(r for r in results if not r.passed)
            if failed:
                missing[req.label] = failed
            else:
                makeable.append(req.label)
                costs[req.label] = (
                    None if currency is None else cost_estimate(facility, req, currency).unit_cost
                )
        if makeable:
            out.append(
                DesignCoverage(
                    design_id=design.id,
                    design_name=design.name,
                    makeable=tuple(makeable),
                    not_makeable=missing,
                    unit_costs=costs,
                    currency=currency,
                )
            )
    out.sort(
        key=lambda c: (
            not c.whole,
            -len(c.makeable) / (len(c.makeable) + len(c.not_makeable)),
            c.design_id,
        )
    )
    return out


def naive_match(
    facilities: Sequence[Facility],
    design: Design,
    request: MatchRequest,
    *,
    hours: QuotedHours | None = None,
) -> dict[str, list[str]]:
    """The per-facility Python loop (the peer's approach), with fabnet's full criteria.

    Returns the ids of every qualifying facility per part label. Used as the benchmark baseline
    and as an independent check of the index in the tests.
    """
    result: dict[str, list[str]] = {}
    for req in requirements_for(design, request.quantity, hours):
        result[req.label] = (
            [f.id for f in facilities if assess(f, req, request).passed] if req.processes else []
        )
    return result
