"""The single-source first plan (Lagrangian guidance + local search, then the MIP over the
candidates its best plans open): its plans are plans of the model, and the planner's answer
with it is still the textbook single-source optimum."""

from __future__ import annotations

import numpy as np
import pytest
from tests.engine.planning.test_lagrangian import (
    instance_for,
    random_instance,
    reference,
    rel_diff,
    with_options,
)
from tests.shared_data import SHARED_DATA, require_shared

from fabnet.engine.planning import PlanningProblem, solve
from fabnet.engine.planning.cflp import read_os, read_sscflp, to_planning_problem
from fabnet.engine.planning.lagrangian import LocationView, location_view
from fabnet.engine.planning.model import build_model
from fabnet.engine.planning.network import compile_network
from fabnet.engine.planning.singlesource import single_source_plan


def single_view(problem: PlanningProblem):  # type: ignore[no-untyped-def]
    net = compile_network(problem)
    builder, cols = build_model(net)
    view = location_view(net, builder, cols, single_source=True)
    return builder, cols, view


def check_plan(builder, cols, view: LocationView, values, objective: float) -> None:  # type: ignore[no-untyped-def]
    cost, _, _, _ = builder.column_arrays()
    assert builder.satisfied_by(values), "the heuristic plan must keep every row of the model"
    assert float((cost * values).sum()) == pytest.approx(objective, rel=1e-9)
    x = values[cols.x]
    assert np.all((np.abs(x) < 1e-9) | (np.abs(x - 1) < 1e-9)), "single source: x is 0 or 1"
    z = values[cols.z_cand]
    assert np.all((np.abs(z) < 1e-9) | (np.abs(z - 1) < 1e-9))


@pytest.mark.parametrize("seed", range(8))
def test_heuristic_plan_is_a_single_sourced_plan_of_the_model(seed: int) -> None:
    inst = instance_for(seed)
    ref = reference(inst, single_source=True)
    builder, cols, view = single_view(to_planning_problem(inst, single_source=True))
    assert view is not None, "a single-sourced location model has a single-source view"
    found = single_source_plan(view, time_limit_s=2.0)
    if ref is None:
        return
    assert found is not None
    values, objective, pool = found
    check_plan(builder, cols, view, values, objective)
    # never better than the optimum (it is a plan), and a useful start: within 10 %
    assert objective >= ref.objective - 1e-6 * ref.objective
    assert objective <= 1.10 * ref.objective
    # the pool holds at least the candidates of the best plan
    opened = values[view.z_col] > 0.5
    assert pool[opened].all()


def test_heuristic_plan_with_priced_shortfall_leaves_pairs_unserved_only_when_cheaper() -> None:
    inst = random_instance(503, 10, 40, 0.8, False)
    problem = with_options(
        to_planning_problem(inst, single_source=True, time_limit_s=60),
        shortfall_penalty_per_unit=6.0,
    )
    builder, cols, view = single_view(problem)
    assert view is not None and len(view.s_col) == view.n_pairs
    found = single_source_plan(view, time_limit_s=2.0)
    assert found is not None
    values, objective, _ = found
    check_plan(builder, cols, view, values, objective)
    # total capacity is 0.8 x demand: some pairs are short, and each is either short or served
    short = values[view.s_col]
    assert short.sum() >= 1
    served = np.zeros(view.n_pairs)
    np.add.at(served, view.leg_target, values[view.leg_col])
    assert np.allclose(served + short, 1.0)
    ref = reference(inst, penalty=6.0, single_source=True)
    assert ref is not None
    result = solve(problem)
    assert result.status == "optimal"
    assert result.objective is not None and rel_diff(result.objective, ref.objective) <= 1e-6


@pytest.mark.parametrize("seed", [0, 6, 9])
def test_planner_with_the_heuristic_still_reaches_the_single_source_optimum(seed: int) -> None:
    inst = instance_for(seed)
    ref = reference(inst, single_source=True)
    assert ref is not None
    result = solve(to_planning_problem(inst, single_source=True, time_limit_s=60))
    assert result.status == "optimal"
    assert result.objective is not None and rel_diff(result.objective, ref.objective) <= 1e-6


