"""Reasons, near-misses, why-not and the JSON shape users read."""

from __future__ import annotations

import json

import pytest

from fabnet.domain.facility import FacilityStatus
from fabnet.engine.matching import (
    DeliveryPoint,
    FacilityIndex,
    MatchRequest,
    match_design,
    why_not,
)
from fabnet.errors import InputError, NotFoundError

from .builders import design, eq, fac, part


def test_uncovered_part_names_near_misses_and_what_each_lacks() -> None:
    facilities = [
        fac("small-bed", eq("mk3", "fdm", envelope=(200, 200, 200), materials=("pla",)), name="A"),
        fac("wrong-mat", eq("big", "fdm", envelope=(400, 400, 400), materials=("abs",)), name="B"),
        fac("laser-only", eq("l", "laser-cutting", envelope=(900, 600, 50)), name="C"),
    ]
    d = design(part("housing", "fdm", materials=("pla",), size=(230, 100, 50)))
    result = match_design(FacilityIndex.build(facilities), d, MatchRequest())
    housing = result.part("housing")
    assert result.uncovered_parts == ("housing",)
    assert housing.candidates == ()
    assert [n.facility_id for n in housing.near_misses] == ["small-bed", "wrong-mat"]
    small = housing.near_misses[0]
    assert [c.criterion for c in small.failed] == ["envelope"]
    assert "200×200×200 mm" in small.lacks and "230×100×50 mm" in small.lacks
    assert "230 mm side against 200 mm" in small.lacks
    assert [c.criterion for c in housing.near_misses[1].failed] == ["material"]
    # a laser cutter does not offer FDM at all: not a near-miss
    assert "laser-only" not in {n.facility_id for n in housing.near_misses}


def test_closed_facility_is_a_near_miss_that_lacks_status() -> None:
    facilities = [fac("closed", eq("e", "fdm"), status=FacilityStatus.CLOSED)]
    result = match_design(FacilityIndex.build(facilities), design(part("p", "fdm")), MatchRequest())
    (miss,) = result.part("p").near_misses
    assert miss.lacks == "status: status Closed; allowed: Active"


def test_why_not_lists_every_failed_criterion() -> None:
    facility = fac(
        "f1",
        eq("printer", "fdm", envelope=(200, 200, 200), materials=("pla",), tolerance="ISO2768-c"),
        country="DE",
        lat=52.5,
        lon=13.4,
        status=FacilityStatus.PLANNED,
    )
    d = design(part("p", "fdm", materials=("petg",), size=(250, 10, 10), tolerance="ISO2768-m"))
    request = MatchRequest(
        delivery_points=(DeliveryPoint(48.14, 11.58, "Munich"),),
        radius_km=100,
        excluded_countries=frozenset({"DE"}),
        required_certifications=frozenset({"ISO 13485"}),
    )
    results = why_not(FacilityIndex.build([facility]), d, "p", "f1", request)
    failed = {r.criterion for r in results if not r.passed}
    assert failed == {
        "material",
        "envelope",
        "tolerance",
        "status",
        "country",
        "distance",
        "certifications",
    }
    by_name = {r.criterion: r for r in results}
    assert by_name["process"].passed
    assert "from Munich, beyond 100 km" in by_name["distance"].detail
    assert "lacks ISO 13485" in by_name["certifications"].detail


def test_why_not_for_a_candidate_has_no_failure() -> None:
    index = FacilityIndex.build([fac("f1", eq("e", "fdm"))])
    results = why_not(index, design(part("p", "fdm")), "p", "f1", MatchRequest())
    assert all(r.passed for r in results)


def test_why_not_names_the_more_general_process() -> None:
    index = FacilityIndex.build([fac("f1", eq("e", "additive-manufacturing"))])
    (process, *_rest) = why_not(index, design(part("p", "fdm")), "p", "f1", MatchRequest())
    assert not process.passed
    assert "additive-manufacturing is more general" in process.detail


def test_why_not_refuses_unknown_part_and_facility() -> None:
    index = FacilityIndex.build([fac("f1", eq("e", "fdm"))])
    with pytest.raises(InputError, match="no manufactured part 'nope'"):
        why_not(index, design(part("p", "fdm")), "nope", "f1", MatchRequest())
    with pytest.raises(NotFoundError, match="no facility with id 'f2'"):
        why_not(index, design(part("p", "fdm")), "p", "f2", MatchRequest())


def test_json_shape_and_same_name_facilities_keep_their_ids() -> None:
    facilities = [
        fac("lab-a", eq("e", "fdm"), name="Fab Lab", lat=0.0, lon=0.1),
        fac("lab-b", eq("e", "fdm"), name="Fab Lab", lat=0.0, lon=1.0),
        fac("asm", processes=("assembly",), name="Assembler"),
    ]
    d = design(part("p", "fdm"), assembly_process="assembly")
    request = MatchRequest(delivery_points=(DeliveryPoint(0.0, 0.0, "here"),))
    data = json.loads(
        json.dumps(match_design(FacilityIndex.build(facilities), d, request).to_json())
    )
    assert set(data) == {"design_id", "parts", "uncovered_parts"}
    assert data["design_id"] == "d-1"
    assert [p["part"] for p in data["parts"]] == ["p", "assembly"]
    first = data["parts"][0]
    assert {"part", "candidates", "near_misses"} <= set(first)
    cands = first["candidates"]
    assert [c["facility_id"] for c in cands] == ["lab-a", "lab-b"]  # nearer first
    assert [c["facility_name"] for c in cands] == ["Fab Lab", "Fab Lab"]
    for c in cands:
        assert {"facility_id", "facility_name", "score", "distance_km", "reasons"} <= set(c)
    assert cands[0]["distance_km"] == pytest.approx(11.1, abs=0.1)
    assert cands[0]["score"] > cands[1]["score"]
    assert data["uncovered_parts"] == []


def test_top_k_limits_the_list_but_counts_every_candidate() -> None:
    facilities = [fac(f"f{i:02d}", eq("e", "fdm")) for i in range(15)]
    result = match_design(
        FacilityIndex.build(facilities), design(part("p", "fdm")), MatchRequest(top_k=4)
    )
    p = result.part("p")
    assert p.candidate_count == 15
    # equal scores: ties break by facility id
    assert [c.facility_id for c in p.candidates] == ["f00", "f01", "f02", "f03"]


def test_part_without_process_is_uncovered_with_a_note() -> None:
    result = match_design(
        FacilityIndex.build([fac("f1", eq("e", "fdm"))]), design(part("p")), MatchRequest()
    )
    assert result.uncovered_parts == ("p",)
    assert result.part("p").note is not None


def test_duplicate_facility_ids_are_refused() -> None:
    with pytest.raises(InputError, match="appears twice"):
        FacilityIndex.build([fac("f1", eq("e", "fdm")), fac("f1", eq("e", "sla"))])
