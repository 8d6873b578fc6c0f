"""A first plan for single-sourced facility location: Lagrangian guidance plus local search.

With single sourcing every (delivery point, part) pair is served whole by one candidate, so the
model is a capacitated facility location problem with 0-1 assignments. HiGHS proves such models
far faster from a near-optimal incumbent than from its own (Holmberg p58: 65 s without a plan,
16 s from the optimum), so this module looks for one before the MIP starts:

* relax the demand rows with multipliers ``u``: each candidate then picks the pairs whose
  multiplier exceeds their cost (a 0-1 knapsack over its capacity, filled greedily by profit per
  unit) and opens when its setup is below the profit; a subgradient step on the pairs served
  zero or several times moves ``u`` (Holmberg, Rönnqvist & Yuan 1999);
* every few steps the candidates the relaxation opens are turned into a plan: pairs by regret
  (the gap between their two cheapest open legs) to the cheapest open leg with room, then
  improved by moving single pairs, swapping two pairs between candidates and closing candidates
  whose pairs fit elsewhere.

The result is only ever a starting plan: HiGHS still decides the optimum and proves it. Pure
numpy on dense candidate x pair matrices; models too large for those are left to the MIP.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .lagrangian import LocationView

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B1 = NDArray[np.bool_]

IMPROVE_WITHIN = 0.02
"""Constructed plans at most this much above the best plan are improved by local search."""
STALL_STEPS = 1000
"""Subgradient steps without a better plan after which the search stops."""
POOL_PLANS = 5
"""The candidates of this many best plans form the pool a restricted MIP searches."""
MAX_DENSE = 4_000_000
"""Largest candidate x pair matrix worked on (32 MB per float matrix)."""


@dataclass(frozen=True)
class _Dense:
    cost: F64  # candidate x pair: cheapest leg's cost, inf where none
    col: I64  # candidate x pair: that leg's column, -1 where none
    qty: F64  # per pair: units
    capacity: F64
    setup: F64
    item: I64  # part of each candidate
    need: F64  # per part: capacity the open setups must cover
    shortfall: F64  # per pair: cost of leaving it unserved (inf: must be served)


def _dense(view: LocationView) -> _Dense | None:
    m, n = view.n_setups, view.n_pairs
    if m == 0 or n == 0 or m * n > MAX_DENSE:
        return None
    cost = np.full((m, n), np.inf)
    col = np.full((m, n), -1, np.int64)
    # the cheapest leg (mode) of each (candidate, pair): first of its key in cost order
    order = np.lexsort((view.leg_cost, view.leg_target, view.leg_origin))
    key = view.leg_origin[order] * n + view.leg_target[order]
    first = order[np.unique(key, return_index=True)[1]]
    cost[view.leg_origin[first], view.leg_target[first]] = view.leg_cost[first]
    col[view.leg_origin[first], view.leg_target[first]] = view.leg_col[first]
    qty = np.zeros(n)
    qty[view.leg_target] = view.leg_qty
    shortfall = view.shortfall_cost if len(view.s_col) else np.full(n, np.inf)
    return _Dense(
        cost, col, qty, view.capacity.astype(np.float64), view.setup_cost, view.item,
        view.need, shortfall,
    )  # fmt: skip


@dataclass
class _Assignment:
    to: I64  # per pair: candidate, -1 unserved
    objective: float


def _objective(d: _Dense, to: I64) -> float:
    served = to >= 0
    pairs = np.flatnonzero(served)
    total = float(d.cost[to[pairs], pairs].sum())
    total += float(d.shortfall[~served].sum())
    total += float(d.setup[np.unique(to[pairs])].sum())
    return total


def _construct(d: _Dense, opened: B1) -> I64 | None:
    """Pairs by regret to their cheapest open candidate with room; None when a pair that must
    be served finds none."""
    n = len(d.qty)
    c = np.where(opened[:, None], d.cost, np.inf)
    two = np.sort(c, axis=0)[:2] if c.shape[0] > 1 else np.vstack([c[:1], c[:1]])
    with np.errstate(invalid="ignore"):  # inf - inf for pairs no open candidate serves
        regret = np.where(np.isfinite(two[1]), two[1] - two[0], 1e18)
    room = np.where(opened, d.capacity, 0.0)
    to = np.full(n, -1, np.int64)
    for t in np.argsort(-regret, kind="stable").tolist():
        q = d.qty[t]
        options = np.where(room >= q - 1e-9, c[:, t], np.inf)
        i = int(np.argmin(options))
        if math.isfinite(options[i]) and options[i] <= d.shortfall[t]:
            to[t] = i
            room[i] -= q
        elif not math.isfinite(d.shortfall[t]):
            return None
    return to


def _improve(d: _Dense, to: I64, deadline: float) -> I64:
    """Local search: single moves, pair swaps and closing candidates, until none pays."""
    m, n = d.cost.shape
    to = to.copy()
    load = np.zeros(m)
    np.add.at(load, to[to >= 0], d.qty[to >= 0])
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        count = np.bincount(to[to >= 0], minlength=m)
        for t in range(n):
            i = int(to[t])
            if i < 0:
                continue
            if t % 64 == 0 and time.perf_counter() >= deadline:
                return to
            q = d.qty[t]
            here = d.cost[i, t] + (d.setup[i] if count[i] == 1 else 0.0)
            room = d.capacity - load
            room[i] = -1.0
            move = d.cost[:, t] + np.where(count > 0, 0.0, d.setup)
            move = np.where(room >= q - 1e-9, move, np.inf)
            k = int(np.argmin(move))
            if move[k] < here - 1e-9:
                to[t] = k
                load[i] -= q
                load[k] += q
                count[i] -= 1
                count[k] += 1
                improved = True
        served = np.flatnonzero(to >= 0)
        for t in served.tolist():
            i = int(to[t])
            if i < 0:
                continue
            if t % 64 == 0 and time.perf_counter() >= deadline:
                return to
            others = served[(to[served] != i) & (to[served] >= 0)]
            if not len(others):
                continue
            k = to[others]
            delta = d.cost[k, t] + d.cost[i, others] - d.cost[i, t] - d.cost[k, others]
            fits = (load[k] - d.qty[others] + d.qty[t] <= d.capacity[k] + 1e-9) & (
                load[i] - d.qty[t] + d.qty[others] <= d.capacity[i] + 1e-9
            )
            delta = np.where(fits & np.isfinite(delta), delta, np.inf)
            best = int(np.argmin(delta))
            if delta[best] < -1e-9:
                t2, k2 = int(others[best]), int(k[best])
                to[t], to[t2] = k2, i
                load[i] += d.qty[t2] - d.qty[t]
                load[k2] += d.qty[t] - d.qty[t2]
                improved = True
        for i in np.flatnonzero(np.bincount(to[to >= 0], minlength=m)).tolist():
            if time.perf_counter() >= deadline:
                break
            trial = _close(d, to, load, i)
            if trial is not None:
                to, load = trial
                improved = True
        current = _objective(d, to)
        for k in np.flatnonzero(np.bincount(to[to >= 0], minlength=m) == 0).tolist():
            if time.perf_counter() >= deadline:
                break
            trial_to = _open(d, to, k)
            if trial_to is not None:
                value = _objective(d, trial_to)
                if value < current - 1e-9:
                    to, current, improved = trial_to, value, True
                    load = np.zeros(m)
                    np.add.at(load, to[to >= 0], d.qty[to >= 0])
    return to


def _open(d: _Dense, to: I64, k: int) -> I64 | None:
    """``to`` with candidate ``k`` opened and filled with the pairs it serves cheaper than their
    present candidate (largest saving per unit first, within its capacity); None if none."""
    served = to >= 0
    now = np.where(served, d.cost[np.maximum(to, 0), np.arange(len(to))], d.shortfall)
    gain = now - d.cost[k]
    pairs = np.flatnonzero(np.isfinite(gain) & (gain > 1e-9))
    if not len(pairs):
        return None
    pairs = pairs[np.argsort(-gain[pairs] / np.maximum(d.qty[pairs], 1e-12), kind="stable")]
    fits = np.cumsum(d.qty[pairs]) <= d.capacity[k] + 1e-9
    if not fits.any():
        return None
    new_to = to.copy()
    new_to[pairs[fits]] = k
    return new_to


def _close(d: _Dense, to: I64, load: F64, i: int) -> tuple[I64, F64] | None:
    """``to`` with candidate ``i`` closed and its pairs moved to the cheapest open candidates
    with room, when that is cheaper (and the part's capacity cover still holds)."""
    mine = np.flatnonzero(to == i)
    used = np.zeros(len(d.capacity), bool)
    used[to[to >= 0]] = True
    used[i] = False
    part = int(d.item[i])
    if d.need[part] > 0 and float(d.capacity[used & (d.item == part)].sum()) < d.need[part] - 1e-9:
        return None
    room = np.where(used, d.capacity - load, 0.0)
    new_to = to.copy()
    saving = d.setup[i]
    for t in mine[np.argsort(-d.qty[mine], kind="stable")].tolist():
        q = d.qty[t]
        options = np.where(room >= q - 1e-9, d.cost[:, t], np.inf)
        k = int(np.argmin(options))
        extra_cost = options[k] if math.isfinite(options[k]) else d.shortfall[t]
        if not math.isfinite(extra_cost):
            return None
        saving -= extra_cost - d.cost[i, t]
        if saving <= 1e-9 and not math.isfinite(options[k]):
            return None
        if math.isfinite(options[k]):
            new_to[t] = k
            room[k] -= q
        else:
            new_to[t] = -1
    if saving <= 1e-9:
        return None
    new_load = np.zeros(len(d.capacity))
    np.add.at(new_load, new_to[new_to >= 0], d.qty[new_to >= 0])
    return new_to, new_load


def _cover_open(d: _Dense, value: F64) -> B1:
    """Setups with a negative value, plus the others cheapest per unit of capacity until each
    part's need is met (the covering knapsack's greedy, as its LP relaxation orders them)."""
    opened = value < 0
    for part in np.flatnonzero(d.need > 0).tolist():
        members = np.flatnonzero(d.item == part)
        have = float(d.capacity[members[opened[members]]].sum())
        per_unit = value[members] / np.maximum(d.capacity[members], 1e-12)
        for i in members[np.argsort(per_unit, kind="stable")].tolist():
            if have >= d.need[part] - 1e-9:
                break
            if not opened[i]:
                opened[i] = True
                have += float(d.capacity[i])
    return opened


def single_source_plan(
    view: LocationView, *, time_limit_s: float, enough: float = -math.inf
) -> tuple[F64, float, B1] | None:
    """A single-sourced plan (values over every column of the model, objective) and the
    candidates the best few plans open (where a restricted MIP should look), or None. Stops at
    a plan costing ``enough`` or less (a bound within the asked gap), after ``STALL_STEPS``
    steps without a better plan, or at the time limit."""
    d = _dense(view)
    if d is None or time_limit_s <= 0:
        return None
    start = time.perf_counter()
    deadline = start + time_limit_s
    m, n = d.cost.shape
    # start: each pair's second-cheapest candidate (its cheapest when it has one), at most
    # what leaving it unserved costs
    srt = np.sort(d.cost, axis=0)
    u = np.where(np.isfinite(srt[min(1, m - 1)]), srt[min(1, m - 1)], srt[0])
    u = np.minimum(np.where(np.isfinite(u), u, 0.0), d.shortfall)
    best: _Assignment | None = None
    seen: set[bytes] = set()
    found: list[tuple[float, I64]] = []
    step, stalled, best_l = 2.0, 0, -math.inf
    direction: F64 | None = None
    it = 0
    last_better = 0
    while time.perf_counter() < deadline and it < 2000 and it - last_better < STALL_STEPS:
        if best is not None and best.objective <= enough:
            break
        it += 1
        profit = u[None, :] - d.cost
        positive = profit > 0
        ratio = np.where(positive, profit / np.maximum(d.qty, 1e-12)[None, :], -np.inf)
        order = np.argsort(-ratio, axis=1, kind="stable")
        q_sorted = np.where(np.take_along_axis(positive, order, 1), d.qty[order], 0.0)
        fits = np.cumsum(q_sorted, axis=1) <= d.capacity[:, None] + 1e-9
        chosen = np.zeros((m, n), bool)
        np.put_along_axis(chosen, order, fits & np.take_along_axis(positive, order, 1), 1)
        kp = np.where(chosen, profit, 0.0).sum(axis=1)
        value = d.setup - kp
        opened = _cover_open(d, value)
        relaxed = float(u.sum()) + float(value[opened].sum())
        if relaxed > best_l + 1e-9:
            best_l, stalled = relaxed, 0
        else:
            stalled += 1
            if stalled >= 30:
                step, stalled = step * 0.8, 0
        key = opened.tobytes()
        if key not in seen:
            seen.add(key)
            to = _construct(d, opened)
            if to is not None:
                built = _objective(d, to)
                # local search only from constructions near the best so far (it costs ~30x)
                if best is None or built < best.objective * (1 + IMPROVE_WITHIN):
                    to = _improve(d, to, deadline)
                    obj = _objective(d, to)
                    found.append((obj, to))
                    if best is None or obj < best.objective - 1e-9:
                        best = _Assignment(to, obj)
                        last_better = it
        g = 1.0 - chosen[opened].sum(axis=0)
        g = np.where(np.isfinite(d.shortfall) & (u >= d.shortfall) & (g < 0), 0.0, g)
        if not g.any() or step < 1e-4:
            break  # every pair served exactly once by the relaxation: no step can lift it
        direction = g if direction is None else g + 0.3 * direction
        norm = float(np.sum(direction * direction))
        if norm < 1e-12:
            break
        target = best.objective if best is not None else relaxed * 1.05 + 1.0
        gap = max(target - relaxed, 1e-3 * max(abs(target), 1.0))
        u = np.maximum(u + step * gap / norm * direction, 0.0)
        if np.isfinite(d.shortfall).any():
            u = np.minimum(u, d.shortfall)
    if best is None:
        return None
    found.sort(key=lambda f: f[0])
    pool = np.zeros(m, bool)
    for _, to in found[:POOL_PLANS]:
        pool[to[to >= 0]] = True
    return _values(view, d, best.to), best.objective, pool


def _values(view: LocationView, d: _Dense, to: I64) -> F64:
    values = np.zeros(view.n_cols)
    served = np.flatnonzero(to >= 0)
    values[d.col[to[served], served]] = 1.0
    values[view.z_col[np.unique(to[served])]] = 1.0
    if len(view.s_col):
        values[view.s_col[to < 0]] = 1.0
    return values
