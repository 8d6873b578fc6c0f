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
    assert TransportMode.ROAD not in options  # no road network joins China and Germany
    assert sea.cost < options[TransportMode.AIR].cost
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


DAKAR = (14.69, -17.44)
KISUMU = (-0.09, 34.77)
NAIROBI = (-1.29, 36.82)
KAMPALA = (0.35, 32.58)
ANTANANARIVO = (-18.88, 47.51)


@pytest.mark.parametrize(
    ("origin", "country", "destination", "destination_country", "road"),
    [
        (NAIROBI, "KE", KISUMU, "KE", True),  # domestic
        (KAMPALA, "UG", KISUMU, "KE", True),  # the East African Community's Northern Corridor
        (DAKAR, "SN", KISUMU, "KE", False),  # across the continent: no road network joins them
        (ANTANANARIVO, "MG", NAIROBI, "KE", False),  # an island
        (BERLIN, "DE", (47.37, 8.54), "CH", True),  # the European road network
    ],
)
def test_road_only_where_a_road_network_joins_the_places(
    origin: tuple[float, float],
    country: str,
    destination: tuple[float, float],
    destination_country: str,
    road: bool,
) -> None:
    options = TransportModel.default().lane(
        origin, destination, 50.0, origin_country=country, destination_country=destination_country
    )
    assert (TransportMode.ROAD in options) is road
    assert TransportMode.AIR in options  # air always flies


def test_a_shipment_pays_at_least_the_minimum_charge_of_its_weight_class() -> None:
    model = TransportModel.default()
    road = model.modes[TransportMode.ROAD]

    def cost(kg: float) -> float:
        return model.lane(BERLIN, MUNICH, kg, origin_country="DE", destination_country="DE")[
            TransportMode.ROAD
        ].cost

    # a 1 kg parcel pays the courier minimum, not 1 kg x 655 km x rate (8 cents)
    assert cost(1.0) == pytest.approx(road.parcel_min_charge)
    assert cost(road.parcel_max_kg) == pytest.approx(road.parcel_min_charge)
    # just above the parcel limit: a pallet/LTL minimum
    assert cost(road.parcel_max_kg + 1) == pytest.approx(road.freight_min_charge)
    # a full load pays the distance rate, above every minimum
    heavy = cost(10_000.0)
    km = model.lane(BERLIN, MUNICH, 1.0)[TransportMode.ROAD].distance_km
    assert heavy == pytest.approx(road.cost_per_kg_km * 10_000 * km)
    assert heavy > road.freight_min_charge
    assert cost(0.0) == 0.0


def test_the_planner_prices_minimum_charges_and_sends_no_truck_across_africa() -> None:
    """A Dakar maker and a Nairobi maker can both make a part for Kisumu: the Dakar leg flies
    (no road joins them), and each leg's freight per unit spreads the shipment's minimum charge
    over the delivery point's demand."""
    import numpy as np

    from fabnet.engine.planning import (
        Candidate,
        DeliveryPoint,
        Facility,
        Part,
        PlanningProblem,
        Product,
    )
    from fabnet.engine.planning.network import MODES, compile_network

    problem = PlanningProblem(
        products=(Product("clip", (("clip", 1.0),)),),
        parts=(Part("clip", 0.01),),
        facilities=(Facility("dakar", *DAKAR, "SN"), Facility("nairobi", *NAIROBI, "KE")),
        candidates=(
            Candidate("clip", "dakar", unit_cost=0.1, capacity=1000),
            Candidate("clip", "nairobi", unit_cost=0.2, capacity=1000),
        ),
        delivery_points=(DeliveryPoint("kisumu", *KISUMU, (("clip", 40.0),), None, "KE"),),
        transport=TransportModel.default(),
    )
    net = compile_network(problem)
    legs = net.delivery
    modes = {
        (int(net.cand.facility[o]), MODES[int(m)])
        for o, m in zip(legs.origin, legs.mode, strict=True)
    }
    assert (0, TransportMode.ROAD) not in modes and (0, TransportMode.AIR) in modes
    assert (1, TransportMode.ROAD) in modes
    road = np.flatnonzero(legs.mode == MODES.index(TransportMode.ROAD))[0]
    # 40 clips of 10 g: a 0.4 kg parcel, billed the courier minimum, 1/40 of it per clip
    minimum = problem.transport.modes[TransportMode.ROAD].parcel_min_charge  # type: ignore[union-attr]
    assert legs.transport_per_unit[road] == pytest.approx(minimum / 40)


def test_fastest_days_is_the_quickest_allowed_lane_to_each_destination() -> None:
    """Candidate pruning asks how soon a facility's goods can arrive; the answer must be the
    lane's own days (same modes, borders and sea rule), not a second formula."""
    model = TransportModel.default()
    nairobi = (-1.29, 36.82)
    destinations = [(*MUNICH, "DE"), (*SHANGHAI, "CN"), (*nairobi, "KE")]
    fastest = model.fastest_days(BERLIN, "DE", destinations)
    for (lat, lon, country), days in zip(destinations, fastest, strict=True):
        options = model.lane(
            BERLIN, (lat, lon), 1.0, origin_country="DE", destination_country=country
        )
        assert days == pytest.approx(min(o.days for o in options.values()))
    # a border adds its clearance days: Berlin -> Shanghai is slower than the same distance
    # would be without customs
    no_border = TransportModel.default(border_days=0.0)
    assert fastest[1] == pytest.approx(
        no_border.fastest_days(BERLIN, "DE", destinations)[1] + model.border_days
    )
    assert model.fastest_days(BERLIN, "DE", []).shape == (0,)
