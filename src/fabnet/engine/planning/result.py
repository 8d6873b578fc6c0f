"""The planner's output: a frozen :class:`PlanResult` and the evaluator shared with baselines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from fabnet.errors import InfeasibleError

from .network import EXPLICIT_MODE, MODES, Network, by_origin, inbound_arrival_day

F64 = NDArray[np.float64]
TOL = 1e-7


@dataclass(frozen=True)
class ProductionLine:
    part_id: str
    facility_id: str
    quantity: float


@dataclass(frozen=True)
class AssemblyLine:
    product_id: str
    facility_id: str
    quantity: float


@dataclass(frozen=True)
class Flow:
    """Units of a part (to an assembly site) or a product (to a delivery point) on one lane."""

    item_id: str  # part id (to assembly) or product id (to a delivery point)
    origin_facility_id: str
    destination_id: str  # facility id (assembly site) or delivery point id
    to_delivery_point: bool
    mode: str | None  # road, sea, air; None for explicit lanes or same-site moves
    quantity: float
    transport_cost: float
    duty: float
    co2e_kg: float
    transit_days: float


@dataclass(frozen=True)
class CostBreakdown:
    production: float = 0.0
    setup: float = 0.0
    transport: float = 0.0
    duties: float = 0.0
    co2: float = 0.0
    lateness: float = 0.0
    shortfall: float = 0.0

    @property
    def landed(self) -> float:
        """Production + setup + transport + duties."""
        return self.production + self.setup + self.transport + self.duties

    @property
    def total(self) -> float:
        return self.landed + self.co2 + self.lateness + self.shortfall


@dataclass(frozen=True)
class Shortfall:
    delivery_point_id: str
    product_id: str
    quantity: float


@dataclass(frozen=True)
class Evaluation:
    """Costs and service of one plan (the optimised one or a baseline)."""

    costs: CostBreakdown
    co2e_kg: float
    lead_time_days: Mapping[str, float]
    late_days: Mapping[str, float]
    shortfall: tuple[Shortfall, ...]
    local_share: float | None
    facilities_used: tuple[str, ...]
    capacity_excess: Mapping[str, float]
    """Units above capacity per 'part@facility' (baselines may ignore capacities)."""
    violations: tuple[str, ...] = ()
    """Every rule of the order the plan breaks, in words (empty for a valid plan)."""

    @property
    def max_lead_time_days(self) -> float:
        return max(self.lead_time_days.values(), default=0.0)

    @property
    def mean_lead_time_days(self) -> float:
        values = list(self.lead_time_days.values())
        return float(np.mean(values)) if values else 0.0


@dataclass(frozen=True)
class Baseline:
    name: str  # "centralised" | "nearest"
    description: str
    evaluation: Evaluation


@dataclass(frozen=True)
class Savings:
    """What the plan saves against a baseline (positive = the plan is better)."""

    baseline: str
    cost: float
    cost_pct: float
    co2e_kg: float
    co2e_pct: float
    mean_lead_time_days: float
    max_lead_time_days: float


@dataclass(frozen=True)
class SolveStats:
    lp_bound: float | None = None
    strong_rows: int = 0
    pricing_rounds: int = 0
    setups_fixed_closed: int = 0
    setups_fixed_open: int = 0
    columns: int = 0
    rows: int = 0
    lagrangian_bound: float | None = None
    lagrangian_iterations: int = 0
    branch_nodes: int = 0


@dataclass(frozen=True)
class PlanResult:
    status: str  # optimal | time_limit | infeasible | error
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    production: tuple[ProductionLine, ...] = ()
    assembly: tuple[AssemblyLine, ...] = ()
    flows: tuple[Flow, ...] = ()
    evaluation: Evaluation | None = None
    binding_constraints: tuple[str, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    savings: tuple[Savings, ...] = ()
    diagnosis: tuple[str, ...] = ()
    stats: SolveStats = field(default_factory=SolveStats)

    @property
    def has_plan(self) -> bool:
        return self.evaluation is not None

    @property
    def costs(self) -> CostBreakdown | None:
        return self.evaluation.costs if self.evaluation else None

    @property
    def co2e_kg(self) -> float | None:
        return self.evaluation.co2e_kg if self.evaluation else None

    @property
    def lead_time_days(self) -> Mapping[str, float]:
        return self.evaluation.lead_time_days if self.evaluation else MappingProxyType({})

    @property
    def local_share(self) -> float | None:
        return self.evaluation.local_share if self.evaluation else None

    def raise_if_infeasible(self) -> None:
        """Raise :class:`InfeasibleError` naming the causes when there is no plan."""
        if self.status == "infeasible":
            raise InfeasibleError("the order cannot be planned: " + "; ".join(self.diagnosis))


def mode_name(code: int) -> str | None:
    return None if code == EXPLICIT_MODE else MODES[code].value


def evaluate(
    net: Network,
    x: F64,
    w: F64,
    open_cand: NDArray[np.bool_] | None = None,
    open_asm: NDArray[np.bool_] | None = None,
) -> Evaluation:
    """Costs, CO2e, lead times, lateness, shortfall and local share of a plan.

    ``x``: fraction of each demand pair per delivery leg; ``w``: part units per inbound leg.
    Setups default to "open when producing". Lateness is exact per unit.
    """
    p = net.problem
    o = p.options
    legs, inbound = net.delivery, net.inbound
    x = np.where(x > TOL, x, 0.0)
    w = np.where(w > TOL, w, 0.0)
    units = x * net.dk_qty[legs.target]
    cand_out = np.zeros(net.cand.size)
    asm_out = np.zeros(net.asm.size)
    part_legs = ~legs.from_assembly
    np.add.at(cand_out, legs.origin[part_legs], units[part_legs])
    np.add.at(cand_out, inbound.origin, w)
    np.add.at(asm_out, legs.origin[legs.from_assembly], units[legs.from_assembly])
    if open_cand is None:
        open_cand = cand_out > TOL
    if open_asm is None:
        open_asm = asm_out > TOL
    production = float(cand_out @ net.cand.unit_cost + asm_out @ net.asm.unit_cost)
    setup = float(net.cand.setup_cost @ open_cand + net.asm.setup_cost @ open_asm)
    transport = float(
        units @ legs.transport_per_unit
        + w @ inbound.transport_per_unit
        + legs.fixed_per_shipment[units > TOL].sum()
        + inbound.fixed_per_shipment[w > TOL].sum()
    )
    duties = float(units @ legs.duty_per_unit + w @ inbound.duty_per_unit)
    co2e = float(units @ legs.co2e_kg_per_unit + w @ inbound.co2e_kg_per_unit)
    # Timing: parts-ready day per assembly site = latest used inbound arrival (whole days).
    ready = np.zeros(net.asm.size)
    if inbound.size:
        arrival = inbound_arrival_day(net)
        np.maximum.at(ready, inbound.target, np.where(w > TOL, arrival, 0.0))
    path_days = (
        by_origin(legs.from_assembly, legs.origin, ready + net.asm.lead_days, net.cand.lead_days)
        + legs.transit_days
    )
    due = np.array([np.inf if d.due_days is None else d.due_days for d in p.delivery_points])
    point = net.dk_point[legs.target]
    late = np.maximum(0.0, path_days - due[point])
    lateness_cost = float((units * late).sum() * (o.lateness_penalty_per_unit_day or 0.0))
    dp_ids = [d.id for d in p.delivery_points]
    lead: dict[str, float] = {}
    late_days: dict[str, float] = {}
    for leg in np.flatnonzero(units > TOL):
        dp = dp_ids[int(point[leg])]
        lead[dp] = max(lead.get(dp, 0.0), float(path_days[leg]))
        if late[leg] > 1e-9:
            late_days[dp] = max(late_days.get(dp, 0.0), float(late[leg]))
    served = np.zeros(len(net.dk_qty))
    np.add.at(served, legs.target, x)
    missing = np.maximum(0.0, 1.0 - served) * net.dk_qty
    shortfall = tuple(
        Shortfall(
            dp_ids[int(net.dk_point[i])], p.products[int(net.dk_product[i])].id, float(missing[i])
        )
        for i in np.flatnonzero(missing > 1e-6 * np.maximum(net.dk_qty, 1.0))
    )
    shortfall_cost = float(missing.sum() * (o.shortfall_penalty_per_unit or 0.0))
    local_share = _local_share(net, cand_out, asm_out, open_cand, open_asm)
    fac_ids = [f.id for f in p.facilities]
    used = sorted(
        {fac_ids[int(f)] for f in net.cand.facility[open_cand]}
        | {fac_ids[int(f)] for f in net.asm.facility[open_asm]}
    )
    excess: dict[str, float] = {}
    for origins, out, names in (
        (net.cand, cand_out, [pt.id for pt in p.parts]),
        (net.asm, asm_out, [pr.id for pr in p.products]),
    ):
        over = out - origins.capacity
        for i in np.flatnonzero(over > 1e-6 * np.maximum(origins.capacity, 1.0)):
            key = f"{names[int(origins.item[i])]}@{fac_ids[int(origins.facility[i])]}"
            excess[key] = float(over[i])
    violations = _violations(net, cand_out, asm_out, excess, shortfall, late, units,
                             len(used), co2e, local_share)
    costs = CostBreakdown(
        production=production,
        setup=setup,
        transport=transport,
        duties=duties,
        co2=co2e / 1000.0 * o.co2_price_per_t,
        lateness=lateness_cost,
        shortfall=shortfall_cost,
    )
    return Evaluation(
        costs=costs,
        co2e_kg=co2e,
        lead_time_days=MappingProxyType(lead),
        late_days=MappingProxyType(late_days),
        shortfall=shortfall,
        local_share=local_share,
        facilities_used=tuple(used),
        capacity_excess=MappingProxyType(excess),
        violations=violations,
    )


def _violations(
    net: Network,
    cand_out: F64,
    asm_out: F64,
    excess: Mapping[str, float],
    shortfall: tuple[Shortfall, ...],
    late: F64,
    units: F64,
    n_facilities: int,
    co2e: float,
    local_share: float | None,
) -> tuple[str, ...]:
    p = net.problem
    o = p.options
    fac_ids = [f.id for f in p.facilities]
    found = [f"over capacity: {key} by {qty:g} units" for key, qty in excess.items()]
    for origins, out, names in (
        (net.cand, cand_out, [pt.id for pt in p.parts]),
        (net.asm, asm_out, [pr.id for pr in p.products]),
    ):
        # output within the solver's tolerance of zero is no lot (a HiGHS value of 1e-6 units)
        noise = 1e-5 * np.maximum(origins.min_lot, 1.0)
        below = (out > noise) & (out < origins.min_lot - 1e-6 * np.maximum(origins.min_lot, 1.0))
        for i in np.flatnonzero(below):
            found.append(
                f"below the minimum lot: {names[int(origins.item[i])]}@"
                f"{fac_ids[int(origins.facility[i])]} makes {out[i]:g} of at least "
                f"{origins.min_lot[i]:g}"
            )
    if o.shortfall_penalty_per_unit is None:
        found.extend(f"not delivered: {s.quantity:g} x {s.product_id} to {s.delivery_point_id}"
                     for s in shortfall)
    if o.lateness_penalty_per_unit_day is None:
        point = net.dk_point[net.delivery.target]
        late_points = {int(point[leg]) for leg in np.flatnonzero((units > TOL) & (late > 1e-9))}
        for k in sorted(late_points):
            found.append(f"late: delivery point {p.delivery_points[k].id} misses its due date")
    if o.max_facilities is not None and n_facilities > o.max_facilities:
        found.append(f"uses {n_facilities} facilities, more than the {o.max_facilities} allowed")
    if o.co2_budget_kg is not None and co2e > o.co2_budget_kg * (1 + 1e-6) + 1e-6:
        found.append(f"emits {co2e:g} kg CO2e, over the budget of {o.co2_budget_kg:g} kg")
    if o.local_share is not None and (local_share or 0.0) < o.local_share.min_share - 1e-6:
        found.append(
            f"local share {(local_share or 0.0):.0%} is below the "
            f"{o.local_share.min_share:.0%} asked"
        )
    return tuple(found)


def _local_share(
    net: Network,
    cand_out: F64,
    asm_out: F64,
    open_cand: NDArray[np.bool_],
    open_asm: NDArray[np.bool_],
) -> float | None:
    share = net.problem.options.local_share
    if share is None:
        return None
    countries = {c.upper() for c in share.countries}
    local = np.array(
        [
            (f.country or "").upper() in countries
            or (f.region is not None and f.region in share.regions)
            for f in net.problem.facilities
        ],
        dtype=bool,
    )
    spend_c = cand_out * net.cand.unit_cost + open_cand * net.cand.setup_cost
    spend_a = asm_out * net.asm.unit_cost + open_asm * net.asm.setup_cost
    total = float(spend_c.sum() + spend_a.sum())
    if total <= 0:
        return None
    loc = float(spend_c[local[net.cand.facility]].sum() + spend_a[local[net.asm.facility]].sum())
    return loc / total


def savings(plan: Evaluation, baseline: Baseline) -> Savings:
    b = baseline.evaluation
    cost = b.costs.total - plan.costs.total
    co2 = b.co2e_kg - plan.co2e_kg
    return Savings(
        baseline=baseline.name,
        cost=cost,
        cost_pct=100.0 * cost / b.costs.total if b.costs.total else 0.0,
        co2e_kg=co2,
        co2e_pct=100.0 * co2 / b.co2e_kg if b.co2e_kg else 0.0,
        mean_lead_time_days=b.mean_lead_time_days - plan.mean_lead_time_days,
        max_lead_time_days=b.max_lead_time_days - plan.max_lead_time_days,
    )
