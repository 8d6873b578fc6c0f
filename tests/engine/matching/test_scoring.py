"""Unit cost, capacity and the score that ranks candidates."""

from __future__ import annotations

import pytest

from fabnet.domain.facility import Capacity, ProcessRate
from fabnet.engine.matching import DeliveryPoint, FacilityIndex, MatchRequest, match_design
from fabnet.engine.matching.scoring import WEIGHTS, unit_cost

from .builders import design, eq, fac, part

RATE = ProcessRate(
    process="fdm",
    hourly_rate=30.0,
    setup_cost=20.0,
    material_cost_per_kg=25.0,
    units_per_hour=2.0,
    minimum_lot=1,
)


def test_unit_cost_formula() -> None:
    # setup/qty + hourly/uph + mass_kg * material cost = 20/10 + 30/2 + 0.2 * 25
    assert unit_cost(RATE, 10, 200.0) == pytest.approx(2.0 + 15.0 + 5.0)


def test_unit_cost_minimum_lot_is_paid_for() -> None:
    rate = RATE.model_copy(update={"minimum_lot": 20})
    assert unit_cost(rate, 10, 200.0) == pytest.approx((20.0 + 20 * (15.0 + 5.0)) / 10)


def test_unit_cost_unknown_rather_than_invented() -> None:
    assert unit_cost(RATE, 10, None) is None  # no mass, material has a price
    assert unit_cost(RATE.model_copy(update={"units_per_hour": None}), 10, 200.0) is None
    free_material = RATE.model_copy(update={"material_cost_per_kg": 0.0})
    assert unit_cost(free_material, 10, None) == pytest.approx(2.0 + 15.0)


def test_candidate_reports_cost_capacity_and_components() -> None:
    cheap = fac("cheap", eq("e", "fdm"), rates=(RATE,), capacity=Capacity(hours_per_week=40))
    pricey = fac("pricey", eq("e", "fdm"), rates=(RATE.model_copy(update={"hourly_rate": 90.0}),))
    dollars = fac("dollars", eq("e", "fdm"), rates=(RATE,), currency="USD")
    d = design(part("p", "fdm", mass_g=200.0))
    result = match_design(
        FacilityIndex.build([pricey, dollars, cheap]), d, MatchRequest(quantity=10)
    )
    cands = {c.facility_id: c for c in result.part("p").candidates}
    assert cands["cheap"].unit_cost == pytest.approx(22.0)
    assert cands["pricey"].unit_cost == pytest.approx(2.0 + 45.0 + 5.0)
    assert cands["dollars"].unit_cost is None  # another currency is not compared
    assert cands["cheap"].units_per_week == pytest.approx(80.0)  # 2/h * 40 h
    assert cands["pricey"].units_per_week is None  # no capacity record: unknown
    assert cands["cheap"].score_components["cost"] == 1.0
    assert cands["pricey"].score_components["cost"] == pytest.approx(22.0 / 52.0, abs=1e-6)
    assert cands["dollars"].score_components["cost"] == 0.0
    assert cands["cheap"].score_components["capacity"] == 1.0
    assert result.part("p").candidates[0].facility_id == "cheap"
    assert "distance" not in cands["cheap"].score_components  # no delivery point
    json_cand = cands["dollars"].to_json()
    assert json_cand["unit_cost"] == "unknown"


def test_score_is_the_documented_weighted_mean() -> None:
    near = fac("near", eq("e", "fdm"), lat=0.0, lon=0.9, certifications=("ISO 9001",))
    d = design(part("p", "fdm"))
    request = MatchRequest(delivery_points=(DeliveryPoint(0.0, 0.0, "o"),))
    (cand,) = match_design(FacilityIndex.build([near]), d, request).part("p").candidates
    comps = cand.score_components
    assert comps["distance"] == pytest.approx(1 / (1 + cand.distance_km / 100), abs=1e-6)  # type: ignore[operator]
    assert comps["certifications"] == 1.0 and comps["data"] == 1.0
    expected = sum(WEIGHTS[k] * v for k, v in comps.items()) / sum(WEIGHTS.values())
    assert cand.score == pytest.approx(expected, abs=1e-6)


def test_synthetic_data_ranks_below_declared() -> None:
    facilities = [
        fac("a-synthetic", eq("e", "fdm"), synthetic=True),
        fac("b-declared", eq("e", "fdm")),
    ]
    result = match_design(FacilityIndex.build(facilities), design(part("p", "fdm")), MatchRequest())
    cands = result.part("p").candidates
    assert [c.facility_id for c in cands] == ["b-declared", "a-synthetic"]
    assert [c.data_provenance for c in cands] == ["declared", "synthetic"]
