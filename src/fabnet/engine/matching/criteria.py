"""Every criterion of a match, judged for one (part, facility) pair with its reason in words.

This is the reference semantics: the vectorised index (:mod:`.index`) must select exactly the
facilities for which :func:`assess` passes every criterion (the tests check both agree), and
every reason, near-miss and why-not answer is written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from fabnet.domain.common import BoardLimits, Dimensions, Provenance
from fabnet.domain.facility import Facility, ProcessRate
from fabnet.engine.matching.capability import CapabilityRow, capability_rows
from fabnet.engine.matching.request import DeliveryPoint, MatchRequest
from fabnet.engine.matching.requirement import PartRequirement
from fabnet.engine.matching.scoring import (
    data_quality,
    max_batch,
    rate_units_per_week,
    unit_cost,
)
from fabnet.engine.matching.terms import Terms, material_terms, process_terms
from fabnet.errors import InputError
from fabnet.geo.distance import haversine_km
from fabnet.vocab.certifications import normalise_certification
from fabnet.vocab.tolerance import meets_tolerance, tolerance_fineness_um


@dataclass(frozen=True)
class CriterionResult:
    """One criterion for one (part, facility): met or not, and why, in words."""

    criterion: str
    passed: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class Assessment:
    """All criteria of one (part, facility) plus the numbers the score uses, with their basis
    in words (``cost_detail``, ``weekly_detail``)."""

    facility: Facility
    criteria: tuple[CriterionResult, ...]
    equipment_id: str | None
    distance_km: float | None
    unit_cost: float | None
    units_per_week: float | None
    cost_detail: str = ""
    weekly_detail: str = ""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if not c.passed)


def fmt_dims(dims: Dimensions) -> str:
    return f"{dims.x_mm:g}×{dims.y_mm:g}×{dims.z_mm:g} mm"


def _or_list(items: Sequence[str]) -> str:
    return " or ".join(items) if items else "nothing"


@lru_cache(maxsize=4096)
def normalised_certification(text: str) -> str:
    """A facility's certification in normal form; text that no rule knows is kept trimmed."""
    try:
        return normalise_certification(text)
    except InputError:
        return text.strip()


def nearest_point(
    facility: Facility, points: Sequence[DeliveryPoint]
) -> tuple[float, DeliveryPoint] | None:
    loc = facility.location
    if not points or loc.latitude is None or loc.longitude is None:
        return None
    best: tuple[float, DeliveryPoint] | None = None
    for point in points:
        d = float(haversine_km(point.latitude, point.longitude, loc.latitude, loc.longitude))
        if best is None or d < best[0]:
            best = (d, point)
    return best


@lru_cache(maxsize=4096)
def tolerance_met(offered: str, required: str) -> bool:
    """``offered`` at least as fine as ``required`` (at the vocabulary's default nominal size).

    A requirement no vocabulary knows is the user's error and raises; an offered class that
    cannot be read is not proof of anything and does not meet.
    """
    tolerance_fineness_um(required)
    try:
        return meets_tolerance(offered, required)
    except InputError:
        return False


# -- capability: process, material, envelope, tolerance on one row ---------------------------


def _process(row: CapabilityRow, req: PartRequirement, terms: Terms) -> CriterionResult:
    for offered in row.processes:
        for required in req.processes:
            if terms.satisfies(offered, required):
                how = "" if offered == required else f", which meets {required}"
                return CriterionResult("process", True, f"{row.label} offers {offered}{how}")
    return CriterionResult(
        "process",
        False,
        f"{row.label} offers {', '.join(row.processes)}; needs {_or_list(req.processes)}",
    )


def _material(row: CapabilityRow, req: PartRequirement, terms: Terms) -> CriterionResult:
    if not req.materials:
        return CriterionResult("material", True, "part names no material")
    if not row.materials:
        return CriterionResult(
            "material",
            False,
            f"{row.label}: no materials declared; part needs {_or_list(req.materials)}",
        )
    for offered in row.materials:
        for required in req.materials:
            if terms.satisfies(offered, required):
                how = "" if offered == required else f", which is a kind of {required}"
                return CriterionResult("material", True, f"works {offered}{how}")
    return CriterionResult(
        "material",
        False,
        f"{row.label} works {', '.join(row.materials)}; part needs {_or_list(req.materials)}"
        " (or a more specific kind)",
    )


