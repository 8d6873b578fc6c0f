"""Probe: how far the single-source Lagrangian (0-1 knapsack per facility) would take sscflp.

    python bench/sscflp_lagrangian.py Lib_2 p57 p58 [--iterations 2500] [--json]

Not the planner: a measurement of the path issue 11 item 7 names, before it is built into
``engine/planning``. For each instance it

1. relaxes the assignment rows ``sum_i x_ij = 1`` with multipliers ``u`` (Holmberg, Rönnqvist &
   Yuan 1999): one 0-1 knapsack per facility (``max sum_j (u_j - c_ij)^+ x_ij`` within its
   capacity, exact dynamic programme over integer demands) and an exact covering knapsack over the
   setups (total capacity >= total demand); ``L(u) = sum u + cover(f - knapsack values)``;
2. raises ``L`` by deflected subgradient steps, Polyak steps aimed at the PUBLISHED optimum (the
   probe measures the dual bound this relaxation can reach, not how a solver would find it);
3. fixes every ``x_ij`` whose forcing to 1 lifts the bound above ``optimum + 1`` (exact: the
   knapsack without ``j`` at capacity ``s_i - d_j``, the covering knapsack with ``i`` open): what
   is left if the incumbent were already optimal;
4. solves the reduced single-source MIP with HiGHS (one thread, gap 1e-7, cutoff optimum + 1),
   with and without one Lagrangian cut per facility and multiplier vector
   ``sum_j (u_j - c_ij)^+ x_ij <= knapsack_i(u) y_i`` (valid for every plan; with them the root
   LP reaches about ``L``).

It prints the LP-free bound figures and times; ``docs/benchmarks.md`` reports them. Reads the
sscflp files from ``../shared/data`` beside the checkout (bench only, never the product).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from fabnet.engine.planning.cflp import CflpInstance, read_sscflp

F64 = NDArray[np.float64]
HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "benchmarks" / "cflp" / "sscflp"


def knapsack(weight: NDArray[np.int64], profit: F64, capacity: int) -> float:
    """0-1 knapsack value (max), integer weights, by dynamic programme over capacity."""
    if int(weight.sum()) <= capacity:
        return float(profit.sum())
    best = np.zeros(capacity + 1)
    for w, p in zip(weight.tolist(), profit.tolist(), strict=True):
        if w <= capacity:
            np.maximum(best[w:], best[: capacity + 1 - w] + p, out=best[w:])
    return float(best[capacity])


def cover(value: F64, capacity: F64, need: float) -> tuple[float, NDArray[np.bool_]]:
    """min sum value_i y_i with sum capacity_i y_i >= need, y 0-1 (exact, integer capacities);
    returns the value and the setups it opens."""
    opened = value < 0
    rest = math.ceil(need - float(capacity[opened].sum()) - 1e-9)
    if rest <= 0:
        return float(value[opened].sum()), opened
    pool = np.flatnonzero(~opened)
    table = np.full(rest + 1, math.inf)
    table[0] = 0.0
    took = np.zeros((len(pool), rest + 1), bool)
    reach = np.arange(rest + 1)
    for k, i in enumerate(pool.tolist()):
        candidate = table[np.maximum(reach - int(capacity[i]), 0)] + value[i]
        took[k] = candidate < table
        table = np.where(took[k], candidate, table)
    if not math.isfinite(table[rest]):
        return math.inf, opened
    out, c = opened.copy(), rest
    for k in range(len(pool) - 1, -1, -1):
        if took[k, c]:
            out[pool[k]] = True
            c = max(c - int(capacity[pool[k]]), 0)
    return float(value[opened].sum() + table[rest]), out


def relax(inst: CflpInstance, u: F64) -> tuple[float, F64, F64, NDArray[np.bool_]]:
    """L(u), the setup values, each facility's knapsack value and the subgradient."""
    m, n = inst.cost.shape
    demand = inst.demand.astype(np.int64)
    profit = u[None, :] - inst.cost
    kp = np.zeros(m)
    served = np.zeros(n)
    chosen = np.zeros((m, n), bool)
    for i in range(m):
        js = np.flatnonzero(profit[i] > 0)
        cap = int(inst.capacity[i])
        w, p = demand[js], profit[i, js]
        if int(w.sum()) <= cap:
            kp[i] = float(p.sum())
            chosen[i, js] = True
            continue
        best = np.zeros(cap + 1)
        keep = np.zeros((len(js), cap + 1), bool)
        for k in range(len(js)):
            wk = int(w[k])
            if wk > cap:
                continue
            cand = best[: cap + 1 - wk] + p[k]
            keep[k, wk:] = cand > best[wk:]
            best[wk:] = np.where(keep[k, wk:], cand, best[wk:])
        kp[i] = float(best[cap])
        c = cap
        for k in range(len(js) - 1, -1, -1):
            if keep[k, c]:
                chosen[i, js[k]] = True
                c -= int(w[k])
    value = inst.fixed_cost - kp
    cval, opened = cover(value, inst.capacity, float(inst.demand.sum()))
    served = (chosen & opened[:, None]).sum(axis=0).astype(np.float64)
    return float(u.sum()) + cval, value, kp, 1.0 - served


