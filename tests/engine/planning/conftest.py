"""A small European network: two part makers, an assembler, delivery points."""

from __future__ import annotations

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
)

FACILITIES = (
    Facility("berlin", 52.52, 13.40, "DE", "Berlin"),
    Facility("munich", 48.14, 11.58, "DE", "Bavaria"),
    Facility("warsaw", 52.23, 21.01, "PL", "Masovia"),
    Facility("lyon", 45.76, 4.84, "FR", "ARA"),
    Facility("shenzhen", 22.54, 114.06, "CN", "Guangdong"),
)


@pytest.fixture
def lamp_problem() -> PlanningProblem:
    """A lamp = 2 arms + 1 base, assembled; a bracket ships as a single part."""
    parts = (Part("arm", 0.4), Part("base", 1.2), Part("bracket", 0.3))
    products = (
        Product("lamp", (("arm", 2.0), ("base", 1.0)), assembled=True),
        Product("bracket", (("bracket", 1.0),)),
    )
    candidates = (
        Candidate(
            "arm", "berlin", unit_cost=5.0, setup_cost=100.0, capacity=1000, lead_time_days=2
        ),
        Candidate(
            "arm", "warsaw", unit_cost=4.0, setup_cost=100.0, capacity=1000, lead_time_days=2
        ),
        Candidate(
            "base", "munich", unit_cost=8.0, setup_cost=50.0, capacity=1000, lead_time_days=3
        ),
        Candidate("bracket", "lyon", unit_cost=3.0, setup_cost=20.0, capacity=1000),
        Candidate("bracket", "berlin", unit_cost=3.5, setup_cost=20.0, capacity=1000),
    )
    assembly = (
        AssemblyCandidate(
            "lamp", "berlin", unit_cost=2.0, setup_cost=200.0, capacity=1000, lead_time_days=1
        ),
        AssemblyCandidate(
            "lamp", "munich", unit_cost=2.5, setup_cost=200.0, capacity=1000, lead_time_days=1
        ),
    )
    points = (
        DeliveryPoint("hamburg", 53.55, 9.99, (("lamp", 100.0), ("bracket", 40.0)), 20, "DE"),
        DeliveryPoint("paris", 48.86, 2.35, (("lamp", 60.0), ("bracket", 30.0)), 20, "FR"),
        DeliveryPoint("vienna", 48.21, 16.37, (("lamp", 30.0),), 20, "AT"),
    )
    return PlanningProblem(
        products=products,
        parts=parts,
        facilities=FACILITIES,
        candidates=candidates,
        delivery_points=points,
        assembly_candidates=assembly,
        options=PlanningOptions(time_limit_s=30, mip_gap=1e-6),
        transport=TransportModel.default(),
    )
