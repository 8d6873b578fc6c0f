"""Kits in the pure sourcing engine (issue 11 item 4): a product ordered as kits becomes part
demand at the delivery points; nothing is assembled by a facility, and the plan costs no more than
the same order assembled. A design whose assembly is not declared manual cannot be a kit."""

from __future__ import annotations

from collections import Counter

import pytest

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.design import Assembly, BomLine, Design, Part
from fabnet.domain.facility import (
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    LeadTimes,
    ProcessRate,
    RateCard,
)
from fabnet.engine.logistics import TransportModel
from fabnet.engine.matching import DeliveryPoint, FacilityIndex, MatchRequest, match_design
from fabnet.engine.planning import problem as pp
from fabnet.engine.planning import solve
from fabnet.engine.proposal import proposed_lots
from fabnet.engine.sourcing import DeliveryInput, ProductInput, build_sourcing_problem
from fabnet.errors import InputError

POINTS = (
    DeliveryInput("nbo", -1.29, 36.82, "KE", {"splint": 40}, 35.0, "Nairobi"),
    DeliveryInput("kla", 0.35, 32.58, "UG", {"splint": 25}, 35.0, "Kampala"),
)


def _design(*, manual: bool) -> Design:
    """A splint (FDM) held by two clips (laser-cut): clip both on by hand, or not."""
    return Design(
        id="splint-kit",
        name="Finger splint",
        parts=(
            Part(id="splint", name="Splint", processes=("fdm",), materials=("pla",),
                 mass_g=12.0, outer_dimensions=Dimensions(x_mm=80, y_mm=20, z_mm=10)),
            Part(id="clip", name="Clip", processes=("laser-cutting",), materials=("pmma",),
                 mass_g=2.0, outer_dimensions=Dimensions(x_mm=30, y_mm=10, z_mm=3)),
        ),
        assemblies=(
            Assembly(
                id="splint-kit", name="Finger splint", process="assembly",
                lines=(BomLine(item_id="splint", quantity=1), BomLine(item_id="clip", quantity=2)),
                manual=manual, minutes_per_unit=1.0 if manual else None,
            ),
        ),
        root_assembly_id="splint-kit",
    )  # fmt: skip


def _facility(fid: str, lat: float, lon: float, country: str, process: str) -> Facility:
    material = "pla" if process == "fdm" else "pmma"
    size = (250.0, 210.0, 200.0) if process == "fdm" else (600.0, 400.0, 20.0)
    return Facility(
        id=fid,
        name=f"{process} shop {fid}",
        location=Location(latitude=lat, longitude=lon, country=country),
        processes=(process,),
        equipment=(
            Equipment(id="m", equipment_type=process, processes=(process,), materials=(material,),
                      envelope=Dimensions(x_mm=size[0], y_mm=size[1], z_mm=size[2])),
        ),
        extension=FabnetExtension(
            rate_card=RateCard(currency="EUR", rates=(
                ProcessRate(process=process, hourly_rate=20, setup_cost=5, units_per_hour=10),
            )),
            capacity=Capacity(hours_per_week=40, units_per_week=200),
            lead_times=LeadTimes(production_start_days=2),
        ),
    )  # fmt: skip


FACILITIES = {
    f.id: f
    for f in (
        _facility("fdm-nbo", -1.30, 36.80, "KE", "fdm"),
        _facility("fdm-kla", 0.33, 32.60, "UG", "fdm"),
        _facility("laser-nbo", -1.28, 36.85, "KE", "laser-cutting"),
    )
}


def _sourcing(design: Design, *, kit: bool):  # type: ignore[no-untyped-def]
    request = MatchRequest(
        top_k=100, delivery_points=tuple(DeliveryPoint(p.latitude, p.longitude) for p in POINTS)
    )
    match = match_design(FacilityIndex.build(list(FACILITIES.values())), design, request)
    return build_sourcing_problem(
        [ProductInput("splint", design, match, kit=kit)],
        POINTS,
        FACILITIES,
        options=pp.PlanningOptions(time_limit_s=30),
        transport=TransportModel.default(),
    )


def test_a_kit_is_part_demand_at_the_delivery_points() -> None:
    design = _design(manual=True)
    kit = _sourcing(design, kit=True)
    assert kit.kits == ("splint",)
    assert kit.problem.assembly_candidates == ()
    assert all(not p.assembled for p in kit.problem.products)
    # Two clips per splint: the BOM multiplies through to each point's demand.
    demand = {d.id: dict(d.demand) for d in kit.problem.delivery_points}
    assert demand == {
        "nbo": {"splint/splint": 40.0, "splint/clip": 80.0},
        "kla": {"splint/splint": 25.0, "splint/clip": 50.0},
    }
    result = solve(kit.problem)
    assert result.status == "optimal"
    assert result.assembly == ()
    assert all(f.to_delivery_point for f in result.flows)
    lots = proposed_lots(kit, result)
    assert {lot.kind for lot in lots} == {"part"}
    arrived: Counter[tuple[str, str]] = Counter()
    for lot in lots:
        for d in lot.destinations:
            assert d.kind == "delivery_point"
            arrived[(lot.item_id, d.id)] += d.quantity
        assert lot.due_days is not None and lot.due_days <= 35.0
    assert arrived == {("splint", "nbo"): 40, ("clip", "nbo"): 80,
                       ("splint", "kla"): 25, ("clip", "kla"): 50}  # fmt: skip

    assembled = _sourcing(design, kit=False)
    assert assembled.problem.assembly_candidates, "part makers may do the manual step"
    together = solve(assembled.problem)
    assert together.status == "optimal" and together.assembly
    assert result.objective is not None and together.objective is not None
    assert result.objective <= together.objective * (1 + 2e-4)


def test_a_kit_of_an_assembly_that_is_not_manual_is_refused() -> None:
    with pytest.raises(InputError) as info:
        _sourcing(_design(manual=False), kit=True)
    assert info.value.field == "products[splint].kits"
    assert "final assembly 'splint-kit' is not a simple manual step" in info.value.message