def ascent(inst: CflpInstance, target: float, iterations: int) -> tuple[F64, float, list[F64], int]:
    """Deflected subgradient with Polyak steps towards ``target``; best u, best L, the u of
    every 100th step (for cuts), iterations run."""
    u = np.sort(inst.cost, axis=0)[1].astype(np.float64)
    best_l, best_u, step, stalled = -math.inf, u, 1.0, 0
    direction: F64 | None = None
    kept: list[F64] = []
    it = 0
    for it in range(1, iterations + 1):
        bound, _, _, g = relax(inst, u)
        if bound > best_l + 1e-9:
            best_l, best_u, stalled = bound, u.copy(), 0
        else:
            stalled += 1
            if stalled >= 40:
                step, stalled = step * 0.7, 0
        if it % 100 == 0:
            kept.append(u.copy())
        direction = g if direction is None else g + 0.5 * direction
        norm = float(np.sum(direction * direction))
        if norm == 0 or step < 1e-3:
            break
        u = np.maximum(u + step * (target - bound) / norm * direction, 0.0)
    return best_u, best_l, kept[-5:], it


def alive_pairs(inst: CflpInstance, u: F64, cutoff: float) -> NDArray[np.bool_]:
    """Pairs (i, j) whose forcing x_ij = 1 keeps the Lagrangian bound at or below ``cutoff``."""
    m, n = inst.cost.shape
    demand = inst.demand.astype(np.int64)
    _, value, kp, _ = relax(inst, u)
    need = float(inst.demand.sum())
    profit = np.maximum(u[None, :] - inst.cost, 0.0)
    alive = np.zeros((m, n), bool)
    big = 1e12
    for i in range(m):
        forced = value.copy()
        forced[i] = -big
        open_i = cover(forced, inst.capacity, need)[0] + big + value[i]
        if float(u.sum()) + open_i > cutoff:
            continue
        js = np.flatnonzero(profit[i] > 0)
        cap = int(inst.capacity[i])
        for j in range(n):
            if demand[j] > cap:
                continue
            others = js[js != j]
            with_j = knapsack(demand[others], profit[i, others], cap - int(demand[j]))
            with_j += float(u[j] - inst.cost[i, j])
            alive[i, j] = float(u.sum()) + open_i + (kp[i] - with_j) <= cutoff
    return alive


