"""Two reference plans reported with every optimised plan.

* centralised: per part the single cheapest capable site (unit cost plus its setup spread over the
  whole need) makes everything; per assembled product the cheapest assembly site assembles
  everything; each lane uses its cheapest mode. Capacities are ignored (excess is reported).
* nearest: every (delivery point, product) is served by the nearest capable origin that still
  has capacity (then the next nearest), parts for an assembly site likewise; cheapest mode per lane.

Demand that a baseline cannot reach through the compiled lanes is reported as its shortfall.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .model import x_unit_cost
from .network import Network, by_origin
from .result import Baseline, evaluate

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _cheapest_leg(per_unit: F64, keys: I64, allowed: NDArray[np.bool_]) -> dict[int, int]:
    """For each key, the allowed leg with the lowest per-unit cost."""
    best: dict[int, int] = {}
    order = np.lexsort((per_unit, keys))
    for leg in order[allowed[order]]:
        best.setdefault(int(keys[leg]), int(leg))
    return best


def _inbound_for(
    net: Network, assembled_units: F64, pick: dict[int, int] | None, nearest: bool
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


def centralised(net: Network) -> Baseline:
    legs = net.delivery
    cand_score = net.cand.unit_cost + net.cand.setup_cost / np.maximum(
        net.part_need[net.cand.item], 1e-9
    )
    best_part: dict[int, int] = {}
    for c in np.argsort(cand_score):
        best_part.setdefault(int(net.cand.item[c]), int(c))
    product_need = np.bincount(net.dk_product, weights=net.dk_qty, minlength=len(net.assembled))
    asm_score = net.asm.unit_cost + net.asm.setup_cost / np.maximum(
        product_need[net.asm.item], 1e-9
    )
    best_asm: dict[int, int] = {}
    for a in np.argsort(asm_score):
        best_asm.setdefault(int(net.asm.item[a]), int(a))
    chosen = by_origin(
        legs.from_assembly,
        legs.origin,
        np.array([best_asm.get(int(i), -1) for i in net.asm.item], dtype=np.int64),
        np.array([best_part.get(int(i), -1) for i in net.cand.item], dtype=np.int64),
    )
    allowed = chosen == legs.origin
    pick = _cheapest_leg(x_unit_cost(net) + legs.late_days * 1e-6, legs.target, allowed)
    x = np.zeros(legs.size)
    x[list(pick.values())] = 1.0
    assembled_units = np.zeros(net.asm.size)
    units = x * net.dk_qty[legs.target]
    np.add.at(assembled_units, legs.origin[legs.from_assembly], units[legs.from_assembly])
    w = _inbound_for(net, assembled_units, best_part, nearest=False)
    return Baseline(
        "centralised", "the cheapest capable site per part makes everything", evaluate(net, x, w)
    )


def nearest(net: Network) -> Baseline:
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
    return Baseline(
        "nearest", "greedy: the nearest capable site with capacity left", evaluate(net, x, w)
    )
