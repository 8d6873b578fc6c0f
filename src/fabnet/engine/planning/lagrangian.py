"""Lagrangian relaxation of the demand rows for plans shaped like capacitated facility location.

A plan whose only decisions are setups ``z`` of part candidates, delivery fractions ``x`` (and
priced shortfall ``s``), under demand, capacity and capacity-cover rows, is a capacitated facility
location problem. Relaxing the demand rows with multipliers ``u`` (Beasley 1988; Görtz & Klose
2012) splits it into

* one continuous knapsack per candidate: ``v_i = setup_i + min sum_l (c_l - u_t(l)) x_l`` subject to
  ``sum_l q_l x_l <= capacity_i``, ``0 <= x_l <= 1`` (greedy by ratio, vectorised over all legs);
* one 0-1 covering knapsack per part over the setups: ``min sum v_i z_i`` with
  ``sum capacity_i z_i >= need`` (exact when the candidates that can still be added have equal
  capacity, else its LP relaxation — both give valid bounds).

``L(u) = sum u + (shortfall terms) + covering value`` is a lower bound on every plan, at least as
strong as the LP of the textbook formulation (x <= z for every leg) because the covering knapsack
is solved over integers. A deflected subgradient method (Polyak steps against the best plan)
raises it; plans come from the setups the relaxation opens, allocated by a small LP over their
legs. Finally every setup whose flip would lift the bound above the best plan is fixed: what
remains is a much smaller MIP.

This module is pure numpy plus one small HiGHS LP for allocations; it reads the model through
:func:`location_view` and never changes it. It avoids BLAS calls (``@`` on vectors): OpenBLAS would
start worker threads whose spinning takes a second core from HiGHS and the main loop.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .builder import INF, ModelBuilder
from .highs import new_highs
from .model import Columns
from .network import Network

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B1 = NDArray[np.bool_]

LOCATION_ROW_BLOCKS = frozenset({"demand", "capacity", "capacity_cover"})
ALLOCATION_WORK_PER_LEG = 50.0
"""An allocation LP costs about this many relaxation leg visits per open leg (measured: 25 ms
for 10,000 open legs against 5 ms per relaxation of 100,000 legs on capa; more at scale)."""


@dataclass(frozen=True)
class LocationView:
    """The model seen as capacitated facility location (usable legs only)."""

    n_cols: int
    n_pairs: int
    leg_col: I64
    leg_cost: F64  # objective coefficient of the leg's fraction (whole pair demand)
    leg_qty: F64  # units the leg carries at fraction 1
    leg_origin: I64  # candidate
    leg_target: I64  # demand pair
    z_col: I64
    setup_cost: F64
    capacity: F64
    item: I64  # part of each candidate
    need: F64  # per part: capacity the open setups must cover (0: none)
    s_col: I64  # shortfall columns (empty when demand must be met)
    shortfall_cost: F64  # per pair (empty when demand must be met)

    @property
    def n_setups(self) -> int:
        return len(self.z_col)


def location_view(
    net: Network, b: ModelBuilder, cols: Columns, *, single_source: bool = False
) -> LocationView | None:
    """The facility-location view of the model, or None when it has any other structure
    (assembly, shipment or lateness binaries, minimum lots, options rows; single sourcing
    unless ``single_source``, which asks for exactly that: the delivery fractions integer)."""
    if net.asm.size or net.inbound.size or not net.delivery.size or not net.cand.size:
        return None
    if set(b.blocks) - LOCATION_ROW_BLOCKS:
        return None
    if b.n_cols != len(cols.z_cand) + len(cols.x) + len(cols.s):
        return None
    cost, _, upper, integer = b.column_arrays()
    expected = np.concatenate([cols.z_cand, cols.x]) if single_source else cols.z_cand
    if not np.array_equal(np.flatnonzero(integer), np.sort(expected)):
        return None
    usable = upper[cols.x] > 0
    leg_col = cols.x[usable]
    order = np.argsort(net.delivery.origin[usable], kind="stable")
    need = np.zeros(int(net.cand.item.max()) + 1)
    if "capacity_cover" in b.blocks:
        block = b.blocks["capacity_cover"]
        lower, _ = b.row_bounds()
        need[block.entity] = lower[block.start : block.stop]
    return LocationView(
        n_cols=b.n_cols,
        n_pairs=len(net.dk_qty),
        leg_col=leg_col[order],
        leg_cost=cost[leg_col][order],
        leg_qty=net.dk_qty[net.delivery.target[usable]][order],
        leg_origin=net.delivery.origin[usable][order],
        leg_target=net.delivery.target[usable][order],
        z_col=cols.z_cand,
        setup_cost=cost[cols.z_cand],
        capacity=net.cand.capacity.copy(),
        item=net.cand.item.copy(),
        need=need,
        s_col=cols.s,
        shortfall_cost=cost[cols.s] if len(cols.s) else np.zeros(0),
    )


@dataclass(frozen=True)
class Relaxation:
    """The Lagrangian subproblem solved at one multiplier vector."""

    bound: float
    base: float  # sum u + shortfall terms: the bound without the setups' part
    setup_value: F64  # v_i
    opened: B1  # setups the covering knapsack opens (fractional item rounded up)
    served: F64  # per pair: fraction the opened setups' knapsacks serve
    shortfall: F64  # per pair: 1 where shortfall is cheaper than its multiplier


@dataclass(frozen=True)
class Plan:
    values: F64  # full column space of the model
    objective: float


def initial_multipliers(view: LocationView) -> F64:
    """Each pair's cheapest leg cost (and no more than its shortfall cost)."""
    u = np.full(view.n_pairs, np.inf)
    np.minimum.at(u, view.leg_target, view.leg_cost)
    if len(view.shortfall_cost):
        u = np.minimum(u, view.shortfall_cost)
    return np.where(np.isfinite(u), u, 0.0)


