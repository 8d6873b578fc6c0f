"""Transport lanes: modes, sea simplification, borders, GLEC intensities."""

from __future__ import annotations

import pytest

from fabnet.engine.logistics import TransportMode, TransportModel
from fabnet.errors import InputError

BERLIN = (52.52, 13.40)
MUNICH = (48.14, 11.58)
SHANGHAI = (31.23, 121.47)


def test_domestic_lane_offers_road_and_air_but_not_sea() -> None:
    model = TransportModel.default()
    options = model.lane(BERLIN, MUNICH, 1000.0, origin_country="DE", destination_country="DE")
    assert set(options) == {TransportMode.ROAD, TransportMode.AIR}
    road, air = options[TransportMode.ROAD], options[TransportMode.AIR]
    assert road.distance_km == pytest.approx(504 * 1.3, rel=0.02)  # great circle x detour
    assert road.co2e_kg == pytest.approx(75.0 * 1.0 * road.distance_km / 1000.0)
    assert air.co2e_kg > 5 * road.co2e_kg
    assert air.days < road.days
    assert not road.crosses_border and road.duty_pct == 0.0


def test_intercontinental_lane_offers_sea_which_is_cheapest_and_slowest() -> None:
    model = TransportModel.default(border_duty_pct=4.0)
    options = model.lane(
        SHANGHAI, BERLIN, 500.0, origin_country="CN", destination_country="DE", goods_value=10_000.0
    )
    sea = options[TransportMode.SEA]
    assert sea.cost < options[TransportMode.ROAD].cost
    assert sea.days > options[TransportMode.AIR].days
    assert sea.crosses_border and sea.duty_pct == 4.0
    # duty is 4 % of the goods value, on every mode
    assert options[TransportMode.AIR].cost - 0.0012 * 500 * options[
        TransportMode.AIR
    ].distance_km == pytest.approx(400.0, rel=1e-6)


def test_customs_union_has_no_border() -> None:
    model = TransportModel.default(border_duty_pct=5.0, border_days=3.0)
    assert not model.crosses_border("DE", "FR")
    assert model.crosses_border("DE", "CH")
    inside = model.lane(BERLIN, (48.86, 2.35), 10.0, origin_country="DE", destination_country="FR")[
        TransportMode.ROAD
    ]
    outside = model.lane(
        BERLIN, (47.37, 8.54), 10.0, origin_country="DE", destination_country="CH"
    )[TransportMode.ROAD]
    assert not inside.crosses_border and outside.crosses_border
    assert outside.days >= 3.0


def test_sources_are_cited_and_bad_parameters_refused() -> None:
    model = TransportModel.default()
    assert any("GLEC" in s for s in model.sources)
    assert any("ISO 14083" in s for s in model.sources)
    with pytest.raises(InputError, match="mass_kg"):
        model.lane(BERLIN, MUNICH, -1.0)
    with pytest.raises(InputError, match="border"):
        TransportModel.default(border_duty_pct=-1.0)
