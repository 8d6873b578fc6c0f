"""A PCB part against electronics equipment (issue 10): board size, layers and finest pitch,
compared by the index and explained by the criteria; limits not declared are never a wildcard."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import Part
from fabnet.domain.facility import Equipment, Facility
from fabnet.engine.matching import (
    FacilityIndex,
    MatchRequest,
    PartMatch,
    assess,
    match_design,
    requirements_for,
    why_not,
)

from .builders import design, fac, part


def board_eq(
    eq_id: str,
    process: str = "pcb-fabrication",
    *,
    size: tuple[float, float] | None = None,
    layers: int | None = None,
    pitch: float | None = None,
    kind: str = "PCB mill",
) -> Equipment:
    limits = None
    if size is not None or layers is not None or pitch is not None:
        limits = BoardLimits(
            x_mm=size[0] if size else None,
            y_mm=size[1] if size else None,
            layers=layers,
            pitch_mm=pitch,
        )
    return Equipment(id=eq_id, equipment_type=kind, processes=(process,), board_limits=limits)


def pcb(
    *,
    size: tuple[float, float] | None = (120, 80),
    layers: int | None = None,
    pitch: float | None = None,
    process: str = "pcb-fabrication",
    outer: tuple[float, float, float] | None = None,
) -> Part:
    base = part("board", process, size=outer)
    return base.model_copy(
        update={
            "board": BoardLimits(
                x_mm=size[0] if size else None,
                y_mm=size[1] if size else None,
                layers=layers,
                pitch_mm=pitch,
            )
        }
    )


def _match(facilities: list[Facility], wanted: Part) -> PartMatch:
    (result,) = match_design(FacilityIndex.build(facilities), design(wanted), MatchRequest()).parts
    return result


def _lacks(result: PartMatch, facility_id: str) -> str:
    (miss,) = [m for m in result.near_misses if m.facility_id == facility_id]
    return miss.lacks


def test_a_board_that_fits_matches_and_says_why() -> None:
    house = fac("house", board_eq("mill", size=(100, 160), layers=2, pitch=0.5))
    result = _match([house], pcb(size=(120, 80), layers=2, pitch=0.65))
    assert [c.facility_id for c in result.candidates] == ["house"]  # turned by 90 degrees
    reasons = " | ".join(result.candidates[0].reasons)
    assert "board 120 x 80 mm fits the 100 x 160 mm panel" in reasons
    assert "2 layers, makes up to 2" in reasons
    assert "pitch 0.65 mm, handles down to 0.5 mm" in reasons


@pytest.mark.parametrize(
    ("limits", "wanted", "fragment"),
    [
        (
            {"size": (100, 100), "layers": 8, "pitch": 0.2},
            {"size": (120, 80)},
            "board 120 x 80 mm exceeds the 100 x 100 mm panel",
        ),
        (
            {"size": (300, 300), "layers": 4},
            {"size": (120, 80), "layers": 6},
            "needs 6 layers, makes up to 4",
        ),
        (
            {"size": (300, 300), "pitch": 0.5},
            {"size": (120, 80), "pitch": 0.3},
            "pitch 0.3 mm finer than 0.5 mm",
        ),
        (
            {"size": (300, 300)},
            {"size": (120, 80), "layers": 4},
            "no layer count declared; needs 4 layers",
        ),
        (
            {"layers": 8},
            {"size": (120, 80)},
            "no largest board declared; board 120 x 80 mm",
        ),
        (
            {"size": (300, 300), "layers": 8},
            {"size": None, "pitch": 0.4},
            "no smallest pitch declared; needs pitch 0.4 mm",
        ),
        (
            {},
            {"size": (120, 80), "layers": 2},
            "no board limits declared (largest board, layers, finest pitch); the part is a PCB:"
            " board 120 x 80 mm, 2 layers",
        ),
    ],
)
def test_too_big_too_many_layers_too_fine_or_not_declared_is_a_near_miss(
    limits: dict[str, object], wanted: dict[str, object], fragment: str
) -> None:
    house = fac("house", board_eq("line", **limits))  # type: ignore[arg-type]
    result = _match([house], pcb(**wanted))  # type: ignore[arg-type]
    assert result.candidate_count == 0 and result.candidates == ()
    lacks = _lacks(result, "house")
    assert lacks.startswith("board: equipment 'line' (PCB mill): "), lacks
    assert fragment in lacks


def test_a_facility_without_equipment_detail_is_not_known_to_make_a_pcb() -> None:
    loose = fac("loose", processes=("pcb-fabrication",))
    result = _match([loose], pcb(layers=2))
    assert result.candidates == ()
    assert "no board limits declared" in _lacks(result, "loose")
    # the same facility makes a PCB part that gives no board figures
    assert [c.facility_id for c in _match([loose], part("board", "pcb-fabrication")).candidates]


def test_the_row_that_meets_the_board_is_the_one_that_makes_it() -> None:
    """Process and board limits must be met by the same machine."""
    mixed = fac(
        "mixed",
        board_eq(
            "pnp", "smt-assembly", size=(400, 300), layers=8, pitch=0.3, kind="pick and place"
        ),
        board_eq("small-mill", size=(100, 80), layers=2),
    )
    fab = _match([mixed], pcb(size=(200, 150), layers=2))  # PCB fabrication: only the mill
    assert fab.candidates == ()
    assert "exceeds the 100 x 80 mm panel" in _lacks(fab, "mixed")
    assembly = _match([mixed], pcb(size=(200, 150), layers=2, process="smt-assembly"))
    assert assembly.candidates[0].equipment_id == "pnp"


def test_a_pcb_with_outer_dimensions_only_is_judged_as_a_board() -> None:
    """Board size from the two larger outer dimensions; no 3D build volume is asked of a
    pick-and-place."""
    pnp = fac("pnp", board_eq("pnp", "smt-assembly", size=(400, 300), layers=8, kind="P&P"))
    wanted = pcb(size=None, layers=4, process="smt-assembly", outer=(120, 1.6, 80))
    (req,) = requirements_for(design(wanted), 1)
    assert req.board == BoardLimits(x_mm=120, y_mm=80, layers=4)
    assert [c.facility_id for c in _match([pnp], wanted).candidates] == ["pnp"]
    too_big = pcb(size=None, layers=4, process="smt-assembly", outer=(500, 1.6, 80))
    assert "board 500 x 80 mm exceeds the 400 x 300 mm panel" in _lacks(
        _match([pnp], too_big), "pnp"
    )


def test_why_not_names_the_board_criterion() -> None:
    index = FacilityIndex.build([fac("house", board_eq("mill", size=(100, 100), layers=2))])
    results = why_not(index, design(pcb(layers=4)), "board", "house", MatchRequest())
    failed = {r.criterion: r.detail for r in results if not r.passed}
    assert set(failed) == {"board"}
    assert "exceeds the 100 x 100 mm panel" in failed["board"]
    assert "needs 4 layers, makes up to 2" in failed["board"]


# -- properties ------------------------------------------------------------------------------

SIDE = st.sampled_from((50.0, 100.0, 160.0, 300.0))
LAYERS = st.none() | st.sampled_from((1, 2, 4, 8))
PITCH = st.none() | st.sampled_from((0.3, 0.5, 0.8))
PROCESSES = ("pcb-fabrication", "smt-assembly", "pcb-assembly", "electronics")


@st.composite
def limits(draw: st.DrawFn) -> BoardLimits | None:
    size = draw(st.none() | st.tuples(SIDE, SIDE))
    layers, pitch = draw(LAYERS), draw(PITCH)
    if size is None and layers is None and pitch is None:
        return None
    return BoardLimits(
        x_mm=size[0] if size else None,
        y_mm=size[1] if size else None,
        layers=layers,
        pitch_mm=pitch,
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[tuple[Facility, ...], Part]:
    facilities = []
    for i in range(draw(st.integers(1, 6))):
        machines = tuple(
            Equipment(
                id=f"e{j}",
                equipment_type="machine",
                processes=(draw(st.sampled_from(PROCESSES)),),
                envelope=draw(st.none() | st.just(Dimensions(x_mm=400, y_mm=300, z_mm=50))),
                board_limits=draw(limits()),
            )
            for j in range(draw(st.integers(1, 3)))
        )
        facilities.append(
            fac(f"f{i}", *machines, processes=tuple(draw(st.sets(st.sampled_from(PROCESSES)))))
        )
    wanted = part(
        "board",
        draw(st.sampled_from(PROCESSES)),
        size=draw(st.none() | st.just((120.0, 80.0, 1.6))),
    )
    return tuple(facilities), wanted


def _candidates(facilities: tuple[Facility, ...], wanted: Part) -> set[str]:
    return {c.facility_id for c in _match(list(facilities), wanted).candidates}


@settings(max_examples=80, deadline=None)
@given(worlds(), limits())
def test_adding_a_pcb_requirement_only_removes_candidates(
    world: tuple[tuple[Facility, ...], Part], board: BoardLimits | None
) -> None:
    facilities, wanted = world
    if board is None:
        board = BoardLimits(layers=1)
    before = _candidates(facilities, wanted.model_copy(update={"outer_dimensions": None}))
    changed = wanted.model_copy(update={"board": board, "outer_dimensions": None})
    after = _candidates(facilities, changed)
    assert after <= before
    # never a wildcard: every candidate has a machine that declares every figure asked for
    for facility in facilities:
        if facility.id in after:
            assert any(
                e.board_limits is not None
                and (board.layers is None or e.board_limits.layers is not None)
                and (board.pitch_mm is None or e.board_limits.pitch_mm is not None)
                and (board.x_mm is None or e.board_limits.x_mm is not None)
                for e in facility.equipment
            )


@settings(max_examples=60, deadline=None)
@given(worlds(), limits())
def test_the_index_agrees_with_the_criteria(
    world: tuple[tuple[Facility, ...], Part], board: BoardLimits | None
) -> None:
    facilities, wanted = world
    wanted = wanted.model_copy(update={"board": board})
    request = MatchRequest(top_k=50)
    (req,) = requirements_for(design(wanted), 1)
    expected = {f.id for f in facilities if assess(f, req, request).passed}
    assert _candidates(facilities, wanted) == expected