def _envelope(row: CapabilityRow, req: PartRequirement) -> CriterionResult:
    if req.board is not None:
        return CriterionResult(
            "envelope", True, "a PCB: its size is judged against board limits (see board)"
        )
    if req.dimensions is None:
        return CriterionResult("envelope", True, "part has no outer dimensions")
    part = fmt_dims(req.dimensions)
    if row.envelope is None:
        return CriterionResult(
            "envelope", False, f"{row.label}: no build volume declared; part is {part}"
        )
    if req.dimensions.fits_in(row.envelope):
        return CriterionResult("envelope", True, f"part {part} fits {fmt_dims(row.envelope)}")
    over = [
        (p, e) for p, e in zip(req.dimensions.sorted(), row.envelope.sorted(), strict=True) if p > e
    ]
    worst_p, worst_e = max(over, key=lambda pe: pe[0] - pe[1])
    return CriterionResult(
        "envelope",
        False,
        f"{row.label}: build volume {fmt_dims(row.envelope)}, part {part}: does not fit in any"
        f" orientation ({worst_p:g} mm side against {worst_e:g} mm)",
    )


def fmt_board(board: BoardLimits) -> str:
    """``board 120 x 80 mm, 6 layers, pitch 0.3 mm`` (the figures given)."""
    words = []
    if board.x_mm is not None and board.y_mm is not None:
        words.append(f"board {board.x_mm:g} x {board.y_mm:g} mm")
    if board.layers is not None:
        words.append(f"{board.layers} layers")
    if board.pitch_mm is not None:
        words.append(f"pitch {board.pitch_mm:g} mm")
    return ", ".join(words)


def board_met(have: BoardLimits | None, need: BoardLimits) -> bool:
    """Every figure the part gives is declared by the equipment and within its limits."""
    if have is None:
        return False
    sides, limit = need.sides(), have.sides()
    if sides is not None and (limit is None or sides[0] > limit[0] or sides[1] > limit[1]):
        return False
    if need.layers is not None and (have.layers is None or have.layers < need.layers):
        return False
    return need.pitch_mm is None or (have.pitch_mm is not None and have.pitch_mm <= need.pitch_mm)


def _board(row: CapabilityRow, req: PartRequirement) -> CriterionResult:
    need = req.board
    if need is None:
        return CriterionResult("board", True, "part is not a PCB")
    have = row.board
    if have is None:
        return CriterionResult(
            "board",
            False,
            f"{row.label}: no board limits declared (largest board, layers, finest pitch);"
            f" the part is a PCB: {fmt_board(need)}",
        )
    met: list[str] = []
    problems: list[str] = []
    sides, limit = need.sides(), have.sides()
    if sides is not None:
        board = f"board {need.x_mm:g} x {need.y_mm:g} mm"
        if limit is None:
            problems.append(f"no largest board declared; {board}")
        else:
            panel = f"the {have.x_mm:g} x {have.y_mm:g} mm panel"
            if sides[0] <= limit[0] and sides[1] <= limit[1]:
                met.append(f"{board} fits {panel}")
            else:
                problems.append(f"{board} exceeds {panel}")
    if need.layers is not None:
        if have.layers is None:
            problems.append(f"no layer count declared; needs {need.layers} layers")
        elif have.layers < need.layers:
            problems.append(f"needs {need.layers} layers, makes up to {have.layers}")
        else:
            met.append(f"{need.layers} layers, makes up to {have.layers}")
    if need.pitch_mm is not None:
        if have.pitch_mm is None:
            problems.append(f"no smallest pitch declared; needs pitch {need.pitch_mm:g} mm")
        elif have.pitch_mm > need.pitch_mm:
            problems.append(f"pitch {need.pitch_mm:g} mm finer than {have.pitch_mm:g} mm")
        else:
            met.append(f"pitch {need.pitch_mm:g} mm, handles down to {have.pitch_mm:g} mm")
    if problems:
        return CriterionResult("board", False, f"{row.label}: " + "; ".join(problems))
    return CriterionResult("board", True, "; ".join(met))


