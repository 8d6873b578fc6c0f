"""The time-indexed due dates of assembled products (ADR 0012) against the big-M model."""

from __future__ import annotations

from dataclasses import replace

import pytest

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

FACILITIES = (
    Facility("near", 0.0, 0.0),
    Facility("far", 0.0, 0.0),
    Facility("asm", 0.0, 0.0),
    Facility("asm2", 0.0, 0.0),
)


def _problem(lateness: float | None, due: float = 10.0, model: str = "auto") -> PlanningProblem:
    """A kit of two parts; the cheap maker of part a is slow (lead 12 days), the dear one fast."""
    parts = (Part("a"), Part("b"))
    products = (Product("kit", (("a", 1.0), ("b", 1.0)), assembled=True),)
    cands = (
        Candidate("a", "far", unit_cost=1.0, capacity=1000, lead_time_days=12),
        Candidate("a", "near", unit_cost=4.0, capacity=60, lead_time_days=2),
        Candidate("b", "near", unit_cost=1.0, capacity=1000, lead_time_days=3),
    )
    asm = (
        AssemblyCandidate("kit", "asm", unit_cost=1.0, setup_cost=5.0, lead_time_days=1),
        AssemblyCandidate("kit", "asm2", unit_cost=1.0, setup_cost=5.0, lead_time_days=1),
    )
    points = (
        DeliveryPoint("p", 0.0, 0.0, (("kit", 100.0),), due_days=due),
        DeliveryPoint("q", 0.0, 0.0, (("kit", 20.0),), due_days=30.0),
    )
    return PlanningProblem(
        products=products,
        parts=parts,
        facilities=FACILITIES,
        candidates=cands,
        delivery_points=points,
        assembly_candidates=asm,
        options=PlanningOptions(
            lateness_penalty_per_unit_day=lateness,
            mip_gap=1e-9,
            time_limit_s=30,
            due_date_model=model,  # type: ignore[arg-type]
        ),
    )


def test_hard_due_dates_are_met_when_they_can_be() -> None:
    # 60 fast parts a: point p (100 due on day 10) cannot be served on time at all
    assert solve(_problem(None)).status == "infeasible"
    # with due day 30 for p the slow cheap maker is on time: everything comes from it
    relaxed = solve(_problem(None, due=30.0))
    assert relaxed.status == "optimal" and relaxed.evaluation is not None
    assert not relaxed.evaluation.late_days and not relaxed.evaluation.violations
    made = {(p.part_id, p.facility_id): p.quantity for p in relaxed.production}
    assert made[("a", "far")] == pytest.approx(120.0)


def test_lateness_is_priced_per_unit_and_split_across_two_sites() -> None:
    # 2 EUR per unit and day: p's 100 kits, 60 from the fast maker at one site (ready day 3,
    # on time), 40 at the other from the slow maker (ready day 12 -> delivered day 13, 3 days
    # late: 40 x 3 x 2 = 240 EUR) beats paying 3 EUR more per part for all of them
    result = solve(_problem(2.0))
    assert result.status == "optimal" and result.costs is not None
    assert result.evaluation is not None
    assert result.costs.lateness == pytest.approx(40 * 3 * 2.0)
    assert result.objective == pytest.approx(result.costs.total, rel=1e-9)
    assert result.evaluation.late_days["p"] == pytest.approx(3.0)
    # a prohibitive penalty: no late unit at all where that is possible -> infeasible is not an
    # option, so the lateness is the unavoidable minimum (the 60 fast parts cover 60 units)
    dear = solve(_problem(1000.0))
    assert dear.costs is not None and dear.costs.lateness == pytest.approx(40 * 3 * 1000.0)


@pytest.mark.parametrize("lateness", [None, 0.5, 2.0, 50.0])
@pytest.mark.parametrize("due", [10.0, 13.0, 30.0])
def test_never_costlier_than_the_big_m_model(lateness: float | None, due: float) -> None:
    new = solve(_problem(lateness, due, "time_indexed"))
    old = solve(_problem(lateness, due, "big_m"))
    assert new.status == old.status or old.status == "infeasible"
    if old.costs is None:
        return
    assert new.costs is not None and new.status == "optimal"
    assert new.costs.total <= old.costs.total + 1e-6
    assert new.objective == pytest.approx(new.costs.total, rel=1e-9)


@pytest.mark.parametrize("lateness", [None, 2.0])
def test_never_costlier_than_big_m_on_the_lamp_network(
    lamp_problem: PlanningProblem, lateness: float | None
) -> None:
    points = tuple(
        replace(d, due_days=10.0 + i) for i, d in enumerate(lamp_problem.delivery_points)
    )
    base = replace(lamp_problem, delivery_points=points)
    results = {}
    for model in ("time_indexed", "big_m"):
        options = replace(base.options, lateness_penalty_per_unit_day=lateness,
                          due_date_model=model)
        results[model] = solve(replace(base, options=options))
    new, old = results["time_indexed"], results["big_m"]
    assert new.status == "optimal", new.diagnosis
    assert new.evaluation is not None
    if lateness is None:
        assert not new.evaluation.late_days
    if old.costs is not None:
        assert new.costs is not None and new.costs.total <= old.costs.total + 1e-6


def test_the_first_plan_from_the_lp_support_is_a_plan_of_the_full_model() -> None:
    """The MIP on the LP's support (RENS) is the time-indexed model's first incumbent: what it
    returns must satisfy every row and bound of the full model, integers included, and the
    optimiser never ends worse than it."""
    import numpy as np

    from fabnet.engine.planning.model import build_model
    from fabnet.engine.planning.network import compile_network
    from fabnet.engine.planning.optimise import _lp_support_mip

    problem = _problem(2.0, model="time_indexed")
    net = compile_network(problem)
    b, cols = build_model(net)
    assert cols.ready_days is not None and len(cols.ready_days.y) > 0
    lp = b.to_highs(relax=True)
    lp.setOptionValue("output_flag", False)
    lp.run()
    lp_values = np.asarray(lp.getSolution().col_value)
    cost, lower, upper, integer = b.column_arrays()
    plan, objective = _lp_support_mip(b, lp_values, integer, 1, 10.0, 1e-9, False)
    assert plan is not None and objective is not None
    row_lo, row_hi = b.row_bounds()
    activity = b.matrix() @ plan
    assert (activity >= row_lo - 1e-6).all() and (activity <= row_hi + 1e-6).all()
    assert (plan >= lower - 1e-9).all() and (plan <= upper + 1e-9).all()
    assert np.allclose(plan[integer], np.round(plan[integer]), atol=1e-6)
    assert objective == pytest.approx(float(cost @ plan))
    assert objective >= float(lp.getInfo().objective_function_value) - 1e-6
    result = solve(problem)
    assert result.objective is not None and result.objective <= objective + 1e-6
