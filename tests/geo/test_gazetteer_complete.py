"""Completing a place name as the user types (the order wizard's suggestion list)."""

from __future__ import annotations

from fabnet.geo._text import place_key
from fabnet.geo.gazetteer import get_gazetteer


def test_completion_by_prefix_with_qualifiers_own_names_first() -> None:
    gazetteer = get_gazetteer()
    nai = gazetteer.complete("Nai")
    assert nai[0].name == "Nairobi" and nai[0].country == "KE"
    # Places whose own name starts with the letters come before alternate-name matches.
    own = [place_key(p.name).startswith("nai") for p in nai]
    assert own == sorted(own, reverse=True)
    kenya = gazetteer.complete("kis, KE", limit=5)
    assert kenya and all(p.country == "KE" for p in kenya)
    assert kenya[0].name == "Kisumu"
    populations = [p.population for p in kenya]
    assert populations == sorted(populations, reverse=True)
    illinois = gazetteer.complete("Springf, Illinois")
    assert [p.admin1 for p in illinois] == ["Illinois"] * len(illinois) and illinois
    assert gazetteer.complete("Na") == []  # too short to suggest anything
    assert gazetteer.complete("Nai, Qqqland") == []  # an unknown qualifier holds for nobody
    assert len(gazetteer.complete("San", limit=4)) == 4
