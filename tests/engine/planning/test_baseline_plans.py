"""Baselines are plans: they obey minimum lots and capacities, start HiGHS, never beat the plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fabnet.engine.logistics import TransportModel
from fabnet.engine.planning import (
    AssemblyCandidate,
    Candidate,
    DeliveryPoint,
    Facility,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
    solve,
)
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
        options=PlanningOptions(
            time_limit_s=20, mip_gap=1e-6, lateness_penalty_per_unit_day=lateness
        ),
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


def _random_problem(seed: int) -> PlanningProblem:
    """A small random order: a two-part assembled product and a single-part product, 4-7
    facilities with capacities and minimum lots, 2-4 delivery points with due dates."""
    rng = np.random.default_rng(seed)
    n_fac = int(rng.integers(4, 8))
    facilities = tuple(
        Facility(
            f"f{i}",
            float(rng.uniform(40, 55)),
            float(rng.uniform(-5, 25)),
            str(rng.choice(["DE", "FR", "PL", "CH"])),
        )
        for i in range(n_fac)
    )
    parts = (Part("a", 0.3), Part("b", 0.8), Part("c", 0.2))
    products = (
        Product("kit", (("a", 2.0), ("b", 1.0)), assembled=True),
        Product("c", (("c", 1.0),)),
    )
    n_dp = int(rng.integers(2, 5))
    points = tuple(
        DeliveryPoint(
            f"d{j}",
            float(rng.uniform(40, 55)),
            float(rng.uniform(-5, 25)),
            (("kit", float(rng.integers(10, 80))), ("c", float(rng.integers(0, 50)))),
            float(rng.integers(8, 25)),
            "DE",
        )
        for j in range(n_dp)
    )
    need = {"kit": sum(d.demand[0][1] for d in points), "c": sum(d.demand[1][1] for d in points)}
    part_need = {"a": 2 * need["kit"], "b": need["kit"], "c": need["c"]}
    candidates = []
    for part, total in part_need.items():
        for f in rng.choice(n_fac, size=int(rng.integers(2, n_fac + 1)), replace=False):
            capacity = float(rng.uniform(0.5, 1.5) * total + 1)
            candidates.append(
                Candidate(
                    part,
                    f"f{f}",
                    unit_cost=float(rng.uniform(1, 6)),
                    setup_cost=float(rng.uniform(0, 80)),
                    capacity=capacity,
                    lead_time_days=float(rng.integers(1, 5)),
                    min_lot=float(rng.choice([0.0, 0.3 * capacity, 0.6 * capacity])),
                )
            )
    assembly = []
    for f in rng.choice(n_fac, size=int(rng.integers(1, 4)), replace=False):
        capacity = float(rng.uniform(0.6, 1.5) * need["kit"] + 1)
        assembly.append(
            AssemblyCandidate(
                "kit",
                f"f{f}",
                unit_cost=float(rng.uniform(0.5, 3)),
                setup_cost=float(rng.uniform(0, 150)),
                capacity=capacity,
                lead_time_days=float(rng.integers(1, 3)),
                min_lot=float(rng.choice([0.0, 0.5 * capacity])),
            )
        )
    lateness = None if seed % 2 else float(rng.uniform(0.5, 3))
    return PlanningProblem(
        products=products,
        parts=parts,
        facilities=facilities,
        candidates=tuple(candidates),
        delivery_points=points,
        assembly_candidates=tuple(assembly),
        options=PlanningOptions(
            time_limit_s=20, mip_gap=1e-6, lateness_penalty_per_unit_day=lateness
        ),
        transport=TransportModel.default(),
    )


@pytest.mark.parametrize("seed", range(12))
def test_on_random_orders_the_plan_is_never_worse_than_a_valid_baseline(seed: int) -> None:
    """Random small orders with minimum lots, assembly and due dates (hard or priced): every
    baseline that is a plan breaks no rule, and the returned plan costs no more than it; a
    baseline that is not a plan says which rules it breaks."""
    result = solve(_random_problem(seed))
    if result.evaluation is None:
        assert result.status == "infeasible" and result.diagnosis, result.status
        return
    assert result.evaluation.violations == (), result.evaluation.violations
    for b in result.baselines:
        cost = b.evaluation.costs.total
        if b.evaluation.violations:
            continue  # its sites admit no plan: reported as the greedy allocation
        assert result.evaluation.costs.total <= cost + 1e-6 * max(1.0, cost), (seed, b.name)


def test_a_baseline_whose_sites_miss_the_due_date_widens_until_it_is_a_plan() -> None:
    """The centralised greedy picks the cheapest site, which cannot deliver by the (hard) due
    date; the baseline then widens by its own rule until its sites admit a plan, so it is on
    time, and the optimised plan is compared with a plan, not with a late allocation."""
    problem = PlanningProblem(
        products=(Product("clip", (("clip", 1.0),)),),
        parts=(Part("clip", 0.05),),
        facilities=(
            Facility("slow", 48.14, 11.58, "DE"),  # cheapest, but starts in 30 days
            Facility("quick", 48.21, 16.37, "AT"),
        ),
        candidates=(
            Candidate(
                "clip", "slow", unit_cost=1.0, setup_cost=0.0, capacity=1000, lead_time_days=30
            ),
            Candidate(
                "clip", "quick", unit_cost=5.0, setup_cost=0.0, capacity=1000, lead_time_days=1
            ),
        ),
        delivery_points=(DeliveryPoint("vienna", 48.21, 16.37, (("clip", 100.0),), 10, "AT"),),
        assembly_candidates=(),
        options=PlanningOptions(time_limit_s=10, mip_gap=1e-6),
        transport=TransportModel.default(),
    )
    result = solve(problem)
    assert result.status == "optimal" and result.evaluation is not None
    centralised = next(b for b in result.baselines if b.name == "centralised")
    assert centralised.evaluation.violations == (), centralised.evaluation.violations
    assert centralised.evaluation.max_lead_time_days <= 10
    assert result.evaluation.costs.total <= centralised.evaluation.costs.total + 1e-6
