"""Labelled matching cases written from the standards' texts, not from fabnet's own writer.

Facilities are OKW v1 records in camelCase YAML and snake_case JSON (``location.gpsCoordinates``
/ ``gps_coordinates`` as a "lat, lon" text, a list or a mapping; nested or flat; a city and
country without coordinates), with 3D machines (build volume, x/y/z travel) and sheet machines
(working area or x/y travel plus maximum thickness) and electronics equipment (largest board,
layers, finest pitch) against PCB parts (LOSH ``2d-size-mm``, ``layer-count``). Designs are
OKH v1 YAML, OKH-LOSH v1 TOML and OKH 2.4 TOML. Every case goes through the readers and
``match_design``; precision and recall over the set are exactly 1 (issue 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from fabnet.domain.facility import Facility
from fabnet.engine.matching import (
    DeliveryPoint,
    FacilityIndex,
    MatchRequest,
    match_design,
    naive_match,
)
from fabnet.standards.okh import parse_design
from fabnet.standards.okw import parse_facilities

# -- facilities, as OKW records -------------------------------------------------------------

CAMEL_YAML = """
- id: printer-camel
  name: Berlin Makerspace
  location:
    gpsCoordinates: "52.52, 13.40"
    address: {city: Berlin, country: DE}
  equipment:
    - equipmentType: https://en.wikipedia.org/wiki/Fused_filament_fabrication
      buildVolume: 250 x 210 x 210 mm
      materialsWorked: [PLA, PETG]
