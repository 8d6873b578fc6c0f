"""Every accepted parameter is honoured, or refused with a clear InputError."""

from __future__ import annotations

import pytest

from fabnet.engine.matching import DeliveryPoint, MatchRequest
from fabnet.errors import InputError

POINT = DeliveryPoint(1.0, 2.0, "x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius_km": 50}, "a radius needs at least one delivery point"),
        ({"radius_km": 0, "delivery_points": (POINT,)}, "radius must be a positive number"),
        ({"radius_km": -5, "delivery_points": (POINT,)}, "radius must be a positive number"),
        ({"radius_km": float("nan"), "delivery_points": (POINT,)}, "radius must be a positive"),
        ({"top_k": 0}, "top_k must be at least 1"),
        ({"quantity": 0}, "quantity must be at least 1"),
        ({"quantity": 2.5}, "quantity must be a whole number"),
        ({"countries": frozenset({"XX"})}, "'XX' is not an ISO 3166-1 alpha-2"),
        ({"excluded_countries": frozenset({"Germany"})}, "'Germany' is not an ISO 3166-1"),
        ({"countries": frozenset()}, "empty country allow-list"),
        (
            {"countries": frozenset({"DE"}), "excluded_countries": frozenset({"DE"})},
            "also excluded",
        ),
        ({"statuses": frozenset()}, "at least one facility status"),
        ({"access_types": frozenset()}, "empty access-type list"),
        ({"currency": "EURO"}, "not an ISO 4217"),
        ({"near_miss_k": -1}, "near_miss_k must be 0 or more"),
    ],
)
def test_invalid_parameters_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        MatchRequest(**kwargs)  # type: ignore[arg-type]
    assert info.value.source == "match request"


def test_delivery_point_coordinates_are_checked() -> None:
    with pytest.raises(InputError, match="latitude 91"):
        DeliveryPoint(91.0, 0.0, "north of the pole")
    with pytest.raises(InputError, match="longitude -181"):
        DeliveryPoint(0.0, -181.0)


def test_codes_and_certifications_are_normalised() -> None:
    request = MatchRequest(
        countries=frozenset({"de", " fr"}),
        excluded_countries=frozenset({"us"}),
        required_certifications=frozenset({"iso13485", "EN ISO 9001"}),
        currency="usd",
    )
    assert request.countries == frozenset({"DE", "FR"})
    assert request.excluded_countries == frozenset({"US"})
    assert request.required_certifications == frozenset({"ISO 13485", "ISO 9001"})
    assert request.currency == "USD"
