"""Property (issue 10): adding a term no vocabulary understands to a requirement can only remove
candidates, never add them — for materials, processes, tolerance classes and certifications."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fabnet.domain.design import Design, Part
from fabnet.domain.facility import Facility
from fabnet.engine.matching import FacilityIndex, MatchRequest, match_design
from fabnet.errors import InputError
from fabnet.standards.okh import parse_design
from fabnet.vocab.materials import get_material_vocabulary

from .builders import design, eq, fac, part

PROCESSES = ("fdm", "sla", "cnc-milling", "laser-cutting", "additive-manufacturing")
MATERIALS = ("pla", "petg", "aluminium", "aluminium-6061", "plywood", "pmma")
SIDES = st.sampled_from((10.0, 100.0, 300.0, 1000.0))

junk = st.text(alphabet="qxzjvkw", min_size=5, max_size=12).filter(
    lambda t: get_material_vocabulary().resolve(t) is None
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[tuple[Facility, ...], Part]:
    facilities = []
    for i in range(draw(st.integers(1, 6))):
        machines = [
            eq(
                f"e{j}",
                draw(st.sampled_from(PROCESSES)),
                envelope=draw(st.none() | st.tuples(SIDES, SIDES, SIDES)),
                materials=tuple(draw(st.sets(st.sampled_from(MATERIALS), max_size=3))),
                tolerance=draw(st.sampled_from((None, "ISO2768-m", "ISO2768-f"))),
            )
            for j in range(draw(st.integers(1, 3)))
        ]
        facilities.append(fac(f"f{i}", *machines, certifications=("ISO 9001",)))
    wanted = part(
        "p",
        *draw(st.sets(st.sampled_from(PROCESSES), min_size=1, max_size=2)),
        materials=tuple(draw(st.sets(st.sampled_from(MATERIALS), max_size=2))),
        size=draw(st.none() | st.tuples(SIDES, SIDES, SIDES)),
        tolerance=draw(st.sampled_from((None, "ISO2768-m"))),
    )
    return tuple(facilities), wanted


def _candidates(facilities: tuple[Facility, ...], d: Design, request: MatchRequest) -> set[str]:
    (result,) = match_design(FacilityIndex.build(facilities), d, request).parts
    return {c.facility_id for c in result.candidates}


@settings(max_examples=60, deadline=None)
@given(worlds(), junk, st.sampled_from(("material", "process", "tolerance", "material-id")))
def test_adding_an_unknown_term_only_removes_candidates(
    world: tuple[tuple[Facility, ...], Part], term: str, kind: str
) -> None:
    facilities, wanted = world
    before = _candidates(facilities, design(wanted), MatchRequest())
    if kind == "material-id":  # an id no vocabulary knows meets only itself
        changed = wanted.model_copy(update={"materials": (*wanted.materials, term)})
    else:
        changed = wanted.model_copy(
            update={"unresolved": (*wanted.unresolved, f"{kind} {term!r} not understood")}
        )
    after = _candidates(facilities, design(changed), MatchRequest())
    assert after <= before
    if kind != "material-id":
        assert after == set()


@settings(max_examples=30, deadline=None)
@given(worlds(), junk)
def test_an_unknown_certification_requirement_only_removes_candidates(
    world: tuple[tuple[Facility, ...], Part], term: str
) -> None:
    facilities, wanted = world
    before = _candidates(facilities, design(wanted), MatchRequest())
    try:
        request = MatchRequest(required_certifications=frozenset({term}))
    except InputError:
        return  # refused outright: nothing is matched
    assert _candidates(facilities, design(wanted), request) <= before
    assert _candidates(facilities, design(wanted), request) == set()


MANIFEST = """okhv = "2.4"
name = "w"
repo = "https://example.org/w"
license = "MIT"
licensor = "Ann"
function = "f"
[[part]]
name = "P"
tsdc = "3DP"
material = "{material}"
"""


@settings(max_examples=30, deadline=None)
@given(junk)
def test_an_unknown_material_in_a_manifest_leaves_the_part_uncovered(term: str) -> None:
    facilities = (fac("any", eq("e", "fdm", materials=("pla",))),)
    known = parse_design(MANIFEST.format(material="PLA"), source="a", fmt="toml").value
    unknown = parse_design(MANIFEST.format(material=term), source="b", fmt="toml").value
    assert _candidates(facilities, known, MatchRequest()) == {"any"}
    (p,) = unknown.parts
    assert p.unresolved and term in p.unresolved[0]
    index = FacilityIndex.build(facilities)
    (result,) = match_design(index, unknown, MatchRequest()).parts
    assert result.candidates == ()
    assert result.note is not None and term in result.note
    (miss,) = result.near_misses
    assert any(term in c.detail for c in miss.failed)
