"""Baselines are plans: they obey minimum lots and capacities, start HiGHS, never beat the plan."""

from __future__ import annotations

import dataclasses

import pytest

from fabnet.engine.planning import PlanningOptions, PlanningProblem, solve
from fabnet.engine.planning.baselines import nearest
from fabnet.engine.planning.network import compile_network


def _with_min_lots(problem: PlanningProblem, lot: float) -> PlanningProblem:
    """Both lamp assemblers insist on ``lot`` lamps: the nearest greedy splits 190 lamps between
    them and breaks both minimum lots; a plan must give all of them to one site."""
    assembly = tuple(dataclasses.replace(a, min_lot=lot) for a in problem.assembly_candidates)
    return dataclasses.replace(problem, assembly_candidates=assembly)


def test_the_greedy_nearest_allocation_breaks_minimum_lots_and_evaluate_says_so(
    lamp_problem: PlanningProblem,
) -> None:
    net = compile_network(_with_min_lots(lamp_problem, 150))
    greedy = nearest(net)
    assert any("below the minimum lot" in v for v in greedy.evaluation.violations), (
        greedy.evaluation.violations
    )


@pytest.mark.parametrize("lateness", [None, 2.0])
def test_baselines_obey_the_rules_and_never_beat_the_plan(
    lamp_problem: PlanningProblem, lateness: float | None
) -> None:
    problem = _with_min_lots(lamp_problem, 150)
    problem = dataclasses.replace(
        problem,
        options=PlanningOptions(time_limit_s=20, mip_gap=1e-6,
                                lateness_penalty_per_unit_day=lateness),
    )
    result = solve(problem)
    assert result.evaluation is not None
    assert result.evaluation.violations == ()
    assert {b.name for b in result.baselines} == {"centralised", "nearest"}
    for b in result.baselines:
        assert b.evaluation.violations == (), (b.name, b.evaluation.violations)
        assert result.evaluation.costs.total <= b.evaluation.costs.total + 1e-6, b.name


def test_a_plan_no_better_than_a_baseline_is_the_baseline(lamp_problem: PlanningProblem) -> None:
    """With almost no time the optimiser cannot improve on the start it was given."""
    problem = dataclasses.replace(
        _with_min_lots(lamp_problem, 150),
        options=PlanningOptions(time_limit_s=0.01, mip_gap=1e-6),
    )
    result = solve(problem)
    assert result.evaluation is not None
    best = min(b.evaluation.costs.total for b in result.baselines)
    assert result.evaluation.costs.total <= best + 1e-6
    assert result.evaluation.violations == ()