def _tolerance(row: CapabilityRow, req: PartRequirement) -> CriterionResult:
    if req.tolerance_class is None:
        return CriterionResult("tolerance", True, "part names no tolerance class")
    if row.tolerance_class is None:
        return CriterionResult(
            "tolerance",
            False,
            f"{row.label}: no tolerance class declared; part needs {req.tolerance_class}",
        )
    if tolerance_met(row.tolerance_class, req.tolerance_class):
        return CriterionResult(
            "tolerance", True, f"{row.tolerance_class} meets {req.tolerance_class}"
        )
    return CriterionResult(
        "tolerance",
        False,
        f"{row.label}: tolerance {row.tolerance_class} is coarser than required"
        f" {req.tolerance_class}",
    )


def _row_flags(
    rows: Sequence[CapabilityRow], req: PartRequirement
) -> list[tuple[bool, bool, bool, bool, bool]]:
    """Process, material, envelope, tolerance and board met by each row (no text: cheap)."""
    processes, materials = process_terms(), material_terms()
    need_process = frozenset(req.processes)
    need_material = frozenset(req.materials)
    board = req.board
    sides = req.dimensions.sorted() if req.dimensions is not None and board is None else None
    required_tolerance = req.tolerance_class
    flags = []
    for row in rows:
        flags.append(
            (
                any(not need_process.isdisjoint(processes.closure(o)) for o in row.processes),
                not need_material
                or any(not need_material.isdisjoint(materials.closure(m)) for m in row.materials),
                sides is None
                or (
                    row.sides is not None
                    and sides[0] <= row.sides[0]
                    and sides[1] <= row.sides[1]
                    and sides[2] <= row.sides[2]
                ),
                required_tolerance is None
                or (
                    row.tolerance_class is not None
                    and tolerance_met(row.tolerance_class, required_tolerance)
                ),
                board is None or board_met(row.board, board),
            )
        )
    return flags


def _row_text(row: CapabilityRow, req: PartRequirement, criterion: int) -> CriterionResult:
    if criterion == 0:
        return _process(row, req, process_terms())
    if criterion == 1:
        return _material(row, req, material_terms())
    if criterion == 2:
        return _envelope(row, req)
    if criterion == 3:
        return _tolerance(row, req)
    return _board(row, req)


def _criteria_of(req: PartRequirement) -> tuple[int, ...]:
    """The row criteria shown: board only for a PCB."""
    return (0, 1, 2, 3, 4) if req.board is not None else (0, 1, 2, 3)


def capability_criteria(
    facility: Facility, req: PartRequirement
) -> tuple[tuple[CriterionResult, ...], str | None]:
    """Process, material, envelope, tolerance (and board, for a PCB), all on the same row when
    any row passes.

    Returns the results of the best row (fewest failures among rows that offer the process)
    and that row's equipment id. When no row offers the process, each other criterion says
    whether any row at all would meet it.
    """
    if req.tolerance_class is not None:
        tolerance_fineness_um(req.tolerance_class)  # an unreadable requirement raises
    if not req.processes:
        if req.unresolved:
            return (CriterionResult("terms", False, unresolved_text(req)),), None
        return (CriterionResult("process", False, NO_PROCESS),), None
    found, equipment_id = _capability_criteria(facility, req)
    if req.unresolved:
        return (CriterionResult("terms", False, unresolved_text(req)), *found), None
    return found, equipment_id


NO_PROCESS = "no process declared"


def unresolved_text(req: PartRequirement) -> str:
    """Why a part with terms no vocabulary understood cannot be shown to be met anywhere."""
    return (
        "; ".join(req.unresolved)
        + " — no facility is known to meet a term fabnet does not understand"
    )