def test_heuristic_on_holmberg_p58_is_within_one_percent_of_the_published_optimum() -> None:
    """Holmberg p58 (30 x 200, capacity 6,400 for 6,076 units): the instance the issue names.
    The heuristic alone lands within 1 % in about a second; the planner then proves 37,239."""
    folder = require_shared(SHARED_DATA / "benchmarks" / "cflp" / "sscflp" / "Lib_2")
    optimum = read_os(folder / "os")[57]
    inst = read_sscflp(folder / "p58")
    builder, cols, view = single_view(to_planning_problem(inst, single_source=True))
    assert view is not None
    found = single_source_plan(view, time_limit_s=3.0)
    assert found is not None
    values, objective, pool = found
    check_plan(builder, cols, view, values, objective)
    assert optimum <= objective <= 1.01 * optimum
    assert int(pool.sum()) < len(view.z_col), "the pool MIP searches fewer candidates"


def test_heuristic_starts_the_mip_when_the_strong_lp_does_not_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On large single-sourced models the strong LP can use its whole share (capb, 100 x 1,000
    single-sourced at 30 s: 12 s and no LP); the plan then came from the greedy fallback, 4.9x
    the optimum. The heuristic needs no LP, so it must still start the MIP."""
    import fabnet.engine.planning.optimise as optimise

    def unfinished_lp(net, b, cols, **_: object):  # type: ignore[no-untyped-def]
        no_legs = np.zeros(net.delivery.size, bool)
        return optimise._LpResult("time_limit", None, None, None, no_legs, 0)

    called: list[float] = []
    real = optimise._single_source_start

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(*args, **kwargs)
        called.append(out[1] if out[1] is not None else float("nan"))
        return out

    monkeypatch.setattr(optimise, "_strong_lp", unfinished_lp)
    monkeypatch.setattr(optimise, "_single_source_start", spy)
    inst = instance_for(7)
    ref = reference(inst, single_source=True)
    assert ref is not None
    result = solve(to_planning_problem(inst, single_source=True, time_limit_s=20))
    assert called, "the single-source heuristic must run without the LP"
    assert result.objective is not None
    assert result.objective <= called[0] + 1e-6 * abs(called[0])
    assert result.objective >= ref.objective - 1e-6 * ref.objective
    assert result.objective <= 1.02 * ref.objective


def test_each_candidate_serves_a_pair_by_its_cheapest_leg() -> None:
    """Two modes from one candidate to one pair (road and air, say): the plan uses the cheaper
    leg, whichever order the legs come in."""
    from fabnet.engine.planning.singlesource import _dense

    view = LocationView(
        n_cols=6,
        n_pairs=2,
        leg_col=np.array([2, 3, 4, 5]),
        leg_cost=np.array([9.0, 4.0, 3.0, 7.0]),  # candidate 0 -> pair 0: legs 2 (9) and 3 (4)
        leg_qty=np.array([1.0, 1.0, 1.0, 1.0]),
        leg_origin=np.array([0, 0, 1, 1]),
        leg_target=np.array([0, 0, 1, 1]),  # candidate 1 -> pair 1: legs 4 (3) and 5 (7)
        z_col=np.array([0, 1]),
        setup_cost=np.array([1.0, 1.0]),
        capacity=np.array([5.0, 5.0]),
        item=np.array([0, 0]),
        need=np.array([0.0]),
        s_col=np.zeros(0, np.int64),
        shortfall_cost=np.zeros(0),
    )
    d = _dense(view)
    assert d is not None
    assert d.col[0, 0] == 3 and d.cost[0, 0] == 4.0
    assert d.col[1, 1] == 4 and d.cost[1, 1] == 3.0
    assert not np.isfinite(d.cost[0, 1]) and d.col[0, 1] == -1
    found = single_source_plan(view, time_limit_s=1.0)
    assert found is not None
    values, objective, _ = found
    assert objective == pytest.approx(1 + 4 + 1 + 3)
    assert values.tolist() == [1, 1, 0, 1, 1, 0]