_NONE = np.zeros(0, np.int64)


def _cover_item(
    v: F64, capacity: F64, need: float, members: I64, opened: B1, closed: B1
) -> tuple[float, I64, float, bool]:
    """Covering knapsack of one part given ``opened`` (already counted): value of the extra
    setups, which are added (the last one possibly as a fraction, returned as its weight, when
    the knapsack is solved as an LP), and whether it is feasible."""
    have = float(capacity[members[opened[members]]].sum())
    remaining = need - have
    tol = 1e-9 * max(need, 1.0)
    if remaining <= tol:
        return 0.0, _NONE, 1.0, True
    pool = members[~opened[members] & ~closed[members] & (capacity[members] > 0)]
    if not len(pool):
        return math.inf, _NONE, 1.0, False
    cap = capacity[pool]
    if float(cap.sum()) < remaining - tol:
        return math.inf, _NONE, 1.0, False
    if float(np.ptp(cap)) <= 1e-9 * float(cap.max()):
        k = math.ceil(remaining / float(cap[0]) - 1e-9)
        pick = pool[np.argsort(v[pool], kind="stable")[:k]]
        return float(v[pick].sum()), pick, 1.0, True
    # LP relaxation of the knapsack (a valid bound): best value per unit of capacity first
    order = np.argsort(v[pool] / cap, kind="stable")
    cum = np.cumsum(cap[order])
    last = min(int(np.searchsorted(cum, remaining - tol)), len(order) - 1)
    before = float(cum[last - 1]) if last else 0.0
    frac = min(1.0, (remaining - before) / float(cap[order[last]]))
    value = float(v[pool[order[:last]]].sum()) + frac * float(v[pool[order[last]]])
    return value, pool[order[: last + 1]], frac, True


