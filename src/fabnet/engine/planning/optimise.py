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

import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from .builder import INF, ModelBuilder, add_csr_rows, set_integrality
from .model import Columns, strong_link_rows, strong_link_violations
from .network import Network

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


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


def _status_name(h: highspy.Highs) -> str:
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    if status == ms.kOptimal:
        return "optimal"
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return "infeasible"
    if status in (ms.kTimeLimit, ms.kInterrupt, ms.kIterationLimit, ms.kSolutionLimit):
        return "time_limit"
    return "error"


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
) -> Outcome:
    """Run the cut loop and the MIP; see the module docstring."""
    start = time.perf_counter()
    deadline = start + time_limit_s
    h = b.to_highs(relax=True, threads=threads)
    h.setOptionValue("output_flag", log)
    cost, lower, upper, integer = b.column_arrays()
    has_added = np.zeros(net.delivery.size, bool)
    rounds = 0
    lp_bound: float | None = None
    values: F64 | None = None
    n_setup = len(cols.z_cand) + len(cols.z_asm)
    separate = separate and n_setup > 0 and net.delivery.size > 0
    h.setOptionValue("time_limit", max(1.0, 0.6 * time_limit_s))
    while True:
        h.run()
        if _status_name(h) != "optimal":
            if _status_name(h) == "infeasible":
                return _infeasible(start, rounds, int(has_added.sum()))
            break
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        lp_bound = float(h.getInfo().objective_function_value)
        if not separate or rounds >= max_rounds or time.perf_counter() > deadline - 1:
            break
        violated = strong_link_violations(net, cols, values)
        violated = violated[~has_added[violated]]
        if not len(violated):
            break
        has_added[violated] = True
        row, col, val = strong_link_rows(net, cols, violated)
        import scipy.sparse as sp

        m = sp.csr_matrix((val, (row, col)), shape=(len(violated), b.n_cols))
        add_csr_rows(h, m, np.full(len(violated), -INF), np.zeros(len(violated)))
        rounds += 1
    fixed_closed = fixed_open = 0
    incumbent: F64 | None = None
    if values is not None and lp_bound is not None and n_setup and integer.any():
        incumbent, inc_obj = _round_up(h, b, cols, values, lower, upper, integer, threads)
        if incumbent is not None and inc_obj is not None:
            fixed_closed, fixed_open = _reduced_cost_fixing(h, cols, lp_bound, inc_obj)
    if integer.any():
        set_integrality(h, np.flatnonzero(integer))
        h.setOptionValue("mip_rel_gap", mip_gap)
        h.setOptionValue("mip_abs_gap", 1e-9)
        remaining = deadline - time.perf_counter()
        h.setOptionValue("time_limit", max(0.5, remaining))
        if incumbent is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(incumbent)
            sol.value_valid = True
            h.setSolution(sol)
        h.run()
    status = _status_name(h)
    info = h.getInfo()
    seconds = time.perf_counter() - start
    if status == "infeasible":
        return _infeasible(start, rounds, int(has_added.sum()))
    if integer.any():
        has_solution = info.primal_solution_status == 2
        if not has_solution:
            return Outcome("infeasible" if status == "optimal" else status, None, None, None,
                           None, None, seconds, lp_bound, rounds, int(has_added.sum()),
                           fixed_closed, fixed_open)
        objective = float(info.objective_function_value)
        bound = float(info.mip_dual_bound)
        gap = abs(objective - bound) / max(abs(objective), 1e-9)
    else:
        objective = float(info.objective_function_value)
        bound = objective
        gap = 0.0
    solution = h.getSolution()
    values = np.asarray(solution.col_value, dtype=np.float64)
    activity = np.asarray(solution.row_value, dtype=np.float64)[: b.n_rows]
    return Outcome(status, values, activity, objective, bound, gap, seconds, lp_bound, rounds,
                   int(has_added.sum()), fixed_closed, fixed_open)


def _infeasible(start: float, rounds: int, cuts: int) -> Outcome:
    return Outcome("infeasible", None, None, None, None, None, time.perf_counter() - start, None,
                   rounds, cuts, 0, 0)


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
    h: highspy.Highs, cols: Columns, lp_bound: float, incumbent: float
) -> tuple[int, int]:
    """Fix setups whose LP reduced cost proves they cannot change in a better plan."""
    setup = np.concatenate([cols.z_cand, cols.z_asm])
    solution = h.getSolution()
    values = np.asarray(solution.col_value, dtype=np.float64)[setup]
    dual = np.asarray(solution.col_dual, dtype=np.float64)[setup]
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
