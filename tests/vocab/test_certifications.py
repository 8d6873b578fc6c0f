"""Certification spellings -> one code; unknown text kept and flagged."""

from __future__ import annotations

import pytest

from fabnet.vocab.certifications import is_known_certification, normalise_certification


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("iso13485", "ISO 13485"),
        ("ISO 13485:2016", "ISO 13485"),
        ("EN ISO 13485", "ISO 13485"),
        ("DIN EN ISO 13485:2016", "ISO 13485"),
        ("ISO9001", "ISO 9001"),
        ("ISO 9001:2015 certified", "ISO 9001"),
        ("iso-14001", "ISO 14001"),
        ("AS9100D", "AS9100"),
        ("AS 9100 Rev D", "AS 9100 Rev D"),  # not a pattern we know: kept
        ("EN 9100:2018", "AS9100"),
        ("IATF 16949:2016", "IATF 16949"),
        ("ISO/TS 16949", "IATF 16949"),
        ("CE", "CE"),
        ("CE marking", "CE"),
        ("ce-marked", "CE"),
        ("UL listed", "UL"),
        ("RoHS 2", "RoHS"),
        ("ISO/IEC 17025:2017", "ISO/IEC 17025"),
        ("ISO 17025", "ISO/IEC 17025"),
        ("EN ISO 3834-2", "ISO 3834-2"),
        ("EN 1090-2", "EN 1090"),
        ("OSHWA certified", "OSHWA"),
        ("IPC-A-610 Class 3", "IPC-A-610"),
    ],
)
def test_normalise_certification(text: str, code: str) -> None:
    assert normalise_certification(text) == code


def test_unknown_text_is_kept_trimmed_and_flagged() -> None:
    code = normalise_certification("  Certified   by  the Guild of Makers ")
    assert code == "Certified by the Guild of Makers"
    assert not is_known_certification(code)


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("ISO 13485", True),
        ("iso 9001:2015", True),
        ("ISO 9606-1", True),  # a part of a known standard
        ("ISO 12345", False),
        ("IATF 16949", True),
        ("Guild member", False),
    ],
)
def test_is_known_certification(code: str, known: bool) -> None:
    assert is_known_certification(code) is known


def test_normalisation_is_idempotent() -> None:
    for text in ["ISO 13485:2016", "AS9100D", "CE marking", "something else"]:
        once = normalise_certification(text)
        assert normalise_certification(once) == once