class _Cover:
    """Covering knapsacks over the setups, per part."""

    def __init__(self, view: LocationView) -> None:
        self.view = view
        self.parts = [int(p) for p in np.flatnonzero(view.need > 0)]
        self.members = {p: np.flatnonzero(view.item == p) for p in self.parts}

    def solve(self, v: F64, fixed_open: B1, fixed_closed: B1) -> tuple[float, B1]:
        value, picked, _ = self.solve_weighted(v, fixed_open, fixed_closed)
        return value, picked

    def solve_weighted(self, v: F64, fixed_open: B1, fixed_closed: B1) -> tuple[float, B1, F64]:
        """Value, the setups opened (a fractional one rounded up) and each setup's weight in
        the relaxation (its fraction: 1 for whole setups, 0 for closed ones)."""
        opened = fixed_open | ((v < 0) & ~fixed_closed)
        value = float(v[opened].sum())
        picked = opened.copy()
        weight = opened.astype(np.float64)
        for p in self.parts:
            need = float(self.view.need[p])
            extra, pick, frac, ok = _cover_item(
                v, self.view.capacity, need, self.members[p], opened, fixed_closed
            )
            if not ok:
                return math.inf, picked, weight
            value += extra
            picked[pick] = True
            weight[pick] = 1.0
            if len(pick):
                weight[pick[-1]] = frac
        return value, picked, weight

    def repair(self, opened: B1, priority: F64) -> B1:
        """``opened`` plus, per part, the highest-priority setups until the need is covered."""
        out = opened.copy()
        for p in self.parts:
            members = self.members[p]
            have = float(self.view.capacity[members[out[members]]].sum())
            short = float(self.view.need[p]) - have
            if short <= 0:
                continue
            pool = members[~out[members]]
            pool = pool[np.argsort(-priority[pool], kind="stable")]
            cum = np.cumsum(self.view.capacity[pool])
            k = int(np.searchsorted(cum, short - 1e-9)) + 1
            out[pool[:k]] = True
        return out


def relax(
    view: LocationView, u: F64, cover: _Cover, fixed_open: B1, fixed_closed: B1
) -> Relaxation:
    """Solve the Lagrangian subproblem at ``u``."""
    reduced = view.leg_cost - u[view.leg_target]
    legs = np.flatnonzero(reduced < 0)
    if fixed_closed.any():
        legs = legs[~fixed_closed[view.leg_origin[legs]]]
    origin = view.leg_origin[legs]
    qty = view.leg_qty[legs]
    r = reduced[legs]
    x = np.ones(len(legs))
    # only candidates whose profitable legs exceed their capacity need the greedy order
    load = np.bincount(origin, qty, minlength=view.n_setups)
    full = np.flatnonzero((load > view.capacity)[origin])
    if len(full):
        o, q = origin[full], qty[full]
        order = np.lexsort((r[full] / q, o))
        o, q = o[order], q[order]
        cum = np.cumsum(q)
        start = np.ones(len(o), bool)
        start[1:] = o[1:] != o[:-1]
        group = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        before = cum - q - (cum[first] - q[first])[group]
        x[full[order]] = np.clip((view.capacity[o] - before) / q, 0.0, 1.0)
    setup_value = view.setup_cost + np.bincount(origin, r * x, minlength=view.n_setups)
    base = float(u.sum())
    shortfall = np.zeros(view.n_pairs)
    if len(view.shortfall_cost):
        cheaper = view.shortfall_cost - u < 0
        shortfall[cheaper] = 1.0
        base += float((view.shortfall_cost - u)[cheaper].sum())
    value, opened, weight = cover.solve_weighted(setup_value, fixed_open, fixed_closed)
    # the subgradient counts a setup the LP-relaxed covering knapsack takes in part by its share
    x = x * weight[origin]
    served = np.bincount(view.leg_target[legs], x, minlength=view.n_pairs).astype(np.float64)
    return Relaxation(base + value, base, setup_value, opened, served, shortfall)


