"""Per-process estimators: monotonic in size, methods named, None where no estimate exists."""

from __future__ import annotations

import pytest

from fabnet.domain.common import Dimensions
from fabnet.engine.quoting import (
    PART_ESTIMATORS,
    PartGeometry,
    StepFacts,
    density_for,
    estimable_processes,
    estimate_part_time,
    estimate_step_time,
    geometry_from_dimensions,
    mass_g,
    time_for_process,
)


def block(x: float, y: float, z: float, *, fill: float = 1.0) -> PartGeometry:
    """A solid (or ``fill`` x solid) block's geometry."""
    return PartGeometry(
        volume_mm3=x * y * z * fill,
        area_mm2=2 * (x * y + y * z + x * z),
        bbox=Dimensions(x_mm=x, y_mm=y, z_mm=z),
        watertight=True,
    )


# (process, material, small geometry, large geometry)
SIZED_CASES = [
    ("fdm", "pla", block(20, 20, 20), block(40, 40, 40)),
    ("sla", "standard-resin", block(20, 20, 20), block(40, 40, 40)),
    ("sls", "pa12", block(20, 20, 20), block(40, 40, 40)),
    ("mjf", "pa12", block(20, 20, 20), block(40, 40, 40)),
    ("laser-cutting", "plywood", block(100, 100, 6), block(300, 300, 6)),
    ("vinyl-cutting", "pvc", block(100, 100, 0.1), block(300, 300, 0.1)),
    ("cnc-milling", "aluminium-6061", block(30, 30, 30, fill=0.5), block(60, 60, 60, fill=0.5)),
    ("cnc-turning", "steel", block(20, 20, 80, fill=0.6), block(40, 40, 160, fill=0.6)),
    ("injection-moulding", "abs", block(40, 40, 2), block(40, 40, 4)),
    ("pcb-fabrication", "fr4", block(50, 50, 1.6), block(100, 160, 1.6)),
    ("sewing", "cotton", block(200, 200, 1), block(600, 600, 1)),
    ("welding", "mild-steel", block(200, 200, 40), block(600, 600, 40)),
]


@pytest.mark.parametrize(("process", "material", "small", "large"), SIZED_CASES)
def test_larger_parts_take_longer_and_say_how(
    process: str, material: str, small: PartGeometry, large: PartGeometry
) -> None:
    a = estimate_part_time(process, small, material)
    b = estimate_part_time(process, large, material)
    assert a is not None and b is not None
    assert 0 < a.hours_per_unit < b.hours_per_unit
    assert a.process == process
    assert a.method.startswith(process) and a.method.endswith("/v1")
    assert a.detail


def test_every_part_estimator_is_covered_by_a_size_case() -> None:
    assert {case[0] for case in SIZED_CASES} == set(PART_ESTIMATORS)


def test_processes_without_an_estimator_give_none() -> None:
    geometry = block(50, 50, 50)
    for process in ("casting", "waterjet-cutting", "anodising", "no-such-process"):
        assert estimate_part_time(process, geometry, "aluminium") is None
    assert estimate_step_time("inspection", StepFacts(items=3, lines=2)) is None


def test_specific_processes_use_their_ancestors_estimator() -> None:
    geometry = block(40, 30, 20, fill=0.5)
    precise = estimate_part_time("precision-milling", geometry, "aluminium")
    assert precise is not None
    assert precise.process == "precision-milling"
    assert precise.method == "cnc-milling/removal-rate/v1"
    tig = estimate_part_time("tig-welding", block(200, 200, 40), "steel")
    mig = estimate_part_time("mig-mag-welding", block(200, 200, 40), "steel")
    assert tig is not None and mig is not None
    assert tig.hours_per_unit > mig.hours_per_unit  # TIG is the slower process


def test_fdm_fallback_matches_a_sliced_20mm_cube_roughly() -> None:
    # PrusaSlicer 2.5 with the shipped profile: 18m 54s and 3.65 g of PLA for this cube
    found = estimate_part_time("fdm", block(20, 20, 20), "pla")
    assert found is not None
    assert found.hours_per_unit == pytest.approx(18.9 / 60, rel=0.3)
    assert found.material_g == pytest.approx(3.65, rel=0.3)


def test_milling_is_slower_in_steel_and_material_is_the_stock() -> None:
    geometry = block(40, 40, 40, fill=0.3)
    alu = estimate_part_time("cnc-milling", geometry, "aluminium")
    steel = estimate_part_time("cnc-milling", geometry, "steel")
    assert alu is not None and steel is not None
    assert steel.hours_per_unit > 2 * alu.hours_per_unit
    assert alu.material_g == pytest.approx(45**3 / 1000 * 2.70)
    unknown = estimate_part_time("cnc-milling", geometry, None)
    assert unknown is not None and "aluminium rates assumed" in unknown.detail


