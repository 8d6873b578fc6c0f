"""Two reference plans, computed before the optimiser and obeying the same rules.

* centralised: per part the cheapest capable sites (unit cost plus setup spread over the whole
  need), as few as their capacity allows, make everything; per assembled product the cheapest
  assembly sites likewise.
* nearest: every (delivery point, product) is served by the nearest capable origin that still
  has capacity (then the next nearest), parts for an assembly site likewise.

Each greedy only chooses *sites*; :func:`baseline_plans` then lets the planner's own model allocate
among those sites (:func:`plan_on_sites`), so a baseline meets minimum lots, capacities and due
dates and is priced exactly like the optimised plan. When the greedy's sites admit no plan (their
minimum lots, or too little capacity before the due dates), the baseline widens by its own rule:
the next cheapest (centralised) or nearest (nearest) sites join until they could hold 2, 4, 8, 16
times each item's need, then every candidate, until the sites admit a plan. A baseline that still
has none within its time share is reported as its greedy allocation, with the rules it breaks
(:attr:`Evaluation.violations`).
The best valid baseline is HiGHS's starting solution and a floor for the returned plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .builder import ModelBuilder
from .highs import run_mip
from .model import Columns, x_unit_cost
from .network import Network, by_origin
from .result import Baseline, evaluate

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _inbound_for(
    net: Network,
    assembled_units: F64,
    pick: dict[int, int] | None,
    nearest: bool,
    allowed: NDArray[np.bool_] | None = None,
) -> F64:
    """Part units per inbound leg to feed ``assembled_units`` at each assembly candidate."""
    inbound = net.inbound
    w = np.zeros(inbound.size)
    remaining = net.cand.capacity.copy()
    per_unit = (
        inbound.transport_per_unit + inbound.duty_per_unit + net.cand.unit_cost[inbound.origin]
        if inbound.size
        else np.zeros(0)
    )
    for a in np.flatnonzero(assembled_units > 0):
        for part in np.flatnonzero(net.bom[net.asm.item[a]]):
            need = assembled_units[a] * net.bom[net.asm.item[a], part]
            legs = np.flatnonzero((inbound.target == a) & (inbound.part == part))
            if allowed is not None and allowed[inbound.origin[legs]].any():
                legs = legs[allowed[inbound.origin[legs]]]
            if not len(legs):
                continue
            if pick is not None:
                chosen = [leg for leg in legs if int(inbound.origin[leg]) == pick.get(int(part))]
                legs_sorted = np.array(chosen or legs[np.argsort(per_unit[legs])][:1])
                w[legs_sorted[np.argmin(per_unit[legs_sorted])]] += need
                continue
            key = inbound.distance_km[legs] if nearest else per_unit[legs]
            for leg in legs[np.lexsort((per_unit[legs], key))]:
                if need <= 1e-9:
                    break
                take = min(need, remaining[inbound.origin[leg]])
                if take > 0:
                    w[leg] += take
                    remaining[inbound.origin[leg]] -= take
                    need -= take
    return w


def _cheapest_cover(item: I64, score: F64, capacity: F64, need: F64) -> NDArray[np.bool_]:
    """Per item, the lowest-score origins until their capacity holds the item's need."""
    chosen = np.zeros(len(item), bool)
    held = np.zeros(len(need))
    for c in np.argsort(score, kind="stable"):
        i = int(item[c])
        if held[i] < need[i] - 1e-9 or not chosen[item == i].any():
            chosen[c] = True
            held[i] += capacity[c]
    return chosen