class Allocator:
    """Best allocation of demand to a given set of open setups: the LP over every leg of the
    view, kept in one HiGHS instance; each call only changes which legs are open, so HiGHS
    re-solves from the previous basis."""

    def __init__(self, view: LocationView, threads: int = 1) -> None:
        self.view = view
        self.threads = threads
        self.calls = 0
        self._highs: highspy.Highs | None = None
        reached = np.zeros(view.n_pairs, bool)
        reached[view.leg_target] = True
        self._pairs_reached = reached

    def _model(self) -> highspy.Highs:
        if self._highs is not None:
            return self._highs
        view = self.view
        n_x, n_s = len(view.leg_col), len(view.s_col)
        h = new_highs()
        h.setOptionValue("threads", self.threads)
        h.addCols(
            n_x + n_s,
            np.concatenate([view.leg_cost, view.shortfall_cost]),
            np.zeros(n_x + n_s),
            np.ones(n_x + n_s),
            0,
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        rows = np.concatenate([view.leg_target, np.arange(n_s), view.n_pairs + view.leg_origin])
        cols = np.concatenate([np.arange(n_x), n_x + np.arange(n_s), np.arange(n_x)])
        vals = np.concatenate([np.ones(n_x + n_s), view.leg_qty])
        n_rows = view.n_pairs + view.n_setups
        m = sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, n_x + n_s))
        h.addRows(
            n_rows,
            np.concatenate([np.ones(view.n_pairs), np.full(view.n_setups, -INF)]),
            np.concatenate([np.ones(view.n_pairs), view.capacity]),
            m.nnz,
            m.indptr[:-1].astype(np.int32),
            m.indices.astype(np.int32),
            m.data,
        )
        self._highs = h
        return h

    def plan(self, opened: B1) -> Plan | None:
        view = self.view
        self.calls += 1
        legs_open = opened[view.leg_origin]
        if not len(view.s_col):
            reached = np.zeros(view.n_pairs, bool)
            reached[view.leg_target[legs_open]] = True
            if not reached.all():
                return None
        h = self._model()
        n_x = len(view.leg_col)
        h.changeColsBounds(
            n_x,
            np.arange(n_x, dtype=np.int32),
            np.zeros(n_x),
            legs_open.astype(np.float64),
        )
        h.run()
        # later calls start from this basis; presolving again would throw it away
        h.setOptionValue("presolve", "off")
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = np.asarray(h.getSolution().col_value, dtype=np.float64)
        x = np.where(legs_open & (sol[:n_x] > 1e-12), sol[:n_x], 0.0)
        values = np.zeros(view.n_cols)
        values[view.leg_col] = x
        shortfall = sol[n_x:]
        if len(view.s_col):
            values[view.s_col] = shortfall
        # close setups the allocation leaves idle (their capacity is not needed: the flow is met)
        used = np.zeros(view.n_setups, bool)
        used[view.leg_origin[x > 0]] = True
        values[view.z_col] = used.astype(np.float64)
        objective = float(np.sum(view.leg_cost * x)) + float(view.setup_cost[used].sum())
        if len(view.s_col):
            objective += float(np.sum(view.shortfall_cost * shortfall))
        return Plan(values, objective)


def restrict(view: LocationView, keep: B1) -> LocationView:
    """The view without the setups outside ``keep`` (and their legs); column indices unchanged."""
    idx = np.flatnonzero(keep)
    pos = np.full(view.n_setups, -1, np.int64)
    pos[idx] = np.arange(len(idx))
    legs = keep[view.leg_origin]
    return replace(
        view,
        leg_col=view.leg_col[legs],
        leg_cost=view.leg_cost[legs],
        leg_qty=view.leg_qty[legs],
        leg_origin=pos[view.leg_origin[legs]],
        leg_target=view.leg_target[legs],
        z_col=view.z_col[idx],
        setup_cost=view.setup_cost[idx],
        capacity=view.capacity[idx],
        item=view.item[idx],
    )


@dataclass(frozen=True)
class _Ascent:
    bound: float
    multipliers: F64
    relaxation: Relaxation | None
    average: F64  # primal estimate of the setups
    iterations: int