def reduced_mip(
    inst: CflpInstance, alive: NDArray[np.bool_], cutoff: float, cuts: list[F64]
) -> tuple[float, float, float]:
    """HiGHS on the single-source model over the alive pairs (objective, bound, seconds)."""
    m, n = inst.cost.shape
    ii, jj = np.nonzero(alive)
    nx = len(ii)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.setOptionValue("objective_bound", cutoff)
    cost = np.concatenate([inst.fixed_cost, inst.cost[ii, jj]])
    h.addCols(m + nx, cost, np.zeros(m + nx), np.ones(m + nx), 0, [], [], [])
    x = m + np.arange(nx)
    pos = -np.ones((m, n), np.int64)
    pos[ii, jj] = np.arange(nx)
    blocks = [
        (jj, x, np.ones(nx), np.ones(n), np.ones(n)),
        (
            np.concatenate([ii, np.arange(m)]),
            np.concatenate([x, np.arange(m)]),
            np.concatenate([inst.demand[jj], -inst.capacity]),
            np.full(m, -np.inf),
            np.zeros(m),
        ),
        (
            np.concatenate([np.arange(nx), np.arange(nx)]),
            np.concatenate([x, ii]),
            np.concatenate([np.ones(nx), -np.ones(nx)]),
            np.full(nx, -np.inf),
            np.zeros(nx),
        ),
        (
            np.zeros(m, np.int64),
            np.arange(m),
            inst.capacity,
            np.array([float(inst.demand.sum())]),
            np.array([np.inf]),
        ),
    ]
    for r, c, v, lo, up in blocks:
        mat = sp.csr_matrix((v, (r, c)), shape=(len(lo), m + nx))
        h.addRows(
            len(lo), lo, up, mat.nnz, mat.indptr[:-1].astype(np.int32),
            mat.indices.astype(np.int32), mat.data,
        )  # fmt: skip
    demand = inst.demand.astype(np.int64)
    for u in cuts:
        profit = np.maximum(u[None, :] - inst.cost, 0.0)
        for i in range(m):
            js = np.flatnonzero((profit[i] > 0) & alive[i])
            rhs = knapsack(demand[js], profit[i, js], int(inst.capacity[i]))
            idx = np.concatenate([m + pos[i, js], [i]]).astype(np.int32)
            h.addRow(-np.inf, 0.0, len(idx), idx, np.concatenate([profit[i, js], [-rhs]]))
    h.changeColsIntegrality(
        m + nx, np.arange(m + nx, dtype=np.int32), np.full(m + nx, highspy.HighsVarType.kInteger)
    )
    start = time.perf_counter()
    h.run()
    info = h.getInfo()
    return (
        float(info.objective_function_value),
        float(info.mip_dual_bound),
        (time.perf_counter() - start),
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library")
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--iterations", type=int, default=2500)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    folder = DATA / args.library
    optima = [float(t) for t in (folder / "os").read_text().split()]
    for name in args.instances:
        inst = read_sscflp(folder / name)
        optimum = optima[int(name.lstrip("p")) - 1]
        t0 = time.perf_counter()
        u, bound, kept, iterations = ascent(inst, optimum, args.iterations)
        t1 = time.perf_counter()
        alive = alive_pairs(inst, u, optimum + 1 - 1e-6)
        t2 = time.perf_counter()
        plain = reduced_mip(inst, alive, optimum + 1, [])
        with_cuts = reduced_mip(inst, alive, optimum + 1, [u, *kept])
        record = {
            "instance": f"{args.library}/{name}",
            "optimum": optimum,
            "lagrangian_bound": round(bound, 2),
            "bound_gap_pct": round(100 * (optimum - bound) / optimum, 3),
            "iterations": iterations,
            "ascent_s": round(t1 - t0, 2),
            "fixing_s": round(t2 - t1, 2),
            "pairs_alive": int(alive.sum()),
            "pairs": int(alive.size),
            "reduced_mip": {"objective": plain[0], "seconds": round(plain[2], 2)},
            "reduced_mip_with_cuts": {"objective": with_cuts[0], "seconds": round(with_cuts[2], 2)},
        }
        print(json.dumps(record) if args.json else record, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
