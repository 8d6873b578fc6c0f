"""Tolerance classes: parsing, published table values, ordering, meets_tolerance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fabnet.errors import InputError, UnknownTermError
from fabnet.vocab.tolerance import (
    ISO2768_CLASSES,
    IT_GRADES,
    meets_tolerance,
    normalise_tolerance,
    tolerance_fineness_um,
)

ALL_CODES = [f"ISO2768-{c}" for c in ISO2768_CLASSES] + [f"IT{g}" for g in IT_GRADES]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("ISO 2768-m", "ISO2768-m"),
        ("ISO 2768-mK", "ISO2768-m"),
        ("2768-mK", "ISO2768-m"),
        ("DIN ISO 2768-1 f", "ISO2768-f"),
        ("ISO2768-f", "ISO2768-f"),
        ("fine", "ISO2768-f"),
        ("Medium", "ISO2768-m"),
        ("coarse", "ISO2768-c"),
        ("very coarse", "ISO2768-v"),
        ("ISO 2768 medium", "ISO2768-m"),
        ("m", "ISO2768-m"),
        ("IT9", "IT9"),
        ("it 7", "IT7"),
        ("IT01", "IT01"),
        ("IT0", "IT0"),
        ("IT18", "IT18"),
        ("h7", "IT7"),
        ("H7", "IT7"),
        ("js6", "IT6"),
        ("ISO 286 IT8", "IT8"),
    ],
)
def test_normalise_tolerance(text: str, canonical: str) -> None:
    assert normalise_tolerance(text) == canonical


@pytest.mark.parametrize("text", ["garbage", "IT19", "ISO 2768", "", "±0.1 mm", "q7", "2768-x"])
def test_garbage_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(UnknownTermError, match="unknown tolerance class"):
        normalise_tolerance(text)


@pytest.mark.parametrize(
    ("code", "nominal", "zone_um"),
    [
        # ISO 2768-1 Table 1: zone = 2 x the ± deviation
        ("ISO2768-f", 100, 300),  # ±0.15 over 30 up to 120
        ("ISO2768-m", 100, 600),  # ±0.3
        ("ISO2768-c", 100, 1600),  # ±0.8
        ("ISO2768-v", 100, 3000),  # ±1.5
        ("ISO2768-m", 0.5, 200),  # ±0.1 from 0.5 up to 3 (0.5 included)
        ("ISO2768-m", 3000, 4000),  # ±2 over 2000 up to 4000
        # ISO 286-1 Table 1, 80-120 mm row by default
        ("IT7", 100, 35),
        ("IT9", 100, 87),
        ("IT6", 100, 22),
        ("IT01", 100, 1),
        ("IT18", 100, 5400),
        ("IT7", 3, 10),
        ("IT7", 500, 63),
        ("IT11", 25, 130),
    ],
)
def test_fineness_matches_the_published_tables(code: str, nominal: float, zone_um: float) -> None:
    assert tolerance_fineness_um(code, nominal) == pytest.approx(zone_um)


def test_default_nominal_is_100_mm() -> None:
    assert tolerance_fineness_um("IT7") == tolerance_fineness_um("IT7", 100.0) == 35


@pytest.mark.parametrize(("code", "nominal"), [("IT7", 0), ("IT7", 501), ("m", 0.4), ("m", 4001)])
def test_sizes_outside_the_tables_are_refused(code: str, nominal: float) -> None:
    with pytest.raises(InputError, match="outside"):
        tolerance_fineness_um(code, nominal)


def test_a_class_with_no_value_at_that_size_is_refused() -> None:
    with pytest.raises(InputError, match="no tolerance"):
        tolerance_fineness_um("ISO2768-v", 2)
    with pytest.raises(InputError, match="no tolerance"):
        tolerance_fineness_um("ISO2768-f", 3000)


def test_ordering_within_each_system() -> None:
    zones_2768 = [tolerance_fineness_um(f"ISO2768-{c}") for c in ISO2768_CLASSES]
    assert zones_2768 == sorted(zones_2768)
    zones_it = [tolerance_fineness_um(f"IT{g}") for g in IT_GRADES]
    assert zones_it == sorted(zones_it) and len(set(zones_it)) == len(zones_it)


def test_meets_tolerance() -> None:
    assert meets_tolerance(None, None)
    assert meets_tolerance("IT12", None)
    assert not meets_tolerance(None, "ISO 2768-c")
    assert meets_tolerance("ISO 2768-f", "ISO 2768-m")
    assert not meets_tolerance("ISO 2768-c", "ISO 2768-m")
    assert meets_tolerance("IT7", "ISO 2768-f")  # 35 µm zone within 300 µm
    assert not meets_tolerance("ISO 2768-f", "IT9")  # 300 µm is coarser than 87 µm
    assert meets_tolerance("h7", "IT7")
    assert not meets_tolerance("IT8", "IT7")


def test_meets_tolerance_honours_the_nominal_size() -> None:
    # IT10 at 5 mm is 48 µm, within ISO 2768-f's ±0.05 (100 µm); at 100 mm 140 µm is still
    # within ±0.15 (300 µm); IT13 at 100 mm (540 µm) is not within f (300 µm).
    assert meets_tolerance("IT10", "ISO2768-f", nominal_mm=5)
    assert not meets_tolerance("IT13", "ISO2768-f", nominal_mm=100)


def test_garbage_in_meets_tolerance_raises() -> None:
    with pytest.raises(UnknownTermError):
        meets_tolerance("very tight", "IT7")


@given(st.sampled_from(ALL_CODES), st.sampled_from(ALL_CODES), st.sampled_from(ALL_CODES))
def test_meets_tolerance_is_reflexive_and_transitive(a: str, b: str, c: str) -> None:
    assert meets_tolerance(a, a)
    if meets_tolerance(a, b) and meets_tolerance(b, c):
        assert meets_tolerance(a, c)


@given(st.sampled_from(ALL_CODES))
def test_canonical_codes_normalise_to_themselves(code: str) -> None:
    assert normalise_tolerance(code) == code
