"""Solve the planning MILP on HiGHS: LP cut loop for the strong linking rows, then branch and cut.

1. The model starts with the aggregated linking only (outflow <= capacity x setup), which is
   already a correct formulation for integer setups but has a weak LP bound.
2. The LP relaxation is solved; every delivery leg with fraction x > setup z gets the strong row
   x <= z; the LP is re-solved from the previous basis (dual simplex warm start). Repeat until none
   is violated: the LP bound then equals that of the full "textbook" formulation with only a small
   fraction of its rows.
3. Reduced-cost fixing: with a feasible plan from rounding the LP (open every setup with z > 0),
   setups whose LP reduced cost exceeds the gap between that plan and the LP bound are fixed.
4. The integer program (with the separated rows) goes to HiGHS' branch and cut with the remaining
   time, the rounded plan as incumbent, and the requested relative gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .builder import INF, ModelBuilder, add_csr_rows, set_integrality
from .highs import MipRun, finished, run_mip, status_name
from .lagrangian import LocationView, location_view, solve_location
from .model import Columns, strong_link_rows, strong_link_violations
from .network import Network
from .singlesource import single_source_plan

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


LARGE_MODEL_COLUMNS = 200_000
LP_SHARE = 0.4
"""Share of the time limit the strong LP may use before the MIP starts without it."""
SINGLE_SOURCE_HEURISTIC_S = 3.0
"""At most this long for the single-source heuristic before its pool MIP (Holmberg p58: 1.3 s)."""
SINGLE_SOURCE_HEURISTIC_SHARE = 0.15
"""And at most this share of the first-plan time."""


@dataclass(frozen=True)
class Outcome:
    status: str  # optimal | time_limit | infeasible | error
    values: F64 | None
    row_activity: F64 | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    lp_bound: float | None
    cut_rounds: int
    cuts: int
    fixed_closed: int
    fixed_open: int
    lagrangian_bound: float | None = None
    lagrangian_iterations: int = 0
    branch_nodes: int = 0


def _status_name(h: highspy.Highs) -> str:
    return status_name(h.getModelStatus())


def optimise(
    net: Network,
    b: ModelBuilder,
    cols: Columns,
    *,
    time_limit_s: float,
    mip_gap: float,
    threads: int = 1,
    separate: bool = True,
    max_rounds: int = 60,
    log: bool = False,
    start_values: F64 | None = None,
    start_objective: float | None = None,
) -> Outcome:
    """Run the cut loop and the MIP; see the module docstring.

    ``start_values``: a plan of the model (a baseline) HiGHS starts from when it is better than
    the incumbents the loop finds."""
    start = time.perf_counter()
    deadline = start + time_limit_s
    _, lower, upper, integer = b.column_arrays()
    view = location_view(net, b, cols) if integer.any() else None
    if view is not None:
        located = _optimise_location(b, view, start, deadline, mip_gap, threads, log)
        if located is not None:
            return located
    single_view = (
        location_view(net, b, cols, single_source=True)
        if view is None and net.problem.options.single_sourcing and integer.any()
        else None
    )
    n_setup = len(cols.z_cand) + len(cols.z_asm)
    separate = separate and n_setup > 0 and net.delivery.size > 0
    if separate:
        lp = _strong_lp(
            net,
            b,
            cols,
            threads=threads,
            deadline=start + LP_SHARE * time_limit_s,
            log=log,
            separate=separate,
            max_rounds=max_rounds,
        )
    else:
        lp = _LpResult("skipped", None, None, None, np.zeros(net.delivery.size, bool), 0)
    if lp.status == "infeasible":
        return _infeasible(start, lp.rounds, int(lp.linked.sum()))
    _trace(log, start, f"strong LP {lp.status} bound={lp.bound} rounds={lp.rounds}")
    rounds = lp.rounds
    has_added = lp.linked
    values = lp.values
    lp_bound = lp.bound
    fixed_closed = fixed_open = 0
    incumbent: F64 | None = None
    inc_obj: float | None = None
    # time-indexed due dates (ADR 0012): the LP is tight, so the MIP on the LP's support (RENS)
    # finds a near-optimal plan in a fraction of a second; the leg-restricted MIP is slower
    # there (East Africa: 12.4 against 8.6 CPU s for HiGHS alone)
    time_indexed = cols.ready_days is not None and len(cols.ready_days.y) > 0
    if single_view is not None:
        # single-sourced location (ADR 0017): needs no LP, so it also runs when the LP did not
        # finish (capb single-sourced: the LP takes its whole share)
        share = 0.6 * (deadline - time.perf_counter())
        incumbent, inc_obj = _single_source_start(
            b, single_view, threads, share, max(mip_gap / 4, 1e-6), log, start, lp_bound
        )
    if values is not None and lp_bound is not None and n_setup and integer.any():
        share = 0.6 * (deadline - time.perf_counter())
        if time_indexed:
            incumbent, inc_obj = _lp_support_mip(
                b, values, integer, threads, share, max(mip_gap / 4, 1e-6), log
            )
            _trace(log, start, f"LP-support MIP incumbent={inc_obj}")
        elif incumbent is None:
            incumbent, inc_obj = _restricted_mip(
                net, b, cols, lp.linked, upper, threads, share, max(mip_gap / 4, 1e-6), log
            )
            _trace(log, start, f"restricted MIP incumbent={inc_obj}")
        if (
            incumbent is not None
            and inc_obj is not None
            and (inc_obj - lp_bound <= mip_gap * max(abs(inc_obj), 1e-9) + 1e-9)
        ):
            # The LP bound of the full model already proves the plan within the asked gap.
            activity = b.matrix() @ incumbent
            return Outcome(
                "optimal",
                incumbent,
                activity,
                inc_obj,
                lp_bound,
                max(0.0, inc_obj - lp_bound) / max(abs(inc_obj), 1e-9),
                time.perf_counter() - start,
                lp_bound,
                rounds,
                int(has_added.sum()),
                0,
                0,
            )
    h = b.to_highs(relax=True, threads=threads)
    h.setOptionValue("output_flag", log)
    if lp.linked.any():
        _add_full_link_rows(h, net, cols, np.flatnonzero(lp.linked), b.n_cols)
    have_lp = values is not None and lp_bound is not None and n_setup > 0
    if have_lp and integer.any() and incumbent is None and values is not None:
        incumbent, inc_obj = _round_up(h, b, cols, values, lower, upper, integer, threads)
    if (
        values is not None
        and lp_bound is not None
        and incumbent is not None
        and inc_obj is not None
        and lp.setup_dual is not None
    ):
        fixed_closed, fixed_open = _reduced_cost_fixing(
            h, cols, values, lp.setup_dual, lp_bound, inc_obj
        )
    if incumbent is None and integer.any():
        incumbent = _greedy_plan(net, b, cols, upper)
        _trace(log, start, f"greedy plan {'found' if incumbent is not None else 'not found'}")
    if start_values is not None and start_objective is not None and (
        incumbent is None or inc_obj is None or start_objective < inc_obj
    ):
        incumbent, inc_obj = start_values, start_objective
        _trace(log, start, f"baseline start {start_objective}")
    if integer.any():
        set_integrality(h, np.flatnonzero(integer))
        h.setOptionValue("mip_rel_gap", mip_gap)
        h.setOptionValue("mip_abs_gap", 1e-9)
        if incumbent is not None:
            _set_start(h, incumbent)
        run = run_mip(h, max(deadline, time.perf_counter() + 0.5))
        status = run.status
        _trace(log, start, f"MIP {status}{' (stopped at the deadline)' if run.killed else ''}")
        if run.values is None and incumbent is not None and inc_obj is not None and (
            status != "infeasible"
        ):
            # stopped before HiGHS reported a plan: the start it was given still stands
            run = MipRun("time_limit", incumbent, inc_obj, run.bound, run.killed)
    else:
        h.run()
        run = finished(h)
        status = run.status
    seconds = time.perf_counter() - start
    if status == "infeasible":
        return _infeasible(start, rounds, int(has_added.sum()))
    if run.values is None or run.objective is None:
        return Outcome(
            "infeasible" if status == "optimal" else status,
            None,
            None,
            None,
            None,
            None,
            seconds,
            lp_bound,
            rounds,
            int(has_added.sum()),
            fixed_closed,
            fixed_open,
        )
    values = run.values[: b.n_cols]
    objective = run.objective
    bound: float | None = objective
    gap: float | None = 0.0
    if integer.any():
        known = run.bound if run.bound is not None and np.isfinite(run.bound) else -np.inf
        if lp_bound is not None and status != "optimal":
            known = max(known, lp_bound)
        bound = known if np.isfinite(known) else (objective if status == "optimal" else None)
        gap = None if bound is None else abs(objective - bound) / max(abs(objective), 1e-9)
        if status == "time_limit" and gap is not None and gap <= mip_gap:
            status = "optimal"  # the strong LP's bound proves the plan within the asked gap
    activity = b.matrix() @ values
    return Outcome(
        status,
        values,
        activity,
        objective,
        bound,
        gap,
        seconds,
        lp_bound,
        rounds,
        int(has_added.sum()),
        fixed_closed,
        fixed_open,
    )


def _optimise_location(
    b: ModelBuilder,
    view: LocationView,
    start: float,
    deadline: float,
    mip_gap: float,
    threads: int,
    log: bool,
) -> Outcome | None:
    """Facility-location models: Lagrangian branch and bound (see
    :mod:`fabnet.engine.planning.lagrangian` and ADR 0010). None when it finds no plan: the
    general path then decides feasibility and diagnosis."""
    result = solve_location(
        view,
        deadline=deadline,
        mip_gap=mip_gap,
        threads=threads,
        trace=(lambda m: _trace(True, start, m)) if log else None,
    )
    plan = result.plan
    if plan is None or result.status == "no_plan":
        return None
    values = plan.values
    return Outcome(
        result.status,
        values,
        b.matrix() @ values,
        plan.objective,
        result.bound,
        max(0.0, plan.objective - result.bound) / max(abs(plan.objective), 1e-9),
        time.perf_counter() - start,
        None,
        0,
        0,
        result.fixed_closed,
        result.fixed_open,
        result.root_bound,
        result.iterations,
        result.nodes,
    )


def _trace(log: bool, start: float, message: str) -> None:
    if log:
        print(f"[fabnet planner {time.perf_counter() - start:8.2f} s] {message}", flush=True)


def _infeasible(start: float, rounds: int, cuts: int) -> Outcome:
    return Outcome(
        "infeasible",
        None,
        None,
        None,
        None,
        None,
        time.perf_counter() - start,
        None,
        rounds,
        cuts,
        0,
        0,
    )


def _lp_support_mip(
    b: ModelBuilder,
    lp_values: F64,
    integer: NDArray[np.bool_],
    threads: int,
    time_limit_s: float,
    mip_gap: float,
    log: bool,
) -> tuple[F64 | None, float | None]:
    """A good first plan (RENS): the MIP with every integer column the LP leaves at zero fixed
    there. Its plans are plans of the full model; None when it finds none in time."""
    if time_limit_s <= 0.2:
        return None, None
    ints = np.flatnonzero(integer)
    zero = ints[lp_values[ints] <= 1e-6].astype(np.int32)
    if len(zero) == 0:
        return None, None
    trial = b.to_highs(relax=False, threads=threads)
    trial.setOptionValue("output_flag", log)
    trial.changeColsBounds(len(zero), zero, np.zeros(len(zero)), np.zeros(len(zero)))
    trial.setOptionValue("mip_rel_gap", max(mip_gap, 1e-4))
    run = run_mip(trial, time.perf_counter() + time_limit_s)
    if run.values is None or run.objective is None:
        return None, None
    return run.values[: b.n_cols], run.objective


def _single_source_start(
    b: ModelBuilder,
    view: LocationView,
    threads: int,
    time_limit_s: float,
    mip_gap: float,
    log: bool,
    start: float,
    lp_bound: float | None,
) -> tuple[F64 | None, float | None]:
    """A good first plan for single-sourced facility location: the Lagrangian heuristic of
    :mod:`.singlesource`, then the MIP over the candidates its best few plans open (every other
    setup fixed closed) started from it. Its plans are plans of the full model."""
    if time_limit_s <= 0.5:
        return None, None
    until = time.perf_counter() + time_limit_s
    budget = min(SINGLE_SOURCE_HEURISTIC_S, SINGLE_SOURCE_HEURISTIC_SHARE * time_limit_s)
    enough = lp_bound + mip_gap * abs(lp_bound) if lp_bound is not None else -math.inf
    found = single_source_plan(view, time_limit_s=budget, enough=enough)
    if found is None:
        return None, None
    values, _, pool = found
    if not b.satisfied_by(values):
        _trace(log, start, "single-source heuristic plan breaks a row: not used")
        return None, None
    cost, _, _, _ = b.column_arrays()
    objective = float((cost * values).sum())
    _trace(log, start, f"single-source heuristic {objective}")
    if objective <= enough:
        return values, objective  # within the asked gap of the LP bound: no search needed
    trial = b.to_highs(relax=False, threads=threads)
    trial.setOptionValue("output_flag", log)
    closed = view.z_col[~pool].astype(np.int32)
    trial.changeColsBounds(len(closed), closed, np.zeros(len(closed)), np.zeros(len(closed)))
    trial.setOptionValue("mip_rel_gap", max(mip_gap, 1e-6))
    _set_start(trial, values)
    run = run_mip(trial, until)
    _trace(log, start, f"pool MIP ({int(pool.sum())} candidates) {run.status} {run.objective}")
    if run.values is not None and run.objective is not None and run.objective < objective:
        return run.values[: b.n_cols], run.objective
    return values, objective


def _set_start(h: highspy.Highs, values: F64) -> None:
    """Hand HiGHS a plan of the model as its starting solution."""
    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    h.setSolution(sol)


def _restricted_mip(
    net: Network,
    b: ModelBuilder,
    cols: Columns,
    linked: NDArray[np.bool_],
    upper: F64,
    threads: int,
    time_limit_s: float,
    mip_gap: float,
    log: bool,
) -> tuple[F64 | None, float | None]:
    """A good first plan: the MIP over the legs the strong LP uses (plus the cheapest few per
    demand pair), every other leg fixed to zero. Its plans are plans of the full model."""
    if time_limit_s <= 0.5 or not net.delivery.size:
        return None, None
    cost, _, _, _ = b.column_arrays()
    keep = linked | _initial_legs(net, cost, upper, cols, 4)
    if keep.all():
        return None, None
    trial = b.to_highs(relax=False, threads=threads)
    trial.setOptionValue("output_flag", log)
    _add_full_link_rows(trial, net, cols, np.flatnonzero(linked), b.n_cols)
    off = cols.x[~keep].astype(np.int32)
    trial.changeColsBounds(len(off), off, np.zeros(len(off)), np.zeros(len(off)))
    trial.setOptionValue("mip_rel_gap", max(mip_gap, 1e-4))
    run = run_mip(trial, time.perf_counter() + time_limit_s)
    if run.values is None or run.objective is None:
        return None, None
    return run.values[: b.n_cols], run.objective


def _greedy_plan(
    net: Network,
    b: ModelBuilder,
    cols: Columns,
    upper: F64,
    preferred: NDArray[np.bool_] | None = None,
) -> F64 | None:
    """A first plan without the LP, for models of setups and delivery legs only: each demand
    pair, largest first, takes its legs in order of unit cost plus setup cost per unit of
    capacity, as far as capacity is left. None when the model has other columns or demand
    stays unmet."""
    plain = len(cols.z_cand) + len(cols.z_asm) + len(cols.x) + len(cols.s)
    if b.n_cols != plain or net.asm.size or net.inbound.size or not net.delivery.size:
        return None
    legs = net.delivery
    qty = net.dk_qty[legs.target]
    cost, _, _, _ = b.column_arrays()
    per_unit = cost[cols.x] / np.maximum(qty, 1e-12)
    per_unit = per_unit + net.cand.setup_cost[legs.origin] / np.maximum(
        net.cand.capacity[legs.origin], 1e-12
    )
    single = net.problem.options.single_sourcing
    left = net.cand.capacity.copy()
    need = np.ones(len(net.dk_qty))
    x = np.zeros(legs.size)
    order = np.lexsort((per_unit, -net.dk_qty[legs.target]))
    if preferred is not None:
        # preferred origins first (setups already paid for), the others only for what is left
        first = preferred[legs.origin[order]]
        order = np.concatenate([order[first], order[~first]])
    for leg in order:
        t = int(legs.target[leg])
        o = int(legs.origin[leg])
        if need[t] <= 1e-12 or upper[cols.x[leg]] <= 0:
            continue
        room = left[o] / net.dk_qty[t]
        take = (1.0 if room >= need[t] - 1e-12 else 0.0) if single else min(need[t], room)
        if take <= 1e-12:
            continue
        x[leg] = take
        left[o] -= take * net.dk_qty[t]
        need[t] -= take
    if len(cols.s):
        values = np.zeros(b.n_cols)
        values[cols.s] = np.maximum(need, 0.0)
    elif (need > 1e-9).any():
        return None
    else:
        values = np.zeros(b.n_cols)
    values[cols.x] = x
    used = np.zeros(net.cand.size, bool)
    used[legs.origin[x > 0]] = True
    values[cols.z_cand] = used.astype(np.float64)
    return values


def _round_up(
    h: highspy.Highs,
    b: ModelBuilder,
    cols: Columns,
    values: F64,
    lower: F64,
    upper: F64,
    integer: NDArray[np.bool_],
    threads: int,
) -> tuple[F64 | None, float | None]:
    """A feasible plan: open every setup used by the LP, close the rest, re-solve the LP.

    Only for models whose sole integers are the setups (otherwise HiGHS finds its own plans).
    """
    setup = np.concatenate([cols.z_cand, cols.z_asm])
    if int(integer.sum()) != len(setup):
        return None, None
    trial = b.to_highs(relax=True, threads=threads)
    z = values[setup]
    new_lower = np.where(z > 1e-6, 1.0, 0.0)
    new_upper = new_lower.copy()
    trial.changeColsBounds(len(setup), setup.astype(np.int32), new_lower, new_upper)
    trial.run()
    if _status_name(trial) != "optimal":
        return None, None
    sol = np.asarray(trial.getSolution().col_value, dtype=np.float64)
    return sol, float(trial.getInfo().objective_function_value)


def _reduced_cost_fixing(
    h: highspy.Highs,
    cols: Columns,
    all_values: F64,
    dual: F64,
    lp_bound: float,
    incumbent: float,
) -> tuple[int, int]:
    """Fix setups whose LP reduced cost proves they cannot change in a better plan."""
    setup = np.concatenate([cols.z_cand, cols.z_asm])
    values = all_values[setup]
    slack = incumbent - lp_bound
    if slack < 0:
        return 0, 0
    margin = 1e-7 * max(1.0, abs(incumbent))
    close = (values < 1e-9) & (dual > slack + margin)
    open_ = (values > 1 - 1e-9) & (-dual > slack + margin)
    if close.any():
        idx = setup[close]
        h.changeColsBounds(len(idx), idx.astype(np.int32), np.zeros(len(idx)), np.zeros(len(idx)))
    if open_.any():
        idx = setup[open_]
        h.changeColsBounds(len(idx), idx.astype(np.int32), np.ones(len(idx)), np.ones(len(idx)))
    return int(close.sum()), int(open_.sum())


@dataclass(frozen=True)
class _LpResult:
    status: str
    bound: float | None
    values: F64 | None  # full column space
    setup_dual: F64 | None  # reduced costs of the setup columns
    linked: NDArray[np.bool_]  # delivery legs whose strong row was used
    rounds: int


def _initial_legs(net: Network, cost: F64, upper: F64, cols: Columns, k: int) -> NDArray[np.bool_]:
    """The k cheapest usable legs of every (delivery point, product) pair."""
    x_cost = cost[cols.x] / np.maximum(net.dk_qty[net.delivery.target], 1e-12)
    usable = upper[cols.x] > 0
    order = np.lexsort((x_cost, net.delivery.target))
    order = order[usable[order]]
    target = net.delivery.target[order]
    first = np.searchsorted(target, target, side="left")
    rank = np.arange(len(order)) - first
    active = np.zeros(net.delivery.size, bool)
    active[order[rank < k]] = True
    return active


def _strong_lp(
    net: Network,
    b: ModelBuilder,
    cols: Columns,
    *,
    threads: int,
    deadline: float,
    log: bool,
    separate: bool,
    max_rounds: int,
    k_initial: int = 8,
) -> _LpResult:
    """The LP relaxation with every strong row x <= z that matters, found by separation.

    The strong rows of the k cheapest legs of each demand pair go in at once (most LP flow uses
    them); afterwards only violated rows are added, re-solving from the previous basis.
    """
    cost, _, upper, _ = b.column_arrays()
    h = b.to_highs(relax=True, threads=threads)
    h.setOptionValue("output_flag", log)
    large = b.n_cols > LARGE_MODEL_COLUMNS
    linked = _initial_legs(net, cost, upper, cols, 2 if large else k_initial)
    _add_full_link_rows(h, net, cols, np.flatnonzero(linked), b.n_cols)
    if large:
        # the first solve of a large LP: interior point is much faster than simplex from scratch
        h.setOptionValue("solver", "ipm")
    rounds = 0
    while True:
        h.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter()))
        h.run()
        status = _status_name(h)
        if status != "optimal":
            return _LpResult(status, None, None, None, linked, rounds)
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        h.setOptionValue("solver", "choose")  # re-solves start from the basis
        if rounds >= max_rounds or time.perf_counter() > deadline:
            break
        violated = strong_link_violations(net, cols, values)
        violated = violated[~linked[violated]]
        if not len(violated):
            break
        linked[violated] = True
        _add_full_link_rows(h, net, cols, violated, b.n_cols)
        rounds += 1
    sol = h.getSolution()
    setup = np.concatenate([cols.z_cand, cols.z_asm])
    setup_dual = np.asarray(sol.col_dual, dtype=np.float64)[setup]
    row_dual = np.asarray(sol.row_dual, dtype=np.float64)[b.n_rows :]
    keep = np.zeros(net.delivery.size, bool)
    legs_linked = np.flatnonzero(linked)
    keep[legs_linked[np.abs(row_dual) > 1e-9]] = True
    keep |= linked & (values[cols.x] > 1e-9)
    return _LpResult(
        "optimal", float(h.getInfo().objective_function_value), values, setup_dual, keep, rounds
    )


def _add_full_link_rows(
    h: highspy.Highs, net: Network, cols: Columns, legs: I64, n_cols: int
) -> None:
    if not len(legs):
        return
    row, col, val = strong_link_rows(net, cols, legs)
    m = sp.csr_matrix((val, (row, col)), shape=(len(legs), n_cols))
    add_csr_rows(h, m, np.full(len(legs), -INF), np.zeros(len(legs)))
