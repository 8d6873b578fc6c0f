"""Behaviour of the planner on hand-built networks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.shared_data import SHARED_DATA

from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.engine.planning import (
    Candidate,
    DeliveryPoint,
    Facility,
    LocalShare,
    Part,
    PlanningOptions,
    PlanningProblem,
    Product,
    plan_to_geojson,
    solve,
)
from fabnet.errors import InfeasibleError, InputError


def with_options(problem: PlanningProblem, **changes: object) -> PlanningProblem:
    return replace(problem, options=replace(problem.options, **changes))  # type: ignore[arg-type]


def _sum(result, **match) -> float:  # type: ignore[no-untyped-def]
    return sum(
        f.quantity for f in result.flows if all(getattr(f, k) == v for k, v in match.items())
    )


def test_flows_add_up_and_assembly_consumes_parts_in_bom_ratio(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    result = solve(lamp_problem)
    assert result.status == "optimal"
    for point in lamp_problem.delivery_points:
        for product_id, qty in point.demand:
            assert _sum(result, destination_id=point.id, item_id=product_id) == pytest.approx(qty)
    assembled = {a.facility_id: a.quantity for a in result.assembly}
    assert sum(assembled.values()) == pytest.approx(190.0)
    for site, qty in assembled.items():
        assert _sum(result, destination_id=site, item_id="arm") == pytest.approx(2 * qty)
        assert _sum(result, destination_id=site, item_id="base") == pytest.approx(qty)
    made = {(p.part_id, p.facility_id): p.quantity for p in result.production}
    shipped: dict[tuple[str, str], float] = {}
    for f in result.flows:
        if f.item_id in {"arm", "base", "bracket"}:
            key = (f.item_id, f.origin_facility_id)
            shipped[key] = shipped.get(key, 0.0) + f.quantity
    assert made == pytest.approx(shipped)
    # landed cost is consistent with the objective (no lateness, no shortfall here)
    assert result.costs is not None and result.objective is not None
    assert result.costs.total == pytest.approx(result.objective, rel=1e-6)
    assert result.gap is not None and result.gap <= 1e-6
    assert result.bound is not None and result.bound <= result.objective + 1e-6
    assert set(result.lead_time_days) == {"hamburg", "paris", "vienna"}


def test_baselines_are_reported_and_never_beat_the_plan(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    result = solve(lamp_problem)
    names = [b.name for b in result.baselines]
    assert names == ["centralised", "nearest"]
    for baseline, saving in zip(result.baselines, result.savings, strict=True):
        assert not baseline.evaluation.shortfall
        assert saving.cost == pytest.approx(baseline.evaluation.costs.total - result.costs.total)  # type: ignore[union-attr]
        assert saving.cost >= -1e-6


def test_hard_due_date_excludes_a_slow_cheap_origin() -> None:
    parts = (Part("gear", 2.0),)
    products = (Product("gear", (("gear", 1.0),)),)
    cands = (
        Candidate("gear", "shenzhen", unit_cost=1.0, capacity=1e6, lead_time_days=5),
        Candidate("gear", "munich", unit_cost=20.0, capacity=1e6, lead_time_days=2),
    )
    facilities = (Facility("shenzhen", 22.54, 114.06, "CN"), Facility("munich", 48.14, 11.58, "DE"))
    point = DeliveryPoint("berlin", 52.52, 13.40, (("gear", 100.0),), due_days=10, country="DE")
    base = PlanningProblem(
        products, parts, facilities, cands, (point,), transport=TransportModel.default()
    )
    relaxed = solve(replace(base, delivery_points=(replace(point, due_days=None),)))
    assert {f.origin_facility_id for f in relaxed.flows} == {"shenzhen"}
    hard = solve(base)
    assert {f.origin_facility_id for f in hard.flows} == {"munich"}
    assert hard.lead_time_days["berlin"] <= 10
    # priced lateness: a small penalty accepts the late cheap plan and reports it
    cheap_late = solve(with_options(base, lateness_penalty_per_unit_day=0.01))
    assert {f.origin_facility_id for f in cheap_late.flows} == {"shenzhen"}
    assert cheap_late.costs is not None and cheap_late.costs.lateness > 0
    assert cheap_late.evaluation is not None and cheap_late.evaluation.late_days["berlin"] > 0
    on_time = solve(with_options(base, lateness_penalty_per_unit_day=100.0))
    assert {f.origin_facility_id for f in on_time.flows} == {"munich"}


def test_single_sourcing_serves_each_point_from_one_origin(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    tight = replace(
        lamp_problem,
        candidates=tuple(
            replace(c, capacity=50.0) if c.part_id == "bracket" else c
            for c in lamp_problem.candidates
        ),
    )
    split = solve(tight)
    sources = {
        f.origin_facility_id
        for f in split.flows
        if f.item_id == "bracket" and f.destination_id == "hamburg"
    }
    single = solve(with_options(tight, single_sourcing=True))
    assert single.status == "optimal"
    for point in ("hamburg", "paris"):
        origins = {
            f.origin_facility_id
            for f in single.flows
            if f.item_id == "bracket" and f.destination_id == point
        }
        assert len(origins) == 1
    assert split.objective is not None and single.objective is not None
    assert single.objective >= split.objective - 1e-6
    assert sources  # multi-source plan still serves hamburg


def test_max_facilities_limits_the_network(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    free = solve(lamp_problem)
    assert free.evaluation is not None and len(free.evaluation.facilities_used) >= 3
    capped = solve(with_options(lamp_problem, max_facilities=2))
    assert capped.evaluation is not None
    assert len(capped.evaluation.facilities_used) <= 2
    assert any("max_facilities" in b for b in capped.binding_constraints)


def test_local_share_moves_spend_into_the_region(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    free = solve(lamp_problem)
    assert free.local_share is None
    share = LocalShare(min_share=0.9, countries=frozenset({"DE"}))
    local = solve(with_options(lamp_problem, local_share=share))
    assert local.local_share is not None and local.local_share >= 0.9 - 1e-6
    made_in = {p.facility_id for p in local.production if p.part_id == "arm"}
    assert made_in == {"berlin"}  # the cheaper Polish arms give way to German ones
    assert free.objective is not None and local.objective is not None
    assert local.objective >= free.objective


def test_co2_price_and_budget_change_the_choice() -> None:
    parts = (Part("panel", 10.0),)
    products = (Product("panel", (("panel", 1.0),)),)
    facilities = (Facility("shenzhen", 22.54, 114.06, "CN"), Facility("munich", 48.14, 11.58, "DE"))
    cands = (
        Candidate("panel", "shenzhen", unit_cost=10.0, capacity=1e6),
        Candidate("panel", "munich", unit_cost=14.0, capacity=1e6),
    )
    point = DeliveryPoint("berlin", 52.52, 13.40, (("panel", 100.0),), country="DE")
    base = PlanningProblem(
        products, parts, facilities, cands, (point,), transport=TransportModel.default()
    )
    cheap = solve(base)
    assert {f.origin_facility_id for f in cheap.flows} == {"shenzhen"}
    assert {f.mode for f in cheap.flows} == {"sea"}
    priced = solve(with_options(base, co2_price_per_t=2000.0))
    assert {f.origin_facility_id for f in priced.flows} == {"munich"}
    assert priced.co2e_kg is not None and cheap.co2e_kg is not None
    assert priced.co2e_kg < cheap.co2e_kg
    budget = solve(with_options(base, co2_budget_kg=cheap.co2e_kg / 2))
    assert budget.co2e_kg is not None and budget.co2e_kg <= cheap.co2e_kg / 2 + 1e-6
    assert any("co2_budget" in b for b in budget.binding_constraints)


def test_minimum_lot_is_respected(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    result = solve(lamp_problem)
    used_berlin_bracket = sum(
        p.quantity
        for p in result.production
        if p.part_id == "bracket" and p.facility_id == "berlin"
    )
    lot = replace(
        lamp_problem,
        candidates=tuple(
            replace(c, min_lot=200.0) if c.part_id == "bracket" else c
            for c in lamp_problem.candidates
        ),
    )
    lots = solve(lot)
    for line in lots.production:
        if line.part_id == "bracket":
            assert line.quantity >= 200.0 - 1e-6
    assert used_berlin_bracket >= 0


def test_infeasible_order_names_the_part_and_the_point(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    short = replace(
        lamp_problem,
        candidates=tuple(
            replace(c, capacity=100.0) if c.part_id == "base" else c
            for c in lamp_problem.candidates
        ),
    )
    result = solve(short)
    assert result.status == "infeasible"
    text = " | ".join(result.diagnosis)
    assert "part base" in text and "below the demand of 190" in text
    assert "capacity of base at facility munich" in text
    with pytest.raises(InfeasibleError, match="base"):
        result.raise_if_infeasible()
    late = replace(
        lamp_problem,
        delivery_points=tuple(
            replace(d, due_days=0.5) if d.id == "paris" else d for d in lamp_problem.delivery_points
        ),
    )
    result = solve(late)
    assert result.status == "infeasible"
    assert any("paris" in line for line in result.diagnosis)


def test_shortfall_is_priced_and_reported(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    short = replace(
        lamp_problem,
        candidates=tuple(
            replace(c, capacity=100.0) if c.part_id == "base" else c
            for c in lamp_problem.candidates
        ),
    )
    result = solve(with_options(short, shortfall_penalty_per_unit=1000.0))
    assert result.status == "optimal"
    assert result.evaluation is not None
    assert sum(s.quantity for s in result.evaluation.shortfall) == pytest.approx(90.0)
    assert result.costs is not None and result.costs.shortfall == pytest.approx(90_000.0)


def test_consistency_check_lists_every_problem() -> None:
    problem = PlanningProblem(
        products=(Product("p", (("ghost", 1.0),)),),
        parts=(Part("x"),),
        facilities=(Facility("f", 0, 0),),
        candidates=(Candidate("x", "nowhere", unit_cost=1.0),),
        delivery_points=(DeliveryPoint("d", 0, 0, (("p", -5.0), ("unknown", 1.0))),),
    )
    with pytest.raises(InputError) as info:
        solve(problem)
    text = str(info.value)
    for fragment in (
        "unknown part id 'ghost'",
        "unknown facility id 'nowhere'",
        "demand[p]: must be a finite number >= 0",
        "unknown product id 'unknown'",
    ):
        assert fragment in text


def test_time_limit_returns_the_best_plan_and_its_gap() -> None:

    from fabnet.engine.planning.cflp import read_sscflp, to_planning_problem

    path = SHARED_DATA / "benchmarks" / "cflp" / "sscflp" / "Lib_4" / "p1"
    assert path.exists(), f"benchmark data missing: {path} (../shared/data beside the repo)"
    problem = to_planning_problem(read_sscflp(path), single_source=True, time_limit_s=5.0)
    result = solve(problem)
    assert result.status == "time_limit"
    assert result.has_plan and result.objective is not None and result.bound is not None
    assert result.gap is not None and result.gap > 0
    assert result.bound <= result.objective
    assert result.seconds < 20


def test_geojson_has_sites_points_and_flows(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    result = solve(lamp_problem)
    doc = plan_to_geojson(lamp_problem, result)
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds.count("delivery_point") == 3
    assert kinds.count("flow") == len(result.flows)
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    assert all(len(f["geometry"]["coordinates"]) == 2 for f in lines)
    sites = [f for f in doc["features"] if f["properties"]["kind"] == "facility"]
    assert any("assembly" in f["properties"]["roles"] for f in sites)


def test_inputs_are_not_modified(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    before = repr(lamp_problem)
    solve(lamp_problem)
    assert repr(lamp_problem) == before


def test_options_are_validated(lamp_problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="max_facilities"):
        solve(with_options(lamp_problem, max_facilities=0))
    with pytest.raises(InputError, match="allowed_modes"):
        solve(
            replace(
                lamp_problem,
                options=PlanningOptions(allowed_modes=()),
                transport=TransportModel.default(),
            )
        )
    assert TransportMode.ROAD in lamp_problem.options.allowed_modes
