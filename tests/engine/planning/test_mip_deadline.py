"""A MIP stops at its deadline (engine.planning.highs.run_mip): HiGHS does not check its time limit
inside root cut separation, so the solve runs in a forked child that is stopped at the deadline,
and the best plan it reported is the answer."""

from __future__ import annotations

import time

import numpy as np
import pytest

from fabnet.engine.planning import highs
from fabnet.engine.planning.builder import ModelBuilder


def _knapsack(n: int = 30, seed: int = 3) -> ModelBuilder:
    """max value s.t. weight <= capacity, binaries (as a minimisation)."""
    rng = np.random.default_rng(seed)
    value = rng.integers(10, 60, n).astype(float)
    weight = rng.integers(5, 40, n).astype(float)
    b = ModelBuilder()
    cols = b.add_columns(n, cost=-value, lower=0.0, upper=1.0, integer=True)
    b.add_rows("capacity", 1, -np.inf, weight.sum() / 3, np.zeros(n, dtype=np.int64), cols, weight)
    return b


def test_isolated_and_in_process_solves_agree() -> None:
    b = _knapsack()
    runs = []
    for isolate in (True, False):
        h = b.to_highs(relax=False)
        runs.append(highs.run_mip(h, time.perf_counter() + 30, isolate=isolate))
    forked, local = runs
    assert forked.status == local.status == "optimal"
    assert forked.objective == pytest.approx(local.objective)
    assert forked.values is not None and local.values is not None
    assert len(forked.values) == b.n_cols
    assert float(b.column_arrays()[0] @ forked.values) == pytest.approx(forked.objective)
    assert not forked.killed


def test_a_solve_that_does_not_return_is_stopped_at_the_deadline_with_its_best_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child reports one plan, then hangs as HiGHS does inside root separation."""
    b = _knapsack()
    plan = np.zeros(b.n_cols)

    def hang(h: object, fd: int) -> None:
        highs._send(fd, 1, -5.0, -40.0, True, 0, plan)
        time.sleep(60)

    monkeypatch.setattr(highs, "_solve_and_report", hang)
    start = time.perf_counter()
    run = highs.run_mip(b.to_highs(relax=False), start + 0.5)
    took = time.perf_counter() - start
    assert run.killed and run.status == "time_limit"
    assert took < 0.5 + highs.GRACE_S + 2.0  # stopped, not waited for (60 s)
    assert run.objective == -5.0 and run.bound == -40.0
    assert run.values is not None and (run.values == plan).all()


def test_a_stopped_solve_without_a_plan_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs, "_solve_and_report", lambda h, fd: time.sleep(60))
    run = highs.run_mip(_knapsack().to_highs(relax=False), time.perf_counter() + 0.3)
    assert run.killed and run.status == "time_limit" and run.values is None
