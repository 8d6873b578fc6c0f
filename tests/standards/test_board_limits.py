"""Electronics limits (issue 10): OKW electronics equipment (largest board, layers, finest pitch)
and OKH PCB parts (LOSH TsDC PCB ``2d-size-mm``, ``layer-count``; fabnet's
``smallest-pitch-mm``), read in the spellings records use and written back by the exports."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fabnet.domain.common import BoardLimits
from fabnet.domain.facility import Equipment, Facility
from fabnet.errors import ManifestError
from fabnet.standards.okh import dump_design_json, dump_design_okh_toml, parse_design
from fabnet.standards.okw import (
    dump_facilities_json,
    dump_facilities_yaml,
    dump_facility_okw,
    parse_facilities,
)

OKH = """okhv = "2.4"
name = "Charger"
repo = "https://example.org/charger"
license = "CERN-OHL-S-2.0"
licensor = "Ann"
function = "Charges things"
"""


def _equipment(text: str, fmt: str = "yaml") -> tuple[Equipment, list[str]]:
    result = parse_facilities(text, source=f"lab.{fmt}", fmt=fmt)  # type: ignore[arg-type]
    (lab,) = result.value
    (machine,) = lab.equipment
    return machine, [f"{w.field}: {w.message}" for w in result.warnings]


@pytest.mark.parametrize(
    "eq_text",
    [
        "{equipmentType: pick and place, maxBoardSize: '300 x 250 mm', maxLayers: 6, "
        "minPitch: 0.4}",
        "{equipment_type: pick and place, max_board_size: [300, 250], max_layers: 6, "
        "min_pitch: '0.4 mm'}",
        "{equipmentType: PCB fabrication, boardSize: {x: 30, y: 25, unit: cm}, layerCount: 6, "
        "smallestPitch: '0,4 mm'}",
        "{equipment_type: reflow oven, manufacturing_process: reflow soldering, "
        "pcb_size: '300x250', layer_count: '6 layers', finest_pitch: 0.4}",
    ],
)
def test_okw_electronics_equipment_camel_and_snake_case(eq_text: str) -> None:
    machine, warnings = _equipment(f"name: Lab\nequipment: [{eq_text}]\n")
    assert machine.board_limits == BoardLimits(x_mm=300, y_mm=250, layers=6, pitch_mm=0.4)
    assert machine.processes, eq_text
    assert warnings == [], eq_text


def test_okw_json_snake_case_as_other_tools_write_it() -> None:
    record = {
        "name": "Board house",
        "location": {"gps_coordinates": "52.52, 13.40"},
        "equipment": [
            {
                "equipment_type": "https://en.wikipedia.org/wiki/Pick-and-place_machine",
                "manufacturing_process": "https://en.wikipedia.org/wiki/Surface-mount_technology",
                "max_panel_size": "400 x 300 mm",
                "min_component_pitch": "0.3 mm",
            }
        ],
    }
    machine, warnings = _equipment(json.dumps(record), fmt="json")
    assert machine.board_limits == BoardLimits(x_mm=400, y_mm=300, pitch_mm=0.3)
    assert machine.processes == ("smt-assembly",)
    assert warnings == []


def test_electronics_working_area_is_the_largest_board() -> None:
    """A pick-and-place gives its working area and no thickness: that area is its board."""
    machine, warnings = _equipment(
        "name: Lab\nequipment: [{equipmentType: pick and place, workingArea: '350 x 300 mm'}]\n"
    )
    assert machine.envelope is None
    assert machine.board_limits == BoardLimits(x_mm=350, y_mm=300)
    assert warnings == []
    # a laser cutter with the same area and no thickness still warns, and has no board limits
    laser, laser_warnings = _equipment(
        "name: Lab\nequipment: [{equipmentType: laser cutter, workingArea: '350 x 300 mm'}]\n"
    )
    assert laser.board_limits is None and laser.envelope is None
    assert any("maxThickness" in w for w in laser_warnings)


@pytest.mark.parametrize(
    ("eq_text", "field", "fragment"),
    [
        ("maxBoardSize: 'large'", "equipment[0].maxBoardSize", "board size"),
        ("maxBoardSize: [300, 0]", "equipment[0].maxBoardSize", "positive"),
        ("maxLayers: 2.5", "equipment[0].maxLayers", "layer count"),
        ("max_layers: 0", "equipment[0].max_layers", "layer count"),
        ("minPitch: 'fine'", "equipment[0].minPitch", "length"),
        ("minPitch: -0.4", "equipment[0].minPitch", "positive"),
    ],
)
def test_unreadable_electronics_limits_are_refused_naming_the_field(
    eq_text: str, field: str, fragment: str
) -> None:
    text = f"name: Lab\nequipment: [{{equipmentType: pick and place, {eq_text}}}]\n"
    with pytest.raises(ManifestError) as caught:
        parse_facilities(text, source="lab.yml", fmt="yaml")
    assert caught.value.field == field
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "part_text",
    [
        '2d-size-mm = "100 , 80"\nlayer-count = 4\nsmallest-pitch-mm = 0.5\n',  # LOSH form
        "2d-size-mm = [100, 80]\nlayer-count = 4\nsmallest-pitch-mm = 0.5\n",
        '2dSizeMm = "100 x 80 mm"\nlayerCount = "4"\nsmallestPitchMm = "0.5 mm"\n',
        "2d_size_mm = [100, 80]\nlayer_count = 4\nsmallest_pitch_mm = 0.5\n",
    ],
)
def test_okh_pcb_part_fields(part_text: str) -> None:
    text = OKH + f'[[part]]\nname = "Main board"\ntsdc = "PCB"\n{part_text}'
    result = parse_design(text, source="okh.toml", fmt="toml")
    (board,) = result.value.parts
    assert board.board == BoardLimits(x_mm=100, y_mm=80, layers=4, pitch_mm=0.5)
    assert board.processes == ("pcb-fabrication",)
    assert result.warnings == ()


def test_okh_yaml_2x_pcb_part_and_a_pcb_module_without_parts() -> None:
    text = (
        "okhv: '2.4'\nname: Charger\nrepo: https://example.org/c\nlicense: MIT\nlicensor: Ann\n"
        "function: Charges\npart:\n  - name: Board\n    tsdc: PCB\n    2d-size-mm: '120 , 80'\n"
        "    layer-count: 2\n"
    )
    (part,) = parse_design(text, source="okh.yml", fmt="yaml").value.parts
    assert part.board == BoardLimits(x_mm=120, y_mm=80, layers=2)
    module = OKH + 'tsdc = "PCB"\nlayer-count = 6\n'
    (stand_in,) = parse_design(module, source="okh.toml", fmt="toml").value.parts
    assert stand_in.stand_in and stand_in.board == BoardLimits(layers=6)


@pytest.mark.parametrize(
    ("part_text", "field"),
    [
        ('2d-size-mm = "about a hand"\n', "part[0].2d-size-mm"),
        ("layer-count = 1.5\n", "part[0].layer-count"),
        ("smallest-pitch-mm = 0\n", "part[0].smallest-pitch-mm"),
    ],
)
def test_unreadable_pcb_fields_are_refused_naming_the_field(part_text: str, field: str) -> None:
    text = OKH + f'[[part]]\nname = "Board"\ntsdc = "PCB"\n{part_text}'
    with pytest.raises(ManifestError) as caught:
        parse_design(text, source="okh.toml", fmt="toml")
    assert caught.value.field == field


SIDE = st.floats(min_value=1, max_value=2000, allow_nan=False)
PITCH = st.floats(min_value=0.05, max_value=5, allow_nan=False)


@st.composite
def limits(draw: st.DrawFn) -> BoardLimits:
    size = draw(st.none() | st.tuples(SIDE, SIDE))
    layers = draw(st.none() | st.integers(1, 40))
    pitch = draw(st.none() | PITCH)
    if size is None and layers is None and pitch is None:
        layers = 2
    return BoardLimits(
        x_mm=size[0] if size else None,
        y_mm=size[1] if size else None,
        layers=layers,
        pitch_mm=pitch,
    )


@settings(max_examples=40, deadline=None)
@given(limits())
def test_okw_export_and_import_keep_electronics_limits(board: BoardLimits) -> None:
    facility = Facility(
        id="f-pcb",
        name="Board house",
        source="rt",
        equipment=(
            Equipment(
                id="pnp",
                equipment_type="pick and place",
                processes=("smt-assembly",),
                board_limits=board,
            ),
        ),
    )
    record = dump_facility_okw(facility)["equipment"][0]
    assert ("maxBoardSize" in record) is (board.x_mm is not None)
    for text, fmt in (
        (dump_facilities_yaml([facility]), "yaml"),
        (dump_facilities_json([facility]), "json"),
    ):
        back = parse_facilities(text, source="rt", fmt=fmt)  # type: ignore[arg-type]
        assert back.value == [facility]
        assert back.warnings == ()


@settings(max_examples=40, deadline=None)
@given(limits())
def test_okh_export_and_import_keep_a_pcb_part(board: BoardLimits) -> None:
    text = OKH + '[[part]]\nname = "Board"\ntsdc = "PCB"\n'
    design = parse_design(text, source="okh.toml", fmt="toml").value
    design = design.model_copy(
        update={"parts": (design.parts[0].model_copy(update={"board": board}),)}
    )
    toml_text = dump_design_okh_toml(design)
    assert "layer-count" in toml_text or board.layers is None
    assert parse_design(toml_text, source="rt.toml", fmt="toml").value == design
    json_text = dump_design_json(design)
    assert parse_design(json_text, source="rt.json", fmt="json").value == design


def test_yaml_export_of_electronics_names_the_fields() -> None:
    facility = Facility(
        id="f",
        name="Lab",
        equipment=(
            Equipment(
                id="mill",
                equipment_type="PCB mill",
                processes=("pcb-fabrication",),
                board_limits=BoardLimits(x_mm=160, y_mm=100, layers=2, pitch_mm=0.5),
            ),
        ),
    )
    (record,) = yaml.safe_load(dump_facilities_yaml([facility]))
    machine = record["equipment"][0]
    assert machine["maxBoardSize"] == {"x": 160, "y": 100, "unit": "mm"}
    assert (machine["maxLayers"], machine["minPitch"]) == (2, 0.5)
