"""The labelled set: precision and recall of the matcher are exactly 1.0, case by case."""

from __future__ import annotations

import pytest

from fabnet.engine.matching import FacilityIndex, match_design, naive_match

from .labelled_cases import CASES, Case


def _found(case: Case) -> dict[str, set[str]]:
    index = FacilityIndex.build(case.facilities)
    request = case.request
    result = match_design(index, case.design, request)
    found: dict[str, set[str]] = {}
    for part in result.parts:
        # every candidate, not just the listed top_k
        assert part.candidate_count == len(part.candidates) or len(part.candidates) == request.top_k
        found[part.part] = {c.facility_id for c in part.candidates}
    return found


def test_the_set_is_large_enough_and_named_uniquely() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_expected_candidates(case: Case) -> None:
    assert _found(case) == case.expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_index_agrees_with_the_per_facility_loop(case: Case) -> None:
    naive = {k: set(v) for k, v in naive_match(case.facilities, case.design, case.request).items()}
    assert naive == _found(case)


def test_precision_and_recall_are_exactly_one() -> None:
    true_pos = false_pos = false_neg = 0
    for case in CASES:
        found = _found(case)
        assert set(found) == set(case.expected), case.name
        for label, expected in case.expected.items():
            true_pos += len(found[label] & expected)
            false_pos += len(found[label] - expected)
            false_neg += len(expected - found[label])
    assert true_pos > 60
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert (precision, recall) == (1.0, 1.0)
