"""Quoted machine hours price the rates that declare no throughput of their own."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from fabnet.domain.facility import Capacity, ProcessRate
from fabnet.engine.matching import (
    FacilityIndex,
    MatchRequest,
    match_design,
    naive_match,
    requirements_for,
    reverse_match,
    why_not,
)
from fabnet.engine.matching.criteria import cost_and_throughput, cost_estimate
from fabnet.errors import InputError
from fabnet.services.sourcing.matching import designs_for_facility, explain_non_match, match
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

from .builders import design, eq, fac, part

# No units_per_hour: without a quote the machine time, and so the cost, is unknown.
UNTIMED = ProcessRate(
    process="fdm", hourly_rate=2.6, setup_cost=20.0, material_cost_per_kg=30.0, minimum_lot=1
)
TIMED = ProcessRate(process="fdm", hourly_rate=30.0, units_per_hour=2.0)


def _cost(rate: ProcessRate, hours: float, quantity: int, mass_g: float) -> float:
    """The documented formula, written out for one rate."""
    lots = max(quantity, rate.minimum_lot)
    machine = rate.hourly_rate * hours
    return (rate.setup_cost + lots * (machine + mass_g / 1000 * rate.material_cost_per_kg)) / (
        quantity
    )


def test_requirements_carry_the_hours_of_their_item() -> None:
    d = design(part("leg", "fdm"), part("seat", "laser-cutting"), assembly_process="assembly")
    hours = {"leg": {"fdm": 1.5, "sla": 2.0}, "final": {"assembly": 0.25}}
    reqs = {r.label: r for r in requirements_for(d, 3, hours)}
    assert dict(reqs["leg"].hours) == {"fdm": 1.5, "sla": 2.0}
    assert dict(reqs["seat"].hours) == {}  # nothing quoted for it
    assert dict(reqs["assembly"].hours) == {"assembly": 0.25}  # by the root assembly's id
    assert all(not r.hours for r in requirements_for(d, 3))


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_unusable_hours_are_refused(bad: float) -> None:
    with pytest.raises(InputError, match=r"leg\.fdm: quoted hours per unit must be"):
        requirements_for(design(part("leg", "fdm")), 1, {"leg": {"fdm": bad}})


def test_a_rate_without_throughput_is_priced_from_quoted_hours() -> None:
    lab = fac("lab", eq("mk4", "fdm"), rates=(UNTIMED,), capacity=Capacity(hours_per_week=40))
    d = design(part("leg", "fdm", mass_g=40.0))
    index = FacilityIndex.build([lab])
    request = MatchRequest(quantity=10)

    (blind,) = match_design(index, d, request).part("leg").candidates
    assert blind.unit_cost is None and blind.units_per_week is None
    assert "cost: unknown: the fdm rate declares no units per hour" in " | ".join(blind.reasons)

    (cand,) = match_design(index, d, request, hours={"leg": {"fdm": 1.34}}).part("leg").candidates
    assert cand.unit_cost == pytest.approx(_cost(UNTIMED, 1.34, 10, 40.0))
    assert cand.units_per_week == pytest.approx(40 / 1.34)
    cost_reason = next(r for r in cand.reasons if r.startswith("cost: "))
    assert cost_reason.startswith(
        f"cost: {cand.unit_cost:.2f} EUR/unit from 1.34 h quoted x 2.60 EUR/h + material"
    )
    assert "29.9 units/week from 40 h/week / 1.34 h quoted" in " | ".join(cand.reasons)


def test_declared_throughput_wins_over_the_quote() -> None:
    lab = fac("lab", eq("mk4", "fdm"), rates=(TIMED,), capacity=Capacity(hours_per_week=40))
    d = design(part("leg", "fdm"))
    result = match_design(FacilityIndex.build([lab]), d, MatchRequest(), hours={"leg": {"fdm": 9}})
    (cand,) = result.part("leg").candidates
    assert cand.unit_cost == pytest.approx(15.0)  # 30 EUR/h / 2 units/h, not 30 x 9 h
    assert cand.units_per_week == pytest.approx(80.0)
    assert any("30.00 EUR/h / 2 units/h declared" in r for r in cand.reasons)


def test_a_more_specific_rate_uses_the_hours_of_the_process_it_meets() -> None:
    rate = ProcessRate(process="precision-milling", hourly_rate=60.0)
    shop = fac("shop", eq("vmc", "precision-milling"), rates=(rate,))
    d = design(part("bracket", "cnc-milling"))
    req = requirements_for(d, 1, {"bracket": {"cnc-milling": 0.5}})[0]
    assert cost_and_throughput(shop, req, "EUR")[0] == pytest.approx(30.0)
    # the rate's own process, when quoted, comes first
    req = requirements_for(d, 1, {"bracket": {"cnc-milling": 0.5, "precision-milling": 0.75}})[0]
    assert cost_and_throughput(shop, req, "EUR")[0] == pytest.approx(45.0)
    # a quote for another process says nothing about this rate
    req = requirements_for(d, 1, {"bracket": {"cnc-turning": 0.5}})[0]
    estimate = cost_estimate(shop, req, "EUR")
    assert estimate.unit_cost is None and "no quoted hours" in estimate.cost_detail


def test_ranking_by_cost_follows_the_quote() -> None:
    """Without hours only the declared rate has a cost, so it ranks first; with hours the
    cheaper untimed rate is known and wins the cost component."""
    declared = fac("a-declared", eq("e", "fdm"), rates=(TIMED,))  # 15 EUR/unit
    quoted = fac("b-quoted", eq("e", "fdm"), rates=(UNTIMED.model_copy(update={"setup_cost": 0}),))
    d = design(part("leg", "fdm", mass_g=40.0))
    index = FacilityIndex.build([quoted, declared])
    blind = match_design(index, d, MatchRequest()).part("leg").candidates
    assert [c.facility_id for c in blind] == ["a-declared", "b-quoted"]
    assert [c.score_components["cost"] for c in blind] == [1.0, 0.0]

    seen = match_design(index, d, MatchRequest(), hours={"leg": {"fdm": 1.0}}).part("leg")
    cands = seen.candidates
    assert [c.facility_id for c in cands] == ["b-quoted", "a-declared"]
    cheap = 2.6 + 0.04 * 30.0
    assert cands[0].unit_cost == pytest.approx(cheap)
    assert cands[1].score_components["cost"] == pytest.approx(cheap / 15.0, abs=1e-6)


def test_index_and_loop_agree_with_hours_on_several_process_columns() -> None:
    """A part allowing two processes merges two rate columns; both paths must price alike."""
    facilities = [
        fac("f1", eq("e", "fdm"), rates=(UNTIMED,), capacity=Capacity(hours_per_week=30)),
        fac(
            "f2",
            eq("e", "sla"),
            rates=(ProcessRate(process="sla", hourly_rate=5.0), TIMED),
            capacity=Capacity(hours_per_week=50),
        ),
        fac("f3", eq("e", "sla"), rates=(ProcessRate(process="sla", hourly_rate=0.0),)),
        fac("f4", eq("e", "fdm"), rates=(UNTIMED,), capacity=Capacity(hours_per_week=40)),
    ]
    d = design(part("p", "fdm", "sla", mass_g=10.0), design_id="two")
    hours = {"p": {"fdm": 2.0, "sla": 0.0}}
    index = FacilityIndex.build(facilities)
    request = MatchRequest(quantity=4)
    (req,) = requirements_for(d, 4, hours)
    costs, weekly = index.costs_and_weekly(req, request, np.arange(4, dtype=np.int32))
    expected = [cost_and_throughput(f, req, "EUR") for f in facilities]
    assert costs.tolist() == pytest.approx([c for c, _ in expected])
    # f2: TIMED declares 2 units/h x 50 h; a zero quote gives no throughput; f3: no capacity
    assert [w for _, w in expected] == [15.0, 100.0, None, 20.0]
    assert np.allclose(weekly[[0, 1, 3]], [15.0, 100.0, 20.0]) and np.isnan(weekly[2])
    assert costs[0] == pytest.approx((20.0 + 4 * (2.6 * 2.0 + 0.01 * 30.0)) / 4)
    assert costs[1] == 0.0  # sla at 5 EUR/h x 0 h quoted, no material: cheaper than TIMED
    cands = match_design(index, d, request, hours=hours).part("p").candidates
    assert {c.facility_id for c in cands} == set(naive_match(facilities, d, request)["p"])
    assert {c.facility_id: c.unit_cost for c in cands} == pytest.approx(
        {f.id: c for f, (c, _) in zip(facilities, expected, strict=True)}
    )


def test_why_not_and_reverse_match_report_the_quoted_cost() -> None:
    lab = fac("lab", eq("mk4", "fdm"), rates=(UNTIMED,))
    d = design(part("leg", "fdm", mass_g=40.0), design_id="stool")
    index = FacilityIndex.build([lab])
    hours = {"leg": {"fdm": 1.0}}
    results = why_not(index, d, "leg", "lab", MatchRequest(quantity=10), hours=hours)
    cost = next(r for r in results if r.criterion == "cost")
    assert cost.passed and "1 h quoted x 2.60 EUR/h" in cost.detail
    blind = next(
        r for r in why_not(index, d, "leg", "lab", MatchRequest()) if r.criterion == "cost"
    )
    assert blind.detail.startswith("unknown")

    (coverage,) = reverse_match(lab, [d], 10, hours={"stool": hours})
    assert coverage.unit_costs["leg"] == pytest.approx(_cost(UNTIMED, 1.0, 10, 40.0))
    assert coverage.currency == "EUR"
    assert reverse_match(lab, [d], 10)[0].unit_costs == {"leg": None}
    assert coverage.to_json()["unit_costs"] == {"leg": round(_cost(UNTIMED, 1.0, 10, 40.0), 4)}


def test_the_service_quotes_the_design_and_prices_with_it(
    seeded_env: Database, manifest: Path
) -> None:
    """The match service quotes the leg from its dimensions and mass, and prices the untimed
    rate with those hours: the same hours that quoting reports."""
    from fabnet.services.catalogue.designs import resolve_design
    from fabnet.services.sourcing.matching import quoted_hours_for

    with seeded_env.transaction() as session:
        FacilityRepository(session).add_or_replace(
            fac(
                "priced-lab",
                eq("mk4", "fdm", envelope=(250, 210, 220), materials=("pla",)),
                lat=52.5,
                lon=13.4,
                rates=(UNTIMED,),
                capacity=Capacity(hours_per_week=40),
            )
        )
    result = match(seeded_env, str(manifest))
    design_ = resolve_design(seeded_env, str(manifest))
    hours = quoted_hours_for(seeded_env, design_)
    leg = next(p for p in design_.parts if p.name == "Leg")
    fdm_hours = hours[leg.id]["fdm"]
    assert fdm_hours > 0
    cand = next(c for c in result.part(leg.id).candidates if c.facility_id == "priced-lab")
    assert cand.unit_cost == pytest.approx(_cost(UNTIMED, fdm_hours, 1, 40.0))
    assert cand.units_per_week == pytest.approx(40 / fdm_hours)
    assert any("h quoted" in r for r in cand.reasons)
    others = [c for c in result.part(leg.id).candidates if c.facility_id != "priced-lab"]
    assert others and all(c.unit_cost is None for c in others)  # no rate card: still unknown

    criteria = explain_non_match(seeded_env, str(manifest), leg.id, "priced-lab")
    assert any(c.criterion == "cost" and "h quoted" in c.detail for c in criteria)
    (coverage,) = designs_for_facility(seeded_env, "priced-lab")
    assert coverage.unit_costs[leg.id] == pytest.approx(_cost(UNTIMED, fdm_hours, 1, 40.0))