def _capability_criteria(
    facility: Facility, req: PartRequirement
) -> tuple[tuple[CriterionResult, ...], str | None]:
    rows = capability_rows(facility)
    if not rows:
        return (
            CriterionResult(
                "process",
                False,
                f"declares no processes or equipment; needs {_or_list(req.processes)}",
            ),
        ), None
    flags = _row_flags(rows, req)
    offering = [i for i, f in enumerate(flags) if f[0]]
    if offering:
        best = min(offering, key=lambda i: sum(not ok for ok in flags[i]))
        row = rows[best]
        return tuple(_row_text(row, req, c) for c in _criteria_of(req)), row.equipment_id
    offered = sorted({p for row in rows for p in row.processes})
    general = sorted(
        {p for p in offered for r in req.processes if p != r and process_terms().satisfies(r, p)}
    )
    note = f"; {', '.join(general)} is more general, not proof of it" if general else ""
    process = CriterionResult(
        "process",
        False,
        f"offers {', '.join(offered)}; needs {_or_list(req.processes)} or a more specific"
        f" process{note}",
    )
    others: list[CriterionResult] = []
    for criterion in _criteria_of(req)[1:]:
        meeting = [i for i, f in enumerate(flags) if f[criterion]]
        if meeting:
            met = _row_text(rows[meeting[0]], req, criterion)
            others.append(CriterionResult(met.criterion, True, f"{met.detail} (other equipment)"))
        else:
            others.append(_row_text(rows[0], req, criterion))
    return (process, *others), None


# -- facility-level criteria ------------------------------------------------------------------


def capacity_criterion(facility: Facility, req: PartRequirement) -> CriterionResult:
    limit = max_batch(facility)
    if limit is None:
        return CriterionResult(
            "capacity", True, f"largest batch not declared; {req.quantity} needed"
        )
    if req.quantity > limit:
        return CriterionResult(
            "capacity", False, f"largest batch {limit:g}, order needs {req.quantity}"
        )
    shown = "unbounded" if math.isinf(limit) else f"{limit:g}"
    return CriterionResult("capacity", True, f"largest batch {shown} covers {req.quantity}")


def facility_criteria(
    facility: Facility, request: MatchRequest, nearest: tuple[float, DeliveryPoint] | None
) -> tuple[CriterionResult, ...]:
    out: list[CriterionResult] = []
    if facility.status in request.statuses:
        out.append(CriterionResult("status", True, f"status {facility.status.value}"))
    else:
        allowed = ", ".join(sorted(s.value for s in request.statuses))
        out.append(
            CriterionResult("status", False, f"status {facility.status.value}; allowed: {allowed}")
        )
    if request.access_types is None:
        out.append(CriterionResult("access", True, "any access type allowed"))
    elif facility.access_type is None:
        out.append(CriterionResult("access", False, "access type not declared"))
    else:
        ok = facility.access_type in request.access_types
        kinds = ", ".join(sorted(a.value for a in request.access_types))
        out.append(
            CriterionResult(
                "access",
                ok,
                f"access {facility.access_type.value}" + ("" if ok else f"; allowed: {kinds}"),
            )
        )
    out.append(_country(facility, request))
    out.append(_distance(facility, request, nearest))
    out.append(_certifications(facility, request))
    quality = data_quality(facility)
    label = {1.0: "declared", 0.5: "imported"}.get(quality, "synthetic")
    if not request.include_synthetic and facility.provenance.any_synthetic:
        out.append(
            CriterionResult("data", False, "synthetic data; the request excludes synthetic data")
        )
    else:
        out.append(CriterionResult("data", True, f"capability data {label}"))
    return tuple(out)


def facility_country(facility: Facility) -> str | None:
    country = facility.location.country
    return country.strip().upper() if country else None


def _country(facility: Facility, request: MatchRequest) -> CriterionResult:
    if request.countries is None and not request.excluded_countries:
        return CriterionResult("country", True, "no country constraint")
    country = facility_country(facility)
    if country is None:
        return CriterionResult(
            "country", False, "no country declared; cannot check the country constraint"
        )
    if request.countries is not None and country not in request.countries:
        allowed = ", ".join(sorted(request.countries))
        return CriterionResult("country", False, f"in {country}; allowed: {allowed}")
    if country in request.excluded_countries:
        return CriterionResult("country", False, f"in {country}, which the request excludes")
    return CriterionResult("country", True, f"in {country}")