@dataclass(order=True)
class _Node:
    bound: float
    neg_depth: int  # deeper first among equal bounds
    seq: int
    fixed_open: B1 = field(compare=False)
    fixed_closed: B1 = field(compare=False)
    multipliers: F64 = field(compare=False)


@dataclass(frozen=True)
class LocationResult:
    """Outcome of :func:`solve_location`."""

    status: str  # optimal | time_limit | no_plan
    plan: Plan | None
    bound: float  # valid lower bound on every plan
    root_bound: float  # Lagrangian bound before branching
    iterations: int  # subgradient steps, all nodes
    nodes: int
    allocations: int
    fixed_open: int  # setups fixed at the root
    fixed_closed: int
    seconds: float


class _Search:
    """Dual ascent, plans, fixing and branch and bound over one (possibly restricted) view."""

    def __init__(
        self,
        view: LocationView,
        *,
        deadline: float,
        mip_gap: float,
        threads: int,
        incumbent: Plan | None,
        trace: Callable[[str], None] | None,
    ) -> None:
        self.view = view
        self.cover = _Cover(view)
        self.allocator = Allocator(view, threads)
        self.deadline = deadline
        self.mip_gap = mip_gap
        self.best = incumbent
        self.trace = trace
        self.tried: set[bytes] = set()
        self.allocation_work = 0.0  # estimated, in leg visits (deterministic, unlike seconds)
        self.relaxation_work = 0.0
        self.iterations = 0

    def slack(self) -> float:
        if self.best is None:
            return 0.0
        scale = abs(self.best.objective)
        return max(self.mip_gap * scale, 1e-9 * max(scale, 1.0))

    def prunes(self, bound: float) -> bool:
        return self.best is not None and bound >= self.best.objective - self.slack()

    def consider(self, opened: B1) -> None:
        key = opened.tobytes()
        if key in self.tried:
            return
        self.tried.add(key)
        open_legs = int(np.count_nonzero(opened[self.view.leg_origin]))
        self.allocation_work += ALLOCATION_WORK_PER_LEG * open_legs
        plan = self.allocator.plan(opened)
        if plan is not None and (self.best is None or plan.objective < self.best.objective):
            self.best = plan
            if self.trace:
                self.trace(f"lagrangian plan={plan.objective:.10g}")

    def ascend(
        self,
        u: F64,
        fixed_open: B1,
        fixed_closed: B1,
        *,
        max_iterations: int,
        step: float,
        patience: int,
        min_step: float = 1e-4,
        deflection: float = 0.5,
        averaging: float = 0.05,
        plans_on_the_way: bool = True,
    ) -> _Ascent:
        """Deflected subgradient steps with Polyak step sizes towards the best plan."""
        view, cover = self.view, self.cover
        best_bound, best_u, best_rel = -math.inf, u, None
        average = np.zeros(view.n_setups)
        direction: F64 | None = None
        stalled = 0
        iteration = 0
        for iteration in range(1, max_iterations + 1):
            self.iterations += 1
            rel = relax(view, u, cover, fixed_open, fixed_closed)
            if not math.isfinite(rel.bound):
                return _Ascent(math.inf, u, None, average, iteration)  # cannot cover the need
            average += (averaging if iteration > 1 else 1.0) * (rel.opened - average)
            if rel.bound > best_bound + 1e-12 * abs(rel.bound):
                best_bound, best_u, best_rel = rel.bound, u, rel
                stalled = 0
            else:
                stalled += 1
                if stalled >= patience:
                    step /= 2
                    stalled = 0
            # allocation LPs may take about a third of the work (the first one always runs);
            # counted in leg visits, not seconds, so that a plan does not depend on machine load
            self.relaxation_work += len(view.leg_col)
            allocate = plans_on_the_way and (
                self.best is None or self.allocation_work <= 0.5 * self.relaxation_work
            )
            if allocate and (iteration <= 2 or iteration % 10 == 0):
                self.consider(rel.opened)
            if allocate and iteration % 20 == 0:
                # round the averaged setups (a primal estimate, as in the volume algorithm)
                for threshold in (0.5, 0.25):
                    self.consider(cover.repair((average >= threshold) | fixed_open, average))
            if self.prunes(best_bound) or step < min_step:
                break
            if time.perf_counter() > self.deadline:
                break
            g = 1.0 - rel.served - rel.shortfall
            direction = g if direction is None else g + deflection * direction
            norm = float(np.sum(direction * direction))
            if norm < 1e-18:
                break  # the relaxation's allocation serves every pair exactly: bound is tight
            target = self.best.objective if self.best is not None else abs(rel.bound) * 1.05 + 1.0
            u = u + step * max(target - rel.bound, 1e-9 * abs(target)) / norm * direction
        if not plans_on_the_way and best_rel is not None and not self.prunes(best_bound):
            self.consider(best_rel.opened)
            self.consider(cover.repair((average >= 0.5) | fixed_open, average))
        return _Ascent(best_bound, best_u, best_rel, average, iteration)

    def fix(self, rel: Relaxation, fixed_open: B1, fixed_closed: B1) -> tuple[B1, B1]:
        """Setups whose opposite value lifts the Lagrangian bound past the best plan: no better
        plan flips them. Each test re-solves only the covering knapsack of the setup's part."""
        fo, fc = fixed_open.copy(), fixed_closed.copy()
        if self.best is None:
            return fo, fc
        view, cover = self.view, self.cover
        v = rel.setup_value
        limit = self.best.objective - self.slack() - rel.base
        value, opened = cover.solve(v, fixed_open, fixed_closed)
        covered = set(cover.parts)
        for i in np.flatnonzero(~(fixed_open | fixed_closed)):
            if int(view.item[i]) not in covered:
                # no covering knapsack: the flip costs |v_i| exactly
                flipped = value - float(v[i]) if opened[i] else value + float(v[i])
            elif opened[i]:
                closed = fixed_closed.copy()
                closed[i] = True
                flipped, _ = cover.solve(v, fixed_open, closed)
            else:
                forced = fixed_open.copy()
                forced[i] = True
                flipped, _ = cover.solve(v, forced, fixed_closed)
            if flipped >= limit:
                if opened[i]:
                    fo[i] = True
                else:
                    fc[i] = True
        return fo, fc