def _centralised_xw(net: Network) -> tuple[F64, F64]:
    legs = net.delivery
    cand_score = net.cand.unit_cost + net.cand.setup_cost / np.maximum(
        net.part_need[net.cand.item], 1e-9
    )
    product_need = np.bincount(
        net.dk_product, weights=net.dk_qty, minlength=len(net.assembled)
    ).astype(np.float64)
    asm_score = net.asm.unit_cost + net.asm.setup_cost / np.maximum(
        product_need[net.asm.item], 1e-9
    )
    cand_on = _cheapest_cover(net.cand.item, cand_score, net.cand.capacity, net.part_need)
    asm_on = _cheapest_cover(net.asm.item, asm_score, net.asm.capacity, product_need)
    allowed = by_origin(legs.from_assembly, legs.origin, asm_on, cand_on).astype(bool)
    x = np.zeros(legs.size)
    cand_left = np.where(cand_on, net.cand.capacity, 0.0)
    asm_left = np.where(asm_on, net.asm.capacity, 0.0)
    per_unit = x_unit_cost(net) + legs.late_days * 1e-6
    qty = net.dk_qty
    need = np.ones(len(qty))
    order = np.lexsort((per_unit, legs.target))
    for leg in order[allowed[order]]:
        t = int(legs.target[leg])
        if need[t] <= 1e-12 or qty[t] <= 0:
            continue
        left = asm_left if legs.from_assembly[leg] else cand_left
        o = int(legs.origin[leg])
        frac = min(need[t], left[o] / qty[t])
        if frac <= 1e-12:
            continue
        x[leg] = frac
        left[o] -= frac * qty[t]
        need[t] -= frac
    assembled_units = np.zeros(net.asm.size)
    units = x * qty[legs.target]
    np.add.at(assembled_units, legs.origin[legs.from_assembly], units[legs.from_assembly])
    w = _inbound_for(net, assembled_units, None, nearest=False, allowed=cand_on)
    return x, w


def centralised(net: Network) -> Baseline:
    """The centralised greedy allocation as it is (no repair); see :func:`baseline_plans`."""
    x, w = _centralised_xw(net)
    return Baseline("centralised", CENTRALISED, evaluate(net, x, w))


CENTRALISED = "the cheapest capable sites per part, as few as capacity allows, make everything"
NEAREST = "the nearest capable sites with capacity left serve each delivery point"


def _nearest_xw(net: Network) -> tuple[F64, F64]:
    legs = net.delivery
    x = np.zeros(legs.size)
    cand_left = net.cand.capacity.copy()
    asm_left = net.asm.capacity.copy()
    per_unit = x_unit_cost(net)
    qty = net.dk_qty
    order = np.lexsort((per_unit, legs.distance_km, legs.target))
    need = np.ones(len(qty))
    for leg in order:
        t = int(legs.target[leg])
        if need[t] <= 1e-12:
            continue
        left = asm_left if legs.from_assembly[leg] else cand_left
        o = int(legs.origin[leg])
        frac = min(need[t], left[o] / qty[t]) if qty[t] > 0 else 0.0
        if frac <= 1e-12:
            continue
        x[leg] = frac
        left[o] -= frac * qty[t]
        need[t] -= frac
    assembled_units = np.zeros(net.asm.size)
    units = x * qty[legs.target]
    np.add.at(assembled_units, legs.origin[legs.from_assembly], units[legs.from_assembly])
    w = _inbound_for(net, assembled_units, None, nearest=True)
    return x, w


def nearest(net: Network) -> Baseline:
    """The nearest-first greedy allocation as it is (no repair); see :func:`baseline_plans`."""
    x, w = _nearest_xw(net)
    return Baseline("nearest", NEAREST, evaluate(net, x, w))


def _sites(net: Network, x: F64, w: F64) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    legs = net.delivery
    used = x > 1e-9
    cand_on = np.zeros(net.cand.size, bool)
    asm_on = np.zeros(net.asm.size, bool)
    cand_on[legs.origin[used & ~legs.from_assembly]] = True
    asm_on[legs.origin[used & legs.from_assembly]] = True
    cand_on[net.inbound.origin[w > 1e-9]] = True
    return cand_on, asm_on


def plan_on_sites(
    b: ModelBuilder,
    cols: Columns,
    cand_on: NDArray[np.bool_],
    asm_on: NDArray[np.bool_],
    *,
    time_limit_s: float,
    threads: int = 1,
) -> tuple[F64, float] | None:
    """The planner's own model with every site outside ``cand_on`` / ``asm_on`` closed: the best
    plan on those sites (minimum lots, capacities, due dates and options as for the optimiser),
    or None when they admit none within the time limit."""
    h = b.to_highs(relax=False, threads=threads)
    h.setOptionValue("output_flag", False)
    closed = np.concatenate([cols.z_cand[~cand_on], cols.z_asm[~asm_on]]).astype(np.int32)
    if len(closed):
        h.changeColsBounds(len(closed), closed, np.zeros(len(closed)), np.zeros(len(closed)))
    h.setOptionValue("mip_rel_gap", 1e-3)
    run = run_mip(h, time.perf_counter() + max(0.2, time_limit_s))
    if run.values is None or run.objective is None:
        return None
    return run.values[: b.n_cols], run.objective