def _distance(
    facility: Facility, request: MatchRequest, nearest: tuple[float, DeliveryPoint] | None
) -> CriterionResult:
    if not request.delivery_points:
        return CriterionResult("distance", True, "no delivery point given")
    radius = request.radius_km
    if nearest is None:
        if radius is not None:
            return CriterionResult(
                "distance", False, f"no coordinates; cannot show it is within {radius:g} km"
            )
        return CriterionResult("distance", True, "no coordinates; distance unknown")
    km, point = nearest
    where = f"{km:.1f} km from {point.label or 'the delivery point'}"
    if facility.provenance.location is Provenance.APPROXIMATE:
        where = f"approximately {where} (placed at its city, no coordinates given)"
    if radius is not None and km > radius:
        return CriterionResult("distance", False, f"{where}, beyond {radius:g} km")
    suffix = f", within {radius:g} km" if radius is not None else ""
    return CriterionResult("distance", True, where + suffix)


def _certifications(facility: Facility, request: MatchRequest) -> CriterionResult:
    if not request.required_certifications:
        return CriterionResult("certifications", True, "no certification required")
    held = {normalised_certification(c) for c in facility.certifications}
    missing = sorted(request.required_certifications - held)
    if missing:
        holds = ", ".join(sorted(held)) or "none declared"
        return CriterionResult(
            "certifications", False, f"lacks {', '.join(missing)} (holds: {holds})"
        )
    return CriterionResult(
        "certifications", True, f"holds {', '.join(sorted(request.required_certifications))}"
    )


# -- cost and capacity numbers ------------------------------------------------------------------


def quoted_hours(rate_process: str, req: PartRequirement) -> float | None:
    """The part's quoted hours per unit for a rate's process: those of the rate's own process
    when quoted, else those of a required process that the rate's process meets; else None."""
    hours = req.hours
    if not hours:
        return None
    found = hours.get(rate_process)
    if found is not None:
        return found
    terms = process_terms()
    for required in req.processes:
        found = hours.get(required)
        if found is not None and terms.satisfies(rate_process, required):
            return found
    return None


@dataclass(frozen=True)
class CostEstimate:
    """Cheapest unit cost and best units/week of one (part, facility), each with its basis."""

    unit_cost: float | None
    units_per_week: float | None
    cost_detail: str
    weekly_detail: str


def _machine_text(rate: ProcessRate, hours: float | None, currency: str) -> str:
    if rate.hourly_rate == 0:
        return "no machine charge"
    if rate.units_per_hour is not None:
        return f"{rate.hourly_rate:.2f} {currency}/h / {rate.units_per_hour:g} units/h declared"
    return f"{hours:.3g} h quoted x {rate.hourly_rate:.2f} {currency}/h"


def _cost_text(
    rate: ProcessRate, req: PartRequirement, hours: float | None, cost: float, currency: str
) -> str:
    text = f"{cost:.2f} {currency}/unit from {_machine_text(rate, hours, currency)}"
    if rate.material_cost_per_kg and req.mass_g is not None:
        text += (
            f" + material {req.mass_g / 1000.0:g} kg x {rate.material_cost_per_kg:.2f}"
            f" {currency}/kg"
        )
    if rate.setup_cost:
        text += f" + setup {rate.setup_cost:.2f} {currency} / {req.quantity} units"
    if rate.minimum_lot > req.quantity:
        text += f" (minimum lot {rate.minimum_lot} paid for)"
    return f"{text} ({rate.process} rate)"


def _no_cost_reason(rate: ProcessRate, req: PartRequirement, hours: float | None) -> str:
    if rate.hourly_rate != 0 and rate.units_per_hour is None and hours is None:
        return (
            f"the {rate.process} rate declares no units per hour and {req.label} has no quoted"
            " hours for it"
        )
    return f"the {rate.process} rate prices material per kg and {req.label} declares no mass"


