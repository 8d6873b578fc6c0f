"""The labelled set: hand-written (design, facilities, request) -> expected candidates per part.

Each case sits on one criterion's edge. Facility ids are short and name what the facility is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from fabnet.domain.design import Design
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Capacity,
    Facility,
    FacilityStatus,
)
from fabnet.engine.matching import DeliveryPoint, MatchRequest

from .builders import design, eq, fac, part

KM_PER_DEGREE = math.pi * 6371.0088 / 180.0


def north_of_origin(km: float) -> float:
    """Latitude of a point ``km`` north of (0, 0)."""
    return km / KM_PER_DEGREE


ORIGIN = DeliveryPoint(latitude=0.0, longitude=0.0, label="origin")


@dataclass(frozen=True)
class Case:
    name: str
    design: Design
    facilities: tuple[Facility, ...]
    expected: dict[str, set[str]]
    request: MatchRequest = field(default_factory=MatchRequest)


def _one(
    name: str,
    p_design: Design,
    facilities: list[Facility],
    expected: dict[str, set[str]],
    request: MatchRequest | None = None,
) -> Case:
    return Case(name, p_design, tuple(facilities), expected, request or MatchRequest())


FDM_BIG = (300.0, 300.0, 300.0)

CASES: list[Case] = [
    # -- process: taxonomy semantics ---------------------------------------------------------
    _one(
        "process exact node",
        design(part("p", "fdm")),
        [fac("fdm", eq("e", "fdm")), fac("none", eq("e", "laser-cutting"))],
        {"p": {"fdm"}},
    ),
    _one(
        "process more specific meets general",
        design(part("p", "additive-manufacturing")),
        [
            fac("fdm", eq("e", "fdm")),
            fac("sla", eq("e", "sla")),
            fac("mill", eq("e", "cnc-milling")),
        ],
        {"p": {"fdm", "sla"}},
    ),
    _one(
        "process sibling does not meet",
        design(part("p", "fdm")),
        [fac("sla", eq("e", "sla")), fac("sls", eq("e", "sls"))],
        {"p": set()},
    ),
    _one(
        "process more general does not meet",
        design(part("p", "fdm")),
        [
            fac("am", eq("e", "additive-manufacturing")),
            fac("am-level", processes=("additive-manufacturing",)),
        ],
        {"p": set()},
    ),
    _one(
        "precision-milling meets cnc-milling",
        design(part("p", "cnc-milling")),
        [fac("precise", eq("e", "precision-milling")), fac("mill", eq("e", "cnc-milling"))],
        {"p": {"precise", "mill"}},
    ),
    _one(
        "cnc-milling does not meet precision-milling",
        design(part("p", "precision-milling")),
        [fac("precise", eq("e", "precision-milling")), fac("mill", eq("e", "cnc-milling"))],
        {"p": {"precise"}},
    ),
    _one(
        "machining met by turning, not by cutting",
        design(part("p", "machining")),
        [fac("lathe", eq("e", "cnc-turning")), fac("laser", eq("e", "laser-cutting"))],
        {"p": {"lathe"}},
    ),
    _one(
        "welding family",
        design(part("a", "welding"), part("b", "tig-welding")),
        [
            fac("tig", eq("e", "tig-welding")),
            fac("weld", eq("e", "welding")),
            fac("braze", eq("e", "brazing")),
        ],
        {"a": {"tig", "weld"}, "b": {"tig"}},
    ),
    _one(
        "any listed process makes the part",
        design(part("p", "fdm", "sla")),
        [fac("fdm", eq("e", "fdm")), fac("sla", eq("e", "sla")), fac("sls", eq("e", "sls"))],
        {"p": {"fdm", "sla"}},
    ),
    _one(
        "pcb-assembly met by smt, not by generic assembly",
        design(part("pcba", "pcb-assembly")),
        [
            fac("smt", eq("e", "smt-assembly")),
            fac("asm", processes=("assembly",)),
            fac("pcb", eq("e", "pcb-fabrication")),
        ],
        {"pcba": {"smt"}},
    ),
    # -- material: families --------------------------------------------------------------------
    _one(
        "thermoplastic met by PLA",
        design(part("p", "fdm", materials=("thermoplastic",))),
        [
            fac("pla", eq("e", "fdm", materials=("pla",))),
            fac("ss", eq("e", "fdm", materials=("stainless-steel",))),
        ],
        {"p": {"pla"}},
    ),
    _one(
        "PETG not met by PLA",
        design(part("p", "fdm", materials=("petg",))),
        [
            fac("pla", eq("e", "fdm", materials=("pla",))),
            fac("petg", eq("e", "fdm", materials=("petg", "pla"))),
        ],
        {"p": {"petg"}},
    ),
    _one(
        "PLA not met by generic thermoplastic",
        design(part("p", "fdm", materials=("pla",))),
        [fac("generic", eq("e", "fdm", materials=("thermoplastic",)))],
        {"p": set()},
    ),
    _one(
        "nylon met by PA12",
        design(part("p", "sls", materials=("nylon",))),
        [
            fac("pa12", eq("e", "sls", materials=("pa12",))),
            fac("tpu", eq("e", "sls", materials=("tpu",))),
        ],
        {"p": {"pa12"}},
    ),
    _one(
        "either listed material",
        design(part("p", "fdm", materials=("pla", "petg"))),
        [
            fac("petg", eq("e", "fdm", materials=("petg",))),
            fac("abs", eq("e", "fdm", materials=("abs",))),
        ],
        {"p": {"petg"}},
    ),
    _one(
        "machine without materials uses the facility's typical materials",
        design(part("p", "fdm", materials=("pla",))),
        [fac("typical", eq("e", "fdm"), materials=("pla",)), fac("nothing", eq("e", "fdm"))],
        {"p": {"typical"}},
    ),
    _one(
        "part without material accepts any",
        design(part("p", "fdm")),
        [fac("nothing", eq("e", "fdm")), fac("pla", eq("e", "fdm", materials=("pla",)))],
        {"p": {"nothing", "pla"}},
    ),
    # -- envelope ------------------------------------------------------------------------------
    _one(
        "exact fit",
        design(part("p", "fdm", size=(200, 200, 200))),
        [fac("bed200", eq("e", "fdm", envelope=(200, 200, 200)))],
        {"p": {"bed200"}},
    ),
    _one(
        "0.1 mm too big",
        design(part("p", "fdm", size=(200.1, 150, 100))),
        [fac("bed200", eq("e", "fdm", envelope=(200, 200, 200)))],
        {"p": set()},
    ),
    _one(
        "fits when rotated",
        design(part("p", "laser-cutting", size=(250, 100, 5))),
        [
            fac("long", eq("e", "laser-cutting", envelope=(100, 300, 10))),
            fac("square", eq("e", "laser-cutting", envelope=(240, 240, 10))),
        ],
        {"p": {"long"}},
    ),
    _one(
        "facility-level process: no build volume declared",
        design(part("p", "fdm", size=(10, 10, 10))),
        [fac("claims", processes=("fdm",)), fac("printer", eq("e", "fdm", envelope=FDM_BIG))],
        {"p": {"printer"}},
    ),
    _one(
        "facility-level process suffices without dimensions",
        design(part("p", "fdm")),
        [fac("claims", processes=("fdm",))],
        {"p": {"claims"}},
    ),
    _one(
        "same machine: small printer, big laser cannot print a big part",
        design(
            part("big-print", "fdm", size=(250, 250, 100)),
            part("big-cut", "laser-cutting", size=(250, 250, 5)),
        ),
        [
            fac(
                "mixed",
                eq("printer", "fdm", envelope=(200, 200, 200)),
                eq("laser", "laser-cutting", envelope=(600, 400, 50)),
            )
        ],
        {"big-print": set(), "big-cut": {"mixed"}},
    ),
    _one(
        "same machine: material on the small printer, size on the big one",
        design(part("p", "fdm", materials=("petg",), size=(250, 250, 100))),
        [
            fac(
                "split",
                eq("small", "fdm", envelope=(200, 200, 200), materials=("petg",)),
                eq("big", "fdm", envelope=(400, 400, 400), materials=("pla",)),
            ),
            fac("whole", eq("big", "fdm", envelope=(400, 400, 400), materials=("petg",))),
        ],
        {"p": {"whole"}},
    ),
    _one(
        "same machine: tolerance on the wrong mill",
        design(part("p", "cnc-milling", size=(500, 100, 50), tolerance="IT7")),
        [
            fac(
                "split",
                eq("fine", "cnc-milling", envelope=(300, 200, 200), tolerance="IT6"),
                eq("large", "cnc-milling", envelope=(1000, 500, 300), tolerance="IT11"),
            ),
            fac("whole", eq("large", "cnc-milling", envelope=(1000, 500, 300), tolerance="IT7")),
        ],
        {"p": {"whole"}},
    ),
    # -- tolerance -----------------------------------------------------------------------------
    _one(
        "IT grade: equal and finer meet, coarser does not",
        design(part("p", "cnc-milling", tolerance="IT7")),
        [
            fac("it6", eq("e", "cnc-milling", tolerance="IT6")),
            fac("it7", eq("e", "cnc-milling", tolerance="IT7")),
            fac("it9", eq("e", "cnc-milling", tolerance="IT9")),
            fac("undeclared", eq("e", "cnc-milling")),
        ],
        {"p": {"it6", "it7"}},
    ),
    _one(
        "ISO 2768 classes",
        design(
            part("m", "cnc-milling", tolerance="ISO2768-m"),
            part("f", "cnc-milling", tolerance="ISO2768-f"),
        ),
        [
            fac("fine", eq("e", "cnc-milling", tolerance="ISO2768-f")),
            fac("medium", eq("e", "cnc-milling", tolerance="ISO2768-m")),
            fac("coarse", eq("e", "cnc-milling", tolerance="ISO2768-c")),
        ],
        {"m": {"fine", "medium"}, "f": {"fine"}},
    ),
    # -- certifications -----------------------------------------------------------------------
    _one(
        "required certification",
        design(part("p", "cnc-milling")),
        [
            fac("iso13485", eq("e", "cnc-milling"), certifications=("ISO 13485",)),
            fac("iso9001", eq("e", "cnc-milling"), certifications=("ISO 9001",)),
            fac("none", eq("e", "cnc-milling")),
        ],
        {"p": {"iso13485"}},
        MatchRequest(required_certifications=frozenset({"ISO 13485"})),
    ),
    _one(
        "two required certifications, all needed",
        design(part("p", "cnc-milling")),
        [
            fac("both", eq("e", "cnc-milling"), certifications=("ISO 13485", "ISO 9001")),
            fac("one", eq("e", "cnc-milling"), certifications=("ISO 9001",)),
        ],
        {"p": {"both"}},
        MatchRequest(required_certifications=frozenset({"ISO 13485", "ISO 9001"})),
    ),
    # -- quantity and batch size ---------------------------------------------------------------
    _one(
        "batch size against quantity",
        design(part("p", "fdm")),
        [
            fac("b50", eq("e", "fdm"), typical_batch_size=BatchSize.UP_TO_50),
            fac("b500", eq("e", "fdm"), typical_batch_size=BatchSize.UP_TO_500),
            fac("max60", eq("e", "fdm"), capacity=Capacity(max_batch_size=60)),
            fac("max59", eq("e", "fdm"), capacity=Capacity(max_batch_size=59)),
            fac("unknown", eq("e", "fdm")),
        ],
        {"p": {"b500", "max60", "unknown"}},
        MatchRequest(quantity=60),
    ),
    _one(
        "quantity multiplied through the bill of materials",
        design(part("leg", "fdm"), part("top", "laser-cutting"), counts={"leg": 4, "top": 1}),
        [
            fac(
                "b50",
                eq("a", "fdm"),
                eq("b", "laser-cutting"),
                eq("c", "assembly"),
                typical_batch_size=BatchSize.UP_TO_50,
            )
        ],
        {"leg": set(), "top": {"b50"}, "assembly": {"b50"}},
        MatchRequest(quantity=20),
    ),
    # -- status and access ---------------------------------------------------------------------
    _one(
        "closed and planned facilities are out by default",
        design(part("p", "fdm")),
        [
            fac("active", eq("e", "fdm")),
            fac("closed", eq("e", "fdm"), status=FacilityStatus.CLOSED),
            fac("planned", eq("e", "fdm"), status=FacilityStatus.PLANNED),
            fac("paused", eq("e", "fdm"), status=FacilityStatus.TEMPORARY_CLOSURE),
        ],
        {"p": {"active"}},
    ),
    _one(
        "planned allowed on request",
        design(part("p", "fdm")),
        [
            fac("active", eq("e", "fdm")),
            fac("closed", eq("e", "fdm"), status=FacilityStatus.CLOSED),
            fac("planned", eq("e", "fdm"), status=FacilityStatus.PLANNED),
        ],
        {"p": {"active", "planned"}},
        MatchRequest(statuses=frozenset({FacilityStatus.ACTIVE, FacilityStatus.PLANNED})),
    ),
    _one(
        "access types",
        design(part("p", "fdm")),
        [
            fac("public", eq("e", "fdm"), access_type=AccessType.PUBLIC),
            fac("members", eq("e", "fdm"), access_type=AccessType.MEMBERSHIP),
            fac("undeclared", eq("e", "fdm")),
        ],
        {"p": {"public"}},
        MatchRequest(access_types=frozenset({AccessType.PUBLIC})),
    ),
    # -- distance --------------------------------------------------------------------------------
    _one(
        "radius boundary",
        design(part("p", "fdm")),
        [
            fac("in-99.9", eq("e", "fdm"), lat=north_of_origin(99.9)),
            fac("out-100.1", eq("e", "fdm"), lat=north_of_origin(100.1)),
            fac("no-coords", eq("e", "fdm"), lat=None, lon=None),
        ],
        {"p": {"in-99.9"}},
        MatchRequest(delivery_points=(ORIGIN,), radius_km=100),
    ),
    _one(
        "no radius: distance only ranks",
        design(part("p", "fdm")),
        [
            fac("far", eq("e", "fdm"), lat=north_of_origin(5000)),
            fac("no-coords", eq("e", "fdm"), lat=None, lon=None),
        ],
        {"p": {"far", "no-coords"}},
        MatchRequest(delivery_points=(ORIGIN,)),
    ),
    _one(
        "within the radius of any delivery point",
        design(part("p", "fdm")),
        [
            fac("near-second", eq("e", "fdm"), lat=10.0, lon=10.05),
            fac("between", eq("e", "fdm"), lat=5.0, lon=5.0),
        ],
        {"p": {"near-second"}},
        MatchRequest(delivery_points=(ORIGIN, DeliveryPoint(10.0, 10.0, "second")), radius_km=50),
    ),
    # -- countries -------------------------------------------------------------------------------
    _one(
        "excluded country",
        design(part("p", "fdm")),
        [
            fac("de", eq("e", "fdm"), country="DE"),
            fac("fr", eq("e", "fdm"), country="FR"),
            fac("unknown", eq("e", "fdm"), country=None),
        ],
        {"p": {"fr"}},
        MatchRequest(excluded_countries=frozenset({"DE"})),
    ),
    _one(
        "allowed countries",
        design(part("p", "fdm")),
        [
            fac("ke", eq("e", "fdm"), country="KE"),
            fac("ug", eq("e", "fdm"), country="UG"),
            fac("tz", eq("e", "fdm"), country="TZ"),
        ],
        {"p": {"ke", "tz"}},
        MatchRequest(countries=frozenset({"KE", "TZ"})),
    ),
    # -- identity ----------------------------------------------------------------------------------
    _one(
        "two facilities with the same name never mix",
        design(part("p", "fdm", size=(250, 10, 10))),
        [
            fac("lab-a", eq("e", "fdm", envelope=FDM_BIG), name="Fab Lab"),
            fac("lab-b", eq("e", "fdm", envelope=(200, 200, 200)), name="Fab Lab"),
        ],
        {"p": {"lab-a"}},
    ),
    _one(
        "same name, both capable, both listed",
        design(part("p", "fdm")),
        [
            fac("lab-a", eq("e", "fdm"), name="Fab Lab"),
            fac("lab-b", eq("e", "fdm"), name="Fab Lab"),
        ],
        {"p": {"lab-a", "lab-b"}},
    ),
    # -- provenance --------------------------------------------------------------------------------
    _one(
        "synthetic data excluded on request",
        design(part("p", "fdm")),
        [fac("declared", eq("e", "fdm")), fac("synthetic", eq("e", "fdm"), synthetic=True)],
        {"p": {"declared"}},
        MatchRequest(include_synthetic=False),
    ),
    _one(
        "synthetic data included by default",
        design(part("p", "fdm")),
        [fac("declared", eq("e", "fdm")), fac("synthetic", eq("e", "fdm"), synthetic=True)],
        {"p": {"declared", "synthetic"}},
    ),
    # -- assembly and design shape -----------------------------------------------------------------
    _one(
        "final assembly step is a part named by its process",
        design(part("p", "fdm"), assembly_process="assembly"),
        [
            fac("printer", eq("e", "fdm")),
            fac("assembler", processes=("assembly",)),
            fac("pcba", eq("e", "pcb-assembly")),
        ],
        {"p": {"printer"}, "assembly": {"assembler"}},
    ),
    _one(
        "purchased parts are not matched",
        design(part("made", "fdm"), part("bought", "fdm", purchased=True)),
        [fac("printer", eq("e", "fdm"))],
        {"made": {"printer"}},
    ),
    _one(
        "each part its own candidates",
        design(
            part("case", "fdm", materials=("pla",)),
            part("panel", "laser-cutting", materials=("plywood",)),
            part("board", "pcb-fabrication"),
        ),
        [
            fac(
                "maker",
                eq("p", "fdm", materials=("pla",)),
                eq("l", "laser-cutting", materials=("plywood",)),
            ),
            fac("pcb", eq("e", "pcb-fabrication")),
            fac("laser-mdf", eq("l", "laser-cutting", materials=("mdf",))),
        ],
        {"case": {"maker"}, "panel": {"maker"}, "board": {"pcb"}},
    ),
]
