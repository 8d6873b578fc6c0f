"""PrusaSlicer adapter: real runs on small meshes, and the G-code comment parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.errors import ExternalToolError, InputError
from fabnet.quoting_tools.slicer import (
    RUNS,
    method_for,
    parse_duration_hours,
    parse_gcode_estimates,
    profile_text,
    slice_fdm,
)

from .conftest import needs_slicer

GCODE_TAIL = """\
G1 X10 Y10 E0.5
; filament used [mm] = 1222.86
; filament used [cm3] = 2.94
; filament used [g] = 3.65
; filament cost = 0.09
; total filament used [g] = 3.65
; total filament cost = 0.09
; estimated printing time (normal mode) = 1h 27m 38s
; estimated printing time (silent mode) = 1h 31m 2s
"""


def test_duration_parser_reads_every_unit() -> None:
    assert parse_duration_hours("1h 27m 38s") == pytest.approx(1 + 27 / 60 + 38 / 3600)
    assert parse_duration_hours("18m 54s") == pytest.approx((18 * 60 + 54) / 3600)
    assert parse_duration_hours("45s") == pytest.approx(45 / 3600)
    assert parse_duration_hours("1d 2h 0m 0s") == pytest.approx(26.0)
    with pytest.raises(ValueError):
        parse_duration_hours("about an hour")


def test_gcode_parser_takes_normal_mode_and_total_grams() -> None:
    found = parse_gcode_estimates(GCODE_TAIL)
    assert found.print_hours == pytest.approx(1 + 27 / 60 + 38 / 3600)
    assert found.filament_g == pytest.approx(3.65)
    assert found.filament_cm3 == pytest.approx(2.94)


def test_gcode_parser_leaves_missing_estimates_none() -> None:
    found = parse_gcode_estimates("; filament used [mm] = 10\nG28\n")
    assert found.print_hours is None and found.filament_g is None


def test_profile_sets_the_material_density_once() -> None:
    text = profile_text("default-0.2mm", "petg")
    lines = [ln for ln in text.splitlines() if ln.startswith("filament_density")]
    assert lines == ["filament_density = 1.27"]
    assert "bed_shape = 0x0,250x0,250x210,0x210" in text
    with pytest.raises(InputError, match="no FDM filament profile"):
        profile_text("default-0.2mm", "aluminium")
    with pytest.raises(InputError, match="no slicer profile"):
        profile_text("no-such-profile", "pla")


def test_missing_slicer_binary_is_an_external_tool_error(meshes: dict[str, Path]) -> None:
    with pytest.raises(ExternalToolError, match="FABNET_SLICER_PATH"):
        slice_fdm(meshes["cube20"], slicer_path="no-such-prusa-slicer-binary")


@needs_slicer
@pytest.mark.slicer
def test_slicing_a_cube_gives_time_and_filament(meshes: dict[str, Path]) -> None:
    before = RUNS.value
    small = slice_fdm(meshes["cube20"], material="pla")
    large = slice_fdm(meshes["cube40"], material="pla")
    assert RUNS.value == before + 2
    assert small.fits and large.fits
    assert small.print_hours is not None and large.print_hours is not None
    assert 0.1 < small.print_hours < 1.0
    assert large.print_hours > 2 * small.print_hours
    # 15 % infill and two perimeters: less than the solid 8 cm³ x 1.24 g/cm³ = 9.9 g
    assert small.filament_g is not None and 2.0 < small.filament_g < 9.9
    assert small.method == method_for("default-0.2mm", "pla")


@needs_slicer
@pytest.mark.slicer
def test_material_density_changes_the_grams(meshes: dict[str, Path]) -> None:
    pla = slice_fdm(meshes["cube20"], material="pla")
    abs_ = slice_fdm(meshes["cube20"], material="abs")
    assert pla.filament_mm3 == pytest.approx(abs_.filament_mm3, rel=0.02)
    assert pla.filament_g is not None and abs_.filament_g is not None
    assert abs_.filament_g / pla.filament_g == pytest.approx(1.04 / 1.24, rel=0.03)


@needs_slicer
@pytest.mark.slicer
def test_part_longer_than_the_bed_does_not_fit(meshes: dict[str, Path]) -> None:
    result = slice_fdm(meshes["bar300"])
    assert result.fits is False
    assert result.print_hours is None and result.filament_g is None
    assert "fit" in result.stderr_tail


@needs_slicer
@pytest.mark.slicer
def test_slicing_a_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        slice_fdm(tmp_path / "absent.stl")