def cost_estimate(facility: Facility, req: PartRequirement, currency: str) -> CostEstimate:
    """Cheapest unit cost (in ``currency``) and best units/week over the applicable rates, and
    what each comes from, in words (see :mod:`.scoring` for the formulas)."""
    card = facility.extension.rate_card
    capacity = facility.extension.capacity
    best_cost: tuple[float, str] | None = None
    best_weekly: tuple[float, str] | None = None
    unpriced: list[str] = []
    applicable = False
    if card is not None:
        terms = process_terms()
        for rate in card.rates:
            if not any(terms.satisfies(rate.process, r) for r in req.processes):
                continue
            applicable = True
            hours = quoted_hours(rate.process, req) if rate.units_per_hour is None else None
            if card.currency == currency:
                cost = unit_cost(rate, req.quantity, req.mass_g, hours)
                if cost is None:
                    unpriced.append(_no_cost_reason(rate, req, hours))
                elif best_cost is None or cost < best_cost[0]:
                    best_cost = (cost, _cost_text(rate, req, hours, cost, currency))
            if capacity is not None:
                weekly = rate_units_per_week(rate, capacity.hours_per_week, hours)
                if weekly is not None and (best_weekly is None or weekly > best_weekly[0]):
                    hpw = capacity.hours_per_week
                    basis = (
                        f"{rate.units_per_hour:g} units/h x {hpw:g} h/week"
                        if rate.units_per_hour is not None
                        else f"{hpw:g} h/week / {hours:.3g} h quoted"
                    )
                    best_weekly = (
                        weekly,
                        f"{weekly:.1f} units/week from {basis} ({rate.process} rate)",
                    )
    if best_cost is not None:
        cost_value: float | None = best_cost[0]
        cost_detail = best_cost[1]
    else:
        cost_value = None
        if card is None:
            cost_detail = "unknown: no rate card"
        elif not applicable:
            cost_detail = f"unknown: no rate for {_or_list(req.processes)}"
        elif card.currency != currency:
            cost_detail = f"unknown: rates in {card.currency}, request in {currency}"
        else:
            cost_detail = "unknown: " + "; ".join(dict.fromkeys(unpriced))
    if capacity is not None and capacity.units_per_week is not None:
        weekly_value: float | None = float(capacity.units_per_week)
        weekly_detail = f"{capacity.units_per_week} units/week declared"
    elif best_weekly is not None:
        weekly_value, weekly_detail = best_weekly
    else:
        weekly_value = None
        weekly_detail = (
            "unknown: no capacity record"
            if capacity is None
            else "unknown: no rate declares units per hour and no quoted hours apply"
        )
    return CostEstimate(cost_value, weekly_value, cost_detail, weekly_detail)


def cost_and_throughput(
    facility: Facility, req: PartRequirement, currency: str
) -> tuple[float | None, float | None]:
    """Cheapest unit cost (in ``currency``) and best units/week over the applicable rates."""
    estimate = cost_estimate(facility, req, currency)
    return estimate.unit_cost, estimate.units_per_week


def assess(
    facility: Facility,
    req: PartRequirement,
    request: MatchRequest,
    nearest: tuple[float, DeliveryPoint] | Literal["compute"] | None = "compute",
) -> Assessment:
    """Every criterion for one (part, facility), in a fixed order, with the score's numbers.

    ``nearest`` (km, delivery point) may be passed when the caller computed it in bulk.
    """
    capability, equipment_id = capability_criteria(facility, req)
    if nearest == "compute":
        nearest = nearest_point(facility, request.delivery_points)
    criteria = (
        *capability,
        capacity_criterion(facility, req),
        *facility_criteria(facility, request, nearest),
    )
    estimate = cost_estimate(facility, req, request.currency)
    return Assessment(
        facility=facility,
        criteria=criteria,
        equipment_id=equipment_id,
        distance_km=None if nearest is None else nearest[0],
        unit_cost=estimate.unit_cost,
        units_per_week=estimate.units_per_week,
        cost_detail=estimate.cost_detail,
        weekly_detail=estimate.weekly_detail,
    )
