"""What a match is asked for: quantity, where to deliver, and the constraints a buyer sets.

Every field of :class:`MatchRequest` is honoured by the matcher or refused here with an
:class:`~fabnet.errors.InputError`; nothing is accepted and then ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pycountry

from fabnet.domain.facility import AccessType, FacilityStatus
from fabnet.errors import InputError
from fabnet.vocab.certifications import normalise_certification

SOURCE = "match request"


@dataclass(frozen=True)
class DeliveryPoint:
    """A place the parts go to; distances and the radius are measured from it."""

    latitude: float
    longitude: float
    label: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90.0 <= self.latitude <= 90.0):
            raise InputError(
                f"latitude {self.latitude} is outside -90..90",
                source=SOURCE,
                field=f"delivery_points[{self.label or '?'}].latitude",
            )
        if not (math.isfinite(self.longitude) and -180.0 <= self.longitude <= 180.0):
            raise InputError(
                f"longitude {self.longitude} is outside -180..180",
                source=SOURCE,
                field=f"delivery_points[{self.label or '?'}].longitude",
            )


def _country(code: str, field_name: str) -> str:
    text = code.strip().upper()
    if len(text) != 2 or pycountry.countries.get(alpha_2=text) is None:
        raise InputError(
            f"{code!r} is not an ISO 3166-1 alpha-2 country code",
            source=SOURCE,
            field=field_name,
            hint="use two letters, e.g. DE, KE, US",
        )
    return text


@dataclass(frozen=True)
class MatchRequest:
    """Constraints of one match.

    - ``quantity``: finished products wanted; each part's quantity is this times its count in
      the bill of materials. Checked against batch size, used in cost and capacity headroom.
    - ``delivery_points``: distances are to the nearest point; ``radius_km`` keeps facilities
      within that distance of at least one point (a radius without points is refused).
    - ``countries`` (allowed; ``None`` = any) and ``excluded_countries``: ISO alpha-2 codes. A
      facility with no declared country passes neither an allow-list nor an exclusion.
    - ``required_certifications``: all must be held (normalised names, e.g. ``ISO 13485``).
    - ``statuses``: OKW facility statuses allowed (default: Active only).
    - ``access_types``: OKW access types allowed; ``None`` = any, including undeclared.
    - ``top_k``: candidates listed per part; ``near_miss_k``: near-misses listed per part.
    - ``include_synthetic``: when False, facilities with synthetic capability, material,
      certification, capacity or rate data are left out.
    - ``currency``: unit costs are compared in this ISO 4217 currency; a rate card in another
      currency gives an unknown cost (fabnet does not convert currencies).
    """

    quantity: int = 1
    delivery_points: tuple[DeliveryPoint, ...] = ()
    radius_km: float | None = None
    countries: frozenset[str] | None = None
    excluded_countries: frozenset[str] = frozenset()
    required_certifications: frozenset[str] = frozenset()
    statuses: frozenset[FacilityStatus] = frozenset({FacilityStatus.ACTIVE})
    access_types: frozenset[AccessType] | None = None
    top_k: int = 10
    near_miss_k: int = 3
    include_synthetic: bool = True
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise InputError("quantity must be a whole number", source=SOURCE, field="quantity")
        if self.quantity < 1:
            raise InputError(
                f"quantity must be at least 1, got {self.quantity}", source=SOURCE, field="quantity"
            )
        if self.radius_km is not None:
            if not math.isfinite(self.radius_km) or self.radius_km <= 0:
                raise InputError(
                    f"radius must be a positive number of km, got {self.radius_km}",
                    source=SOURCE,
                    field="radius_km",
                )
            if not self.delivery_points:
                raise InputError(
                    "a radius needs at least one delivery point to measure from",
                    source=SOURCE,
                    field="radius_km",
                    hint="give --near PLACE, or drop --radius-km",
                )
        if self.top_k < 1:
            raise InputError(
                f"top_k must be at least 1, got {self.top_k}", source=SOURCE, field="top_k"
            )
        if self.near_miss_k < 0:
            raise InputError(
                f"near_miss_k must be 0 or more, got {self.near_miss_k}",
                source=SOURCE,
                field="near_miss_k",
            )
        if not self.statuses:
            raise InputError("allow at least one facility status", source=SOURCE, field="statuses")
        for status in self.statuses:
            if not isinstance(status, FacilityStatus):
                raise InputError(
                    f"unknown facility status {status!r}", source=SOURCE, field="statuses"
                )
        if self.access_types is not None:
            if not self.access_types:
                raise InputError(
                    "an empty access-type list would exclude every facility; pass None for any",
                    source=SOURCE,
                    field="access_types",
                )
            for access in self.access_types:
                if not isinstance(access, AccessType):
                    raise InputError(
                        f"unknown access type {access!r}", source=SOURCE, field="access_types"
                    )
        allowed = (
            None
            if self.countries is None
            else frozenset(_country(c, "countries") for c in self.countries)
        )
        if allowed is not None and not allowed:
            raise InputError(
                "an empty country allow-list would exclude every facility; pass None for any",
                source=SOURCE,
                field="countries",
            )
        excluded = frozenset(_country(c, "excluded_countries") for c in self.excluded_countries)
        if allowed is not None and allowed <= excluded:
            raise InputError(
                "every allowed country is also excluded",
                source=SOURCE,
                field="excluded_countries",
            )
        currency = self.currency.strip().upper()
        if len(currency) != 3 or pycountry.currencies.get(alpha_3=currency) is None:
            raise InputError(
                f"{self.currency!r} is not an ISO 4217 currency code",
                source=SOURCE,
                field="currency",
            )
        object.__setattr__(self, "currency", currency)
        certs = frozenset(normalise_certification(c) for c in self.required_certifications)
        object.__setattr__(self, "countries", allowed)
        object.__setattr__(self, "excluded_countries", excluded)
        object.__setattr__(self, "required_certifications", certs)
        object.__setattr__(self, "delivery_points", tuple(self.delivery_points))