def solve_location(
    view: LocationView,
    *,
    deadline: float,
    mip_gap: float,
    threads: int = 1,
    root_iterations: int = 3000,
    node_iterations: int = 300,
    trace: Callable[[str], None] | None = None,
) -> LocationResult:
    """Lagrangian branch and bound over the setups (after Görtz & Klose 2012): a long dual
    ascent at the root, setup fixing, then best-first branching on the setup whose averaged
    value is most fractional, each node warm-started from its parent's multipliers and
    pruned by its Lagrangian bound."""
    start = time.perf_counter()
    reached = np.zeros(view.n_pairs, bool)
    reached[view.leg_target] = True
    if not len(view.s_col) and not reached.all():
        # a delivery point no leg reaches: no plan; the general path diagnoses it
        return LocationResult("no_plan", None, -math.inf, -math.inf, 0, 0, 0, 0, 0, 0.0)
    search = _Search(
        view, deadline=deadline, mip_gap=mip_gap, threads=threads, incumbent=None, trace=trace
    )
    no = np.zeros(view.n_setups, bool)
    root = search.ascend(
        initial_multipliers(view), no, no, max_iterations=root_iterations, step=1.0, patience=20
    )
    if root.relaxation is None or search.best is None:
        status = "no_plan"
        return LocationResult(
            status, search.best, root.bound, root.bound, search.iterations, 1,
            search.allocator.calls, 0, 0, time.perf_counter() - start,
        )  # fmt: skip
    search.consider(root.relaxation.opened)
    fo, fc = search.fix(root.relaxation, no, no)
    if trace:
        trace(
            f"lagrangian root bound={root.bound:.10g} plan={search.best.objective:.10g} "
            f"iterations={root.iterations} fixed open={int(fo.sum())} closed={int(fc.sum())}"
        )
    # branch over the setups left free, on a view without the ones fixed closed
    keep = ~fc
    sub = restrict(view, keep)
    inner = _Search(
        sub, deadline=deadline, mip_gap=mip_gap, threads=threads, incumbent=search.best, trace=trace
    )
    inner.tried = search.tried
    inner.iterations = search.iterations
    inner.allocation_work = search.allocation_work
    inner.relaxation_work = search.relaxation_work
    inner.allocator.calls = search.allocator.calls
    heap: list[_Node] = []
    seq = 0
    n_sub = sub.n_setups
    heapq.heappush(
        heap, _Node(root.bound, 0, seq, fo[keep], np.zeros(n_sub, bool), root.multipliers)
    )
    nodes = 0
    timed_out = False
    fixed_for = search.best.objective
    g_open, g_closed = fo[keep], np.zeros(n_sub, bool)
    while heap:
        node = heapq.heappop(heap)
        if inner.prunes(node.bound):
            continue
        assert inner.best is not None
        if inner.best.objective < fixed_for:
            # a better plan: the root relaxation fixes more setups, for every node
            search.best = inner.best
            fo_all, fc_all = search.fix(root.relaxation, no, no)
            g_open, g_closed = fo_all[keep], fc_all[keep]
            fixed_for = inner.best.objective
            if trace:
                trace(f"root fixing: open={int(g_open.sum())} closed={int(g_closed.sum())}")
        if (node.fixed_open & g_closed).any() or (node.fixed_closed & g_open).any():
            continue  # the node contradicts the root's fixing: no better plan in it
        node.fixed_open = node.fixed_open | g_open
        node.fixed_closed = node.fixed_closed | g_closed
        if time.perf_counter() > deadline:
            heapq.heappush(heap, node)
            timed_out = True
            break
        nodes += 1
        result = inner.ascend(
            node.multipliers,
            node.fixed_open,
            node.fixed_closed,
            max_iterations=node_iterations if nodes > 1 else root_iterations // 3,
            step=0.1 if nodes > 1 else 0.5,
            patience=10,
            plans_on_the_way=nodes == 1,
        )
        bound = max(result.bound, node.bound)
        if result.relaxation is None or inner.prunes(bound):
            continue
        f_open, f_closed = inner.fix(result.relaxation, node.fixed_open, node.fixed_closed)
        free = ~(f_open | f_closed)
        if not free.any():
            inner.consider(f_open)
            continue
        # branch on the free setup the ascent opened most undecidedly
        score = np.where(free, result.average * (1.0 - result.average), -1.0)
        i = int(np.argmax(score))
        up = result.average[i] >= 0.5
        for side in (up, not up):
            fo2, fc2 = f_open.copy(), f_closed.copy()
            if side:
                fo2[i] = True
            else:
                fc2[i] = True
            seq += 1
            child = _Node(bound, node.neg_depth - 1, seq, fo2, fc2, result.multipliers)
            heapq.heappush(heap, child)
    best = inner.best
    assert best is not None
    if timed_out and heap:
        bound = min(min(n.bound for n in heap), best.objective)
        status = "optimal" if best.objective - bound <= inner.slack() else "time_limit"
    else:
        # every node was pruned: no plan is better than the best by more than the gap
        bound = max(best.objective - inner.slack(), root.bound)
        status = "optimal"
    if trace:
        trace(f"lagrangian branch and bound {status}: nodes={nodes} plan={best.objective:.10g}")
    return LocationResult(
        status,
        best,
        min(bound, best.objective),
        root.bound,
        inner.iterations,
        nodes + 1,
        inner.allocator.calls,
        int(fo.sum()),
        int(fc.sum()),
        time.perf_counter() - start,
    )
