"""Coordinate syntax and country names/codes (no gazetteer needed)."""

from __future__ import annotations

import pytest

from fabnet.errors import InputError, UnknownPlaceError
from fabnet.geo.countries import country_code, country_name
from fabnet.geo.gazetteer import parse_coordinates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1.2921, 36.8219", (-1.2921, 36.8219)),
        ("-1.2921,36.8219", (-1.2921, 36.8219)),
        ("-1.2921 36.8219", (-1.2921, 36.8219)),
        ("48.1 11.5", (48.1, 11.5)),
        ("48.1; 11.5", (48.1, 11.5)),
        ("(48.1, 11.5)", (48.1, 11.5)),
        ("48.1°, 11.5°", (48.1, 11.5)),
        ("1.2921 S, 36.8219 E", (-1.2921, 36.8219)),
        ("1.2921S 36.8219E", (-1.2921, 36.8219)),
        ("N48.1 E11.5", (48.1, 11.5)),
        ("36.8219 E, 1.2921 S", (-1.2921, 36.8219)),
        ("40.7 N, 74.0 W", (40.7, -74.0)),
        ("0, 0", (0.0, 0.0)),
    ],
)
def test_accepted_coordinate_syntaxes(text: str, expected: tuple[float, float]) -> None:
    assert parse_coordinates(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["Nairobi", "48.1", "1 2 3", "48°6'N 11°30'E", "Route 66"])
def test_non_coordinates_are_not_parsed(text: str) -> None:
    assert parse_coordinates(text) is None


@pytest.mark.parametrize("text", ["91, 0", "0, 181", "-95.0 10", "10 N, 20 N"])
def test_impossible_coordinates_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_coordinates(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("KE", "KE"),
        ("ke", "KE"),
        ("KEN", "KE"),
        ("Kenya", "KE"),
        ("Belgium", "BE"),
        ("België", "BE"),  # pycountry's Dutch name
        ("Deutschland", "DE"),  # pycountry's German name
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("USA", "US"),
        ("Russia", "RU"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d Ivoire", "CI"),
        ("Kosovo", "XK"),
    ],
)
def test_country_code(text: str, code: str) -> None:
    assert country_code(text) == code


def test_unknown_country_is_an_input_error_with_a_suggestion() -> None:
    with pytest.raises(UnknownPlaceError, match="Belgium") as info:
        country_code("Belgum")
    assert isinstance(info.value, InputError)


def test_country_name() -> None:
    assert country_name("KE") == "Kenya"
    assert country_name("de") == "Germany"
    with pytest.raises(UnknownPlaceError):
        country_name("QQ")