def test_turning_refuses_a_part_that_is_not_round() -> None:
    assert estimate_part_time("cnc-turning", block(20, 60, 100), "steel") is None


def test_laser_cutting_refuses_too_thick_or_toxic_sheets() -> None:
    assert estimate_part_time("laser-cutting", block(200, 200, 40), "plywood") is None
    assert estimate_part_time("laser-cutting", block(100, 100, 1.6), "fr4") is None
    assert estimate_part_time("laser-cutting", block(100, 100, 3), "pvc") is None
    assert estimate_part_time("vinyl-cutting", block(100, 100, 3), "pvc") is None


def test_laser_cutting_uses_the_outline_when_known() -> None:
    plain = block(100, 100, 3)
    with_holes = PartGeometry(
        volume_mm3=plain.volume_mm3,
        area_mm2=plain.area_mm2,
        bbox=plain.bbox,
        watertight=True,
        outline_mm=1000.0,
        outline_contours=8,
    )
    a = estimate_part_time("laser-cutting", plain, "pmma")
    b = estimate_part_time("laser-cutting", with_holes, "pmma")
    assert a is not None and b is not None
    assert "section outline" in b.detail and "bounding-box" in a.detail
    assert b.hours_per_unit > a.hours_per_unit


def test_thicker_walls_cool_longer_and_the_mould_is_tooling() -> None:
    thin = estimate_part_time("injection-moulding", block(40, 40, 2), "abs")
    thick = estimate_part_time("injection-moulding", block(40, 40, 4), "abs")
    assert thin is not None and thick is not None
    assert thick.hours_per_unit > thin.hours_per_unit
    assert thin.tooling_hours > 50
    assert thin.hours_per_unit < 0.01  # seconds per part, not hours


def test_assembly_grows_with_pieces_and_pcb_assembly_with_components() -> None:
    few = estimate_step_time("assembly", StepFacts(items=3, lines=3))
    many = estimate_step_time("final-assembly", StepFacts(items=12, lines=4))
    assert few is not None and many is not None
    assert few.hours_per_unit == pytest.approx((2 + 1.5) / 60)
    assert many.hours_per_unit > few.hours_per_unit
    assert many.process == "final-assembly"
    kit = estimate_step_time(
        "pcb-assembly", StepFacts(items=2, lines=2, boards=1, component_items=1)
    )
    counted = estimate_step_time(
        "pcb-assembly", StepFacts(items=2, lines=2, boards=1, component_items=1, components=100)
    )
    assert kit is not None and counted is not None
    assert "not counted" in kit.detail
    assert counted.hours_per_unit > kit.hours_per_unit
    assert estimate_step_time("welding", StepFacts(items=1, lines=1)) is None


def test_generic_processes_expand_to_estimable_ones() -> None:
    assert estimable_processes("additive-manufacturing") == ("fdm", "sla", "sls", "mjf")
    assert estimable_processes("machining") == ("cnc-milling", "cnc-turning")
    assert estimable_processes("fdm") == ("fdm",)
    assert estimable_processes("pcb-assembly", step=True) == (
        "pcb-assembly",
        "through-hole-assembly",
    )
    assert estimable_processes("casting") == ()


def test_time_for_a_rate_falls_back_to_the_nearest_ancestor() -> None:
    time = estimate_part_time("cnc-milling", block(30, 30, 30), "aluminium")
    assert time is not None
    times = {"cnc-milling": time}
    assert time_for_process(times, "precision-milling") is time
    assert time_for_process(times, "cnc-turning") is None


def test_densities_come_from_the_vocabulary_tree() -> None:
    assert density_for("petg") == 1.27
    assert density_for("stainless-steel-316") == 8.00  # from stainless-steel
    assert density_for("metal") is None  # too broad to guess
    assert mass_g(1000.0, "pla") == pytest.approx(1.24)


def test_dimensions_only_geometry_uses_mass_and_says_so() -> None:
    dims = Dimensions(x_mm=100, y_mm=50, z_mm=10)
    geometry = geometry_from_dimensions(dims, mass_g=31.0, density_g_per_cm3=1.24)
    assert geometry.volume_mm3 == pytest.approx(25_000.0)
    assert geometry.basis == "dimensions"
    found = estimate_part_time("fdm", geometry, "pla")
    assert found is not None and "outer dimensions" in found.detail
    no_mass = geometry_from_dimensions(dims, mass_g=None, density_g_per_cm3=None)
    assert no_mass.volume_mm3 == pytest.approx(50_000.0)