def _product_need(net: Network) -> F64:
    return np.bincount(net.dk_product, weights=net.dk_qty, minlength=len(net.assembled)).astype(
        np.float64
    )


def _site_scores(net: Network, nearest: bool) -> tuple[F64, F64]:
    """The order in which a baseline adds sites: unit cost with setup spread over the need
    (centralised), or the shortest leg out of the site (nearest)."""
    if not nearest:
        cand = net.cand.unit_cost + net.cand.setup_cost / np.maximum(
            net.part_need[net.cand.item], 1e-9
        )
        asm = net.asm.unit_cost + net.asm.setup_cost / np.maximum(
            _product_need(net)[net.asm.item], 1e-9
        )
        return cand, asm
    legs, inbound = net.delivery, net.inbound
    cand = np.full(net.cand.size, np.inf)
    asm = np.full(net.asm.size, np.inf)
    direct = ~legs.from_assembly
    np.minimum.at(cand, legs.origin[direct], legs.distance_km[direct])
    np.minimum.at(asm, legs.origin[~direct], legs.distance_km[~direct])
    if inbound.size:
        np.minimum.at(cand, inbound.origin, inbound.distance_km)
    return cand, asm


WIDEN_FACTORS = (2.0, 4.0, 8.0, 16.0, np.inf)
"""How far a baseline's sites widen when they admit no plan (multiples of each item's need;
inf: every candidate)."""


def _repaired(
    net: Network,
    b: ModelBuilder,
    cols: Columns,
    cand_on: NDArray[np.bool_],
    asm_on: NDArray[np.bool_],
    nearest: bool,
    *,
    time_limit_s: float,
    threads: int,
) -> tuple[F64, float] | None:
    """The best plan on the greedy's sites, widened by the baseline's own rule while they admit
    none (see the module docstring), within ``time_limit_s`` in all."""
    deadline = time.perf_counter() + time_limit_s
    found = plan_on_sites(b, cols, cand_on, asm_on, time_limit_s=time_limit_s / 2,
                          threads=threads)  # fmt: skip
    if found is not None:
        return found
    cand_score, asm_score = _site_scores(net, nearest)
    need = _product_need(net)
    for factor in WIDEN_FACTORS:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            return None
        if np.isinf(factor):
            more_cand, more_asm = np.ones(net.cand.size, bool), np.ones(net.asm.size, bool)
        else:
            more_cand = _cheapest_cover(
                net.cand.item, cand_score, net.cand.capacity, net.part_need * factor
            )
            more_asm = _cheapest_cover(net.asm.item, asm_score, net.asm.capacity, need * factor)
        wider_cand, wider_asm = cand_on | more_cand, asm_on | more_asm
        if (wider_cand == cand_on).all() and (wider_asm == asm_on).all():
            continue
        cand_on, asm_on = wider_cand, wider_asm
        found = plan_on_sites(b, cols, cand_on, asm_on, time_limit_s=left / 2, threads=threads)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class BaselinePlan:
    baseline: Baseline
    values: F64 | None
    """Model columns of the repaired plan; None when the sites admit no plan."""
    objective: float | None


def baseline_plans(
    net: Network, b: ModelBuilder, cols: Columns, *, time_limit_s: float, threads: int = 1
) -> tuple[BaselinePlan, ...]:
    """Centralised and nearest as plans of the model (see the module docstring)."""
    out = []
    for name, description, greedy, is_nearest in (
        ("centralised", CENTRALISED, _centralised_xw, False),
        ("nearest", NEAREST, _nearest_xw, True),
    ):
        x, w = greedy(net)
        cand_on, asm_on = _sites(net, x, w)
        found = _repaired(net, b, cols, cand_on, asm_on, is_nearest, time_limit_s=time_limit_s,
                          threads=threads)  # fmt: skip
        if found is None:
            out.append(BaselinePlan(Baseline(name, description, evaluate(net, x, w)), None, None))
            continue
        v, objective = found
        evaluation = evaluate(net, v[cols.x], v[cols.w], v[cols.z_cand] > 0.5,
                              v[cols.z_asm] > 0.5)
        out.append(BaselinePlan(Baseline(name, description, evaluation), v, objective))
    return tuple(out)
