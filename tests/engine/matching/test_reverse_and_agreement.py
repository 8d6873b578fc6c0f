"""Reverse match, and the index against the per-facility loop on random worlds."""

from __future__ import annotations

import random

import numpy as np
import pytest

from fabnet.domain.design import Design
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Capacity,
    Facility,
    FacilityStatus,
    ProcessRate,
)
from fabnet.engine.matching import (
    DeliveryPoint,
    FacilityIndex,
    MatchRequest,
    QuotedHours,
    assess,
    match_design,
    naive_match,
    requirements_for,
    reverse_match,
)
from fabnet.engine.matching.criteria import cost_and_throughput

from .builders import design, eq, fac, part


def _same(vector: float, scalar: float | None) -> bool:
    if scalar is None:
        return bool(np.isnan(vector))
    return bool(np.isclose(vector, scalar, rtol=1e-12))


def test_reverse_match_whole_and_partial_designs() -> None:
    maker = fac("maker", eq("p", "fdm", envelope=(250, 250, 250), materials=("pla",)))
    whole = design(part("a", "fdm", materials=("pla",)), design_id="whole")
    partial = design(part("a", "fdm"), part("b", "cnc-milling"), design_id="partial")
    none = design(part("b", "cnc-milling"), design_id="none")
    too_big = design(part("a", "fdm", size=(300, 10, 10)), design_id="too-big")
    coverage = reverse_match(maker, [none, partial, too_big, whole])
    assert [c.design_id for c in coverage] == ["whole", "partial"]
    assert coverage[0].whole and coverage[0].makeable == ("a",)
    assert not coverage[1].whole
    assert coverage[1].makeable == ("a",)
    assert [f.criterion for f in coverage[1].not_makeable["b"]] == ["process"]


PROCESSES = [
    "fdm",
    "sla",
    "additive-manufacturing",
    "cnc-milling",
    "precision-milling",
    "laser-cutting",
    "machining",
    "cnc-turning",
]
MATERIALS = ["pla", "petg", "thermoplastic", "aluminium", "aluminium-6061", "metal", "plywood"]
TOLERANCES = [None, "IT6", "IT7", "IT9", "ISO2768-f", "ISO2768-m"]


CAPACITIES = [None, Capacity(hours_per_week=40), Capacity(hours_per_week=60, units_per_week=100)]


def _world(seed: int) -> tuple[list[Facility], Design, MatchRequest, QuotedHours]:
    rng = random.Random(seed)

    def size() -> tuple[float, float, float]:
        return (rng.choice([50, 100, 200, 200.1, 300]), rng.choice([50, 100, 200]), 20.0)

    facilities = []
    for i in range(120):
        equipment = [
            eq(
                f"e{k}",
                rng.choice(PROCESSES),
                envelope=size() if rng.random() < 0.8 else None,
                materials=tuple(rng.sample(MATERIALS, rng.randint(0, 2))),
                tolerance=rng.choice(TOLERANCES),
            )
            for k in range(rng.randint(0, 3))
        ]
        facilities.append(
            fac(
                f"f{i:03d}",
                *equipment,
                name=f"Lab {i % 7}",
                processes=tuple(rng.sample(PROCESSES, rng.randint(0, 1))),
                materials=tuple(rng.sample(MATERIALS, rng.randint(0, 2))),
                lat=rng.uniform(-3, 3) if rng.random() < 0.9 else None,
                lon=rng.uniform(-3, 3),
                country=rng.choice(["DE", "FR", "KE", None]),
                status=rng.choice(list(FacilityStatus)),
                access_type=rng.choice([*AccessType, None]),
                certifications=tuple(rng.sample(["ISO 9001", "ISO 13485"], rng.randint(0, 2))),
                typical_batch_size=rng.choice([*BatchSize, None]),
                rates=tuple(
                    ProcessRate(
                        process=p,
                        hourly_rate=rng.uniform(10, 90),
                        units_per_hour=rng.choice([None, 1.0, 4.0]),
                        material_cost_per_kg=rng.choice([0.0, 30.0]),
                    )
                    for p in rng.sample(PROCESSES, 2)
                ),
                synthetic=rng.random() < 0.3,
                currency=rng.choice(["EUR", "EUR", "USD"]),
                capacity=rng.choice(CAPACITIES),
            )
        )
    parts = [
        part(
            f"p{k}",
            *rng.sample(PROCESSES, rng.randint(1, 2)),
            materials=tuple(rng.sample(MATERIALS, rng.randint(0, 2))),
            size=size() if rng.random() < 0.7 else None,
            tolerance=rng.choice(TOLERANCES),
            mass_g=rng.choice([None, 100.0]),
        )
        for k in range(4)
    ]
    request = MatchRequest(
        quantity=rng.choice([1, 40, 600]),
        delivery_points=(DeliveryPoint(0.0, 0.0, "o"),) if rng.random() < 0.7 else (),
        statuses=frozenset(rng.sample(list(FacilityStatus), rng.randint(1, 3))),
        excluded_countries=frozenset(rng.sample(["DE", "FR"], rng.randint(0, 1))),
        required_certifications=frozenset(rng.sample(["ISO 9001"], rng.randint(0, 1))),
        include_synthetic=rng.random() < 0.5,
        top_k=200,
    )
    if request.delivery_points and rng.random() < 0.6:
        request = MatchRequest(**{**request.__dict__, "radius_km": rng.choice([100, 250, 400])})
    # quoted hours for some parts: for required processes, more specific or unrelated ones
    hours = {
        p.id: {q: rng.choice([0.0, 0.25, 1.5]) for q in rng.sample(PROCESSES, rng.randint(1, 4))}
        for p in parts
        if rng.random() < 0.7
    }
    return facilities, design(*parts, assembly_process="assembly"), request, hours


@pytest.mark.parametrize("seed", range(12))
def test_index_agrees_with_the_loop_on_random_worlds(seed: int) -> None:
    facilities, d, request, hours = _world(seed)
    assert hours, "some parts carry quoted hours"
    index = FacilityIndex.build(facilities)
    result = match_design(index, d, request, hours=hours)
    naive = naive_match(facilities, d, request, hours=hours)
    by_id = {f.id: f for f in facilities}
    for pm, req in zip(result.parts, requirements_for(d, request.quantity, hours), strict=True):
        found = [c.facility_id for c in pm.candidates]
        assert sorted(found) == sorted(naive[pm.part]), pm.part
        # every near-miss fails something, and its failures are what assess() finds
        for miss in pm.near_misses:
            assert miss.failed == assess(by_id[miss.facility_id], req, request).failed
            assert miss.failed
        # the bulk distances shown equal the reference path's
        for cand in pm.candidates:
            assert cand.distance_km == assess(by_id[cand.facility_id], req, request).distance_km
        # the vectorised costs and capacities that feed the score equal the reference path's
        everyone = np.arange(len(facilities), dtype=np.int32)
        costs, weekly = index.costs_and_weekly(req, request, everyone)
        for position, facility in enumerate(facilities):
            cost, per_week = cost_and_throughput(facility, req, request.currency)
            assert _same(costs[position], cost) and _same(weekly[position], per_week)
        # the candidates show the reference path's numbers
        for cand in pm.candidates:
            cost, per_week = cost_and_throughput(by_id[cand.facility_id], req, request.currency)
            assert (cand.unit_cost, cand.units_per_week) == (cost, per_week)
        # scores are sorted, ties by id
        keys = [(-c.score, c.facility_id) for c in pm.candidates]
        assert keys == sorted(keys)