- id: mill-ti
  name: Stuttgart Precision
  location:
    gpsCoordinates: {lat: 48.78, lon: 9.18}
    country: Germany
    city: Stuttgart
  manufacturingProcesses: [https://en.wikipedia.org/wiki/Milling_(machining)]
  equipment:
    - equipmentType: CNC mill
      xTravel: 500
      yTravel: 400
      zTravel: 300
      materialsWorked: [Ti-6Al-4V, aluminium 6061-T6]
- id: laser-approx
  name: Nairobi Fab Lab
  location: {city: Nairobi, country: Kenya}
  equipment:
    - equipmentType: laser cutter
      workingArea: 600 x 400 mm
      maxThickness: 6 mm
      materialsWorked: [plywood, acrylic]
"""

SNAKE_JSON = """[
  {"id": "printer-snake", "name": "Munich Print Farm",
   "gps_coordinates": [48.14, 11.58], "country": "DE",
   "equipment": [{"equipment_type": "FDM", "build_volume": [300, 300, 300],
                  "materials_worked": ["PLA", "PETG-CF"]}]},
  {"id": "router-kenya", "name": "Kisumu Workshop",
   "location": {"gps_coordinates": "-0.09, 34.77", "country": "KE", "city": "Kisumu"},
   "equipment": [{"equipment_type": "CNC router", "x_travel": 1220, "y_travel": 2440,
                  "max_thickness": 50, "materials_worked": ["plywood", "aluminium"]}]},
  {"id": "waterjet-snake", "name": "Bristol Cutting",
   "location": {"gps_coordinates": {"latitude": 51.45, "longitude": -2.59}, "country": "GB"},
   "equipment": [{"equipment_type": "waterjet cutting", "working_area": "3000 x 1500",
                  "max_material_thickness": 100, "materials_worked": ["aluminium", "316L"]}]}
]"""


# Electronics equipment (issue 10): OKW v1 names no board limits; these are the camelCase and
# snake_case names records use (docs/standards.md, OKW field table).
ELECTRONICS = """
- id: pcb-mill-camel
  name: Leipzig Fab Lab
  location: {gpsCoordinates: "51.34, 12.37", country: DE}
  equipment:
    - equipmentType: PCB milling machine
      manufacturingProcess: https://en.wikipedia.org/wiki/Printed_circuit_board
      maxBoardSize: 229 x 305 mm
      maxLayers: 2
- id: smt-snake
  name: Nairobi Electronics
  location: {gps_coordinates: "-1.29, 36.82", country: KE}
  equipment:
    - equipment_type: pick and place
      max_board_size: [400, 300]
      min_pitch: 0.4 mm
    - equipment_type: PCB fabrication
      pcb_size: 500 x 600
      max_layers: 6
"""


def _world() -> tuple[Facility, ...]:
    camel = parse_facilities(CAMEL_YAML, source="camel.yml", fmt="yaml").value
    snake = parse_facilities(SNAKE_JSON, source="snake.json", fmt="json").value
    electronics = parse_facilities(ELECTRONICS, source="electronics.yml", fmt="yaml").value
    return (*camel, *snake, *electronics)


ALL = {"printer-camel", "mill-ti", "laser-approx", "printer-snake", "router-kenya"}
PCB_HOUSES = {"pcb-mill-camel", "smt-snake"}

# -- designs, as OKH manifests --------------------------------------------------------------

LOSH_V1 = """okhv = "OKH-LOSHv1.0"
name = "{name}"
repo = "https://example.org/{name}"
version = "1.0.0"
license = "CERN-OHL-S-2.0"
licensor = "Ann"
function = "A test design"
documentation-language = "en"
"""

V24 = """okhv = "2.4"
name = "{name}"
repo = "https://example.org/{name}"
license = "CERN-OHL-S-2.0"
licensor = "Ann"
function = "A test design"
"""


def _part(tsdc: str | None, material: str | None, size: tuple[float, float, float] | None) -> str:
    text = '[[part]]\nname = "P"\n'
    if tsdc is not None:
        text += f'tsdc = "{tsdc}"\n'
    if material is not None:
        text += f'material = "{material}"\n'
    if size is not None:
        w, d, h = size
        text += f"[part.outer-dimensions]\nwidth = {w}\ndepth = {d}\nheight = {h}\n"
    return text


@dataclass(frozen=True)
class SpecCase:
    name: str
    manifest: str
    fmt: str
    expected: dict[str, set[str]]
    request: MatchRequest = field(default_factory=MatchRequest)


BERLIN = DeliveryPoint(latitude=52.52, longitude=13.40, label="Berlin")
NAIROBI = DeliveryPoint(latitude=-1.29, longitude=36.82, label="Nairobi")


def _toml(
    name: str,
    head: str,
    tsdc: str | None,
    material: str | None,
    size: tuple[float, float, float] | None,
    expected: set[str],
    request: MatchRequest | None = None,
) -> SpecCase:
    manifest = head.format(name=name.replace(" ", "-")) + _part(tsdc, material, size)
    return SpecCase(name, manifest, "toml", {"p": expected}, request or MatchRequest())


PRINTERS = {"printer-camel", "printer-snake"}
SHEET = {"laser-approx", "router-kenya", "waterjet-snake"}

CASES: list[SpecCase] = []
for head_name, head in (("losh-v1", LOSH_V1), ("okh-2.4", V24)):
    CASES += [
        _toml(
            f"{head_name} 3DP PLA small fits both printers",
            head,
            "3DP",
            "PLA",
            (100, 100, 50),
            PRINTERS,
        ),
        _toml(
            f"{head_name} 3DP PLA 280 mm only the big printer",
            head,
            "3DP",
            "PLA",
            (280, 280, 10),
            {"printer-snake"},
        ),
        _toml(
            f"{head_name} 3DP PETG-CF alias",
            head,
            "3DP",
            "PETG-CF",
            (50, 50, 50),
            {"printer-snake"},
        ),
        _toml(
            f"{head_name} 3DP PETG met by PETG and by PETG-CF",
            head,
            "3DP",
            "PETG",
            (50, 50, 50),
            PRINTERS,
        ),
        _toml(
            f"{head_name} 3DP unknown material uncovered",
            head,
            "3DP",
            "Unobtainium-9",
            (50, 50, 50),
            set(),
        ),
        _toml(
            f"{head_name} CNC Titanium Ti-6Al-4V",
            head,
            "CNC",
            "Titanium Ti-6Al-4V",
            (100, 80, 40),
            {"mill-ti"},
        ),
        _toml(f"{head_name} CNC 6061-T6", head, "CNC", "6061-T6", (100, 80, 40), {"mill-ti"}),
        _toml(
            f"{head_name} CNC too big for the mill", head, "CNC", "6061-T6", (600, 80, 40), set()
        ),
        _toml(
            f"{head_name} LAS plywood sheet fits the laser bed",
            head,
            "LAS",
            "plywood",
            (500, 300, 4),
            {"laser-approx"},
        ),
        _toml(
            f"{head_name} LAS plywood too thick for the laser",
            head,
            "LAS",
            "plywood",
            (500, 300, 9),
            set(),
        ),
        _toml(
            f"{head_name} LAS sheet too wide for the laser bed",
            head,
            "LAS",
            "plywood",
            (700, 500, 4),
            set(),
        ),
        _toml(
            f"{head_name} MEC category only: no process declared",
            head,
            "MEC",
            "PLA",
            (50, 50, 50),
            set(),
        ),
        _toml(f"{head_name} no tsdc: no process declared", head, None, "PLA", (50, 50, 50), set()),
        _toml(
            f"{head_name} 3DP within 100 km of Berlin",
            head,
            "3DP",
            "PLA",
            (50, 50, 50),
            {"printer-camel"},
            MatchRequest(delivery_points=(BERLIN,), radius_km=100),
        ),
        _toml(
            f"{head_name} LAS within 50 km of Nairobi (approximate place)",
            head,
            "LAS",
            "plywood",
            (100, 100, 3),
            {"laser-approx"},
            MatchRequest(delivery_points=(NAIROBI,), radius_km=50),
        ),
        _toml(
            f"{head_name} 3DP only in DE",
            head,
            "3DP",
            "PLA",
            (50, 50, 50),
            PRINTERS,
            MatchRequest(countries=frozenset({"DE"})),
        ),
        _toml(
            f"{head_name} LAS excluding KE",
            head,
            "LAS",
            "plywood",
            (100, 100, 3),
            set(),
            MatchRequest(excluded_countries=frozenset({"KE"})),
        ),
    ]

CASES += [
    _toml("okh-2.4 3DP PLA+ alias", V24, "3DP", "PLA+", (50, 50, 50), PRINTERS),
    _toml(
        "okh-2.4 waterjet 316L plate", V24, None, "stainless steel 316L", (2000, 1000, 20), set()
    ),
    SpecCase(
        "okh-2.4 waterjet process named, 316L plate",
        V24.format(name="wj") + '[[part]]\nname = "P"\nfabnet-processes = ["waterjet-cutting"]\n'
        'material = "316L"\n[part.outer-dimensions]\nwidth = 2000\ndepth = 1000\nheight = 20\n',
        "toml",
        {"p": {"waterjet-snake"}},
    ),
    SpecCase(
        "okh-v1 yaml sub-part without a process is uncovered",
        "%Open Know-How Manifest 1.0\ntitle: Stool\ndescription: A stool\n"
        "license: {hardware: CERN-OHL-S-2.0}\nproject-link: https://example.org/stool\n"
        "sub-parts:\n  - title: Seat\n",
        "yaml",
        {"seat": set()},
    ),
    SpecCase(
        "okh-2.4 router plywood panel 1200 x 2400 x 18",
        V24.format(name="panel")
        + '[[part]]\nname = "P"\ntsdc = "CNC"\nfabnet-processes = ["cnc-routing"]\n'
        'material = "plywood"\n[part.outer-dimensions]\nwidth = 1200\ndepth = 2400\n'
        "height = 18\n",
        "toml",
        {"p": {"router-kenya"}},
    ),
]


def _pcb(head: str, name: str, fields: str, process: str = "") -> str:
    extra = f'fabnet-processes = ["{process}"]\n' if process else ""
    return head.format(name=name) + f'[[part]]\nname = "P"\ntsdc = "PCB"\n{extra}{fields}'


for head_name, head in (("losh-v1", LOSH_V1), ("okh-2.4", V24)):
    CASES += [
        SpecCase(
            f"{head_name} PCB 2 layers 100 x 80 fits the mill and the board house",
            _pcb(head, "pcb2", '2d-size-mm = "100 , 80"\nlayer-count = 2\n'),
            "toml",
            {"p": PCB_HOUSES},
        ),
        SpecCase(
            f"{head_name} PCB 4 layers: only the 6-layer line",
            _pcb(head, "pcb4", "2d-size-mm = [100, 80]\nlayer-count = 4\n"),
            "toml",
            {"p": {"smt-snake"}},
        ),
        SpecCase(
            f"{head_name} PCB 300 x 250 too big for the mill",
            _pcb(head, "pcb-big", '2d-size-mm = "300 , 250"\nlayer-count = 1\n'),
            "toml",
            {"p": {"smt-snake"}},
        ),
    ]

CASES += [
    SpecCase(
        "okh-2.4 PCB assembly pitch 0.5 within 0.4",
        _pcb(V24, "pcba", "2d-size-mm = [100, 80]\nsmallest-pitch-mm = 0.5\n", "smt-assembly"),
        "toml",
        {"p": {"smt-snake"}},
    ),
    SpecCase(
        "okh-2.4 PCB assembly pitch 0.3 finer than 0.4",
        _pcb(V24, "pcba-fine", "smallest-pitch-mm = 0.3\n", "smt-assembly"),
        "toml",
        {"p": set()},
    ),
    SpecCase(
        "okh-2.4 PCB pitch asked of machines that declare none",
        _pcb(V24, "pcb-pitch", "layer-count = 2\nsmallest-pitch-mm = 0.5\n"),
        "toml",
        {"p": set()},
    ),
]


def _found(case: SpecCase, facilities: tuple[Facility, ...]) -> dict[str, set[str]]:
    design = parse_design(case.manifest, source=case.name, fmt=case.fmt).value  # type: ignore[arg-type]
    index = FacilityIndex.build(facilities)
    result = match_design(index, design, case.request)
    return {p.part: {c.facility_id for c in p.candidates} for p in result.parts}


@pytest.fixture(scope="module")
def world() -> tuple[Facility, ...]:
    return _world()


def test_the_spec_set_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_world_reads_every_dialect(world: tuple[Facility, ...]) -> None:
    by_id = {f.id: f for f in world}
    assert set(by_id) == ALL | {"waterjet-snake"} | PCB_HOUSES
    for f in world:
        assert f.location.has_coordinates, f.id
    assert by_id["laser-approx"].provenance.location.value == "approximate"
    laser = by_id["laser-approx"].equipment[0].envelope
    assert laser is not None and laser.sorted() == (6.0, 400.0, 600.0)
    router = by_id["router-kenya"].equipment[0].envelope
    assert router is not None and router.sorted() == (50.0, 1220.0, 2440.0)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_spec_case(case: SpecCase, world: tuple[Facility, ...]) -> None:
    assert _found(case, world) == case.expected
    design = parse_design(case.manifest, source=case.name, fmt=case.fmt).value  # type: ignore[arg-type]
    naive = naive_match(world, design, case.request)
    assert {k: set(v) for k, v in naive.items()} == case.expected


def test_spec_set_precision_and_recall_are_exactly_one(world: tuple[Facility, ...]) -> None:
    tp = fp = fn = 0
    for case in CASES:
        found = _found(case, world)
        assert set(found) == set(case.expected), case.name
        for label, expected in case.expected.items():
            tp += len(found[label] & expected)
            fp += len(found[label] - expected)
            fn += len(expected - found[label])
    assert tp >= 30
    assert (tp / (tp + fp), tp / (tp + fn)) == (1.0, 1.0)


def test_a_stand_in_part_is_shown_as_such(world: tuple[Facility, ...]) -> None:
    manifest = V24.format(name="whole") + 'tsdc = "3DP"\nmaterial = "PLA"\n'
    design = parse_design(manifest, source="whole", fmt="toml").value
    (result,) = match_design(FacilityIndex.build(world), design, MatchRequest()).parts
    assert result.note is not None and result.note.startswith("stand-in")
    assert {c.facility_id for c in result.candidates} == PRINTERS


def test_approximate_location_is_said_in_the_distance_reason(
    world: tuple[Facility, ...],
) -> None:
    case = next(c for c in CASES if "Nairobi" in c.name)
    design = parse_design(case.manifest, source=case.name, fmt="toml").value
    (result,) = match_design(FacilityIndex.build(world), design, case.request).parts
    (laser,) = result.candidates
    assert any(r.startswith("distance: approximately") for r in laser.reasons)
