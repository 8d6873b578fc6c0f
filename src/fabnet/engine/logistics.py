"""Transport lanes: distance, cost, transit days and CO2e per mode (road, sea, air).

Distances are great-circle distances times a per-mode detour factor. Each mode has a cost per
kg-km, a fixed cost per shipment, a door-to-door speed plus handling days, and a greenhouse-gas
intensity in g CO2e per tonne-km taken from the default-intensity tables of the GLEC Framework v3.0
(Smart Freight Centre, 2023), the industry implementation of ISO 14083:2023. The defaults live in
``fabnet/engine/data/transport_intensities.yaml`` with their sources; a deployment passes its own.

A border crossing (origin and destination in different countries that share no customs union)
adds a duty on the goods value (percent) and clearance days.

Sea freight needs coastal endpoints, which cannot be judged from coordinates alone. Simplification:
sea is offered only between different countries at least ``sea_min_distance_km`` apart.

Minimum charges: a carrier never bills a shipment below a minimum; below ``parcel_max_kg`` the
minimum is a parcel/courier one (``parcel_min_charge``), above it a pallet/LTL or cargo one
(``freight_min_charge``): ``cost = max(rate x kg x km, minimum) + fixed + duty``
(:func:`shipment_cost`).

Road legs only where a road network joins the two places: within one country, or between two
countries that share a regional road network of the ``road_networks`` table (countries joined by
paved cross-border trunk roads in practice: e.g. the East African Community's corridors, not
Senegal to Kenya, not Madagascar to the mainland). A place without a country is treated as
joined (the planner cannot judge it). See ``docs/logistics.md`` for the sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from fabnet.errors import InputError
from fabnet.geo.distance import haversine_km

_SOURCE = "transport model"


class TransportMode(StrEnum):
    ROAD = "road"
    SEA = "sea"
    AIR = "air"


@dataclass(frozen=True)
class ModeParameters:
    """Planning parameters of one transport mode."""

    mode: TransportMode
    cost_per_kg_km: float
    fixed_cost_per_shipment: float
    speed_km_per_day: float
    handling_days: float
    co2e_g_per_tkm: float
    detour_factor: float
    parcel_max_kg: float = 0.0
    """Shipments up to this mass pay at least ``parcel_min_charge``; heavier ones at least
    ``freight_min_charge``."""
    parcel_min_charge: float = 0.0
    freight_min_charge: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "cost_per_kg_km",
            "fixed_cost_per_shipment",
            "handling_days",
            "co2e_g_per_tkm",
            "parcel_max_kg",
            "parcel_min_charge",
            "freight_min_charge",
        ):
            if getattr(self, name) < 0:
                raise InputError(
                    "must not be negative", source=_SOURCE, field=f"modes.{self.mode}.{name}"
                )
        if self.speed_km_per_day <= 0:
            raise InputError(
                "must be positive", source=_SOURCE, field=f"modes.{self.mode}.speed_km_per_day"
            )
        if self.detour_factor < 1:
            raise InputError(
                "must be at least 1 (a route is never shorter than the great circle)",
                source=_SOURCE,
                field=f"modes.{self.mode}.detour_factor",
            )


@dataclass(frozen=True)
class LaneOption:
    """One way of moving ``mass_kg`` from an origin to a destination."""

    mode: TransportMode
    distance_km: float
    cost: float
    days: float
    co2e_kg: float
    duty_pct: float
    crosses_border: bool


@dataclass(frozen=True)
class TransportModel:
    """Modes, border rules and the sea-lane simplification."""

    modes: Mapping[TransportMode, ModeParameters]
    sea_min_distance_km: float = 3000.0
    border_duty_pct: float = 0.0
    border_days: float = 2.0
    customs_unions: tuple[frozenset[str], ...] = field(default_factory=tuple)
    sources: tuple[str, ...] = field(default_factory=tuple)
    road_networks: tuple[frozenset[str], ...] | None = None
    """Groups of countries a road network joins; None: road between any two places."""

    def __post_init__(self) -> None:
        if self.border_duty_pct < 0 or self.border_days < 0:
            raise InputError(
                "border duty and days must not be negative",
                source=_SOURCE,
                field="border_duty_pct/border_days",
            )

    @classmethod
    def default(cls, **overrides: Any) -> TransportModel:
        """The packaged defaults (GLEC v3 / ISO 14083 intensities), with keyword overrides."""
        text = resources.files("fabnet.engine").joinpath("data/transport_intensities.yaml")
        raw = yaml.safe_load(text.read_text(encoding="utf-8"))
        modes = {
            TransportMode(name): ModeParameters(mode=TransportMode(name), **values)
            for name, values in raw["modes"].items()
        }
        unions = tuple(frozenset(members) for members in raw.get("customs_unions", {}).values())
        roads = raw.get("road_networks")
        networks = (
            None
            if roads is None
            else tuple(frozenset(str(c).upper() for c in members) for members in roads.values())
        )
        kwargs: dict[str, Any] = {
            "modes": modes,
            "sea_min_distance_km": float(raw["sea_min_distance_km"]),
            "border_duty_pct": float(raw["border_duty_pct"]),
            "border_days": float(raw["border_days"]),
            "customs_unions": unions,
            "sources": tuple(raw.get("sources", ())),
            "road_networks": networks,
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    def crosses_border(self, origin_country: str | None, destination_country: str | None) -> bool:
        """True when goods clear customs between the two countries (unknown country: no)."""
        if not origin_country or not destination_country:
            return False
        a, b = origin_country.upper(), destination_country.upper()
        if a == b:
            return False
        return not any(a in union and b in union for union in self.customs_unions)

    def road_joined(self, origin_country: str | None, destination_country: str | None) -> bool:
        """True when a road network joins the two countries (the same country always does;
        an unknown country is given the benefit of the doubt)."""
        if self.road_networks is None or not origin_country or not destination_country:
            return True
        a, b = origin_country.upper(), destination_country.upper()
        return a == b or any(a in net and b in net for net in self.road_networks)

    def mode_allowed(
        self,
        mode: TransportMode,
        great_circle_km: float,
        origin_country: str | None,
        destination_country: str | None,
    ) -> bool:
        if mode is TransportMode.ROAD:
            return self.road_joined(origin_country, destination_country)
        if mode is not TransportMode.SEA:
            return True
        different = (origin_country or "").upper() != (destination_country or "").upper()
        return different and great_circle_km >= self.sea_min_distance_km

    def transit_days(
        self,
        p: ModeParameters,
        great_circle_km: float | NDArray[np.float64],
        crosses_border: bool | NDArray[np.bool_],
    ) -> NDArray[np.float64]:
        """Door-to-door days of one mode: handling, the road/sea/air distance at the mode's
        speed, and customs clearance where the lane crosses a border."""
        km = np.asarray(great_circle_km, dtype=np.float64) * p.detour_factor
        border = np.where(np.asarray(crosses_border, dtype=bool), self.border_days, 0.0)
        return np.asarray(p.handling_days + km / p.speed_km_per_day + border, dtype=np.float64)

    def fastest_days(
        self,
        origin: tuple[float, float],
        origin_country: str | None,
        destinations: Sequence[tuple[float, float, str | None]],
    ) -> NDArray[np.float64]:
        """The fewest door-to-door days of any allowed mode from ``origin`` to each of
        ``destinations`` (latitude, longitude, country); inf where no mode is allowed."""
        if not destinations:
            return np.zeros(0)
        lats = np.array([d[0] for d in destinations], dtype=np.float64)
        lons = np.array([d[1] for d in destinations], dtype=np.float64)
        gc = great_circle_km(origin[0], origin[1], lats, lons)
        border = np.array([self.crosses_border(origin_country, d[2]) for d in destinations])
        out = np.full(len(destinations), np.inf)
        for mode, p in self.modes.items():
            allowed = np.array(
                [
                    self.mode_allowed(mode, float(km), origin_country, d[2])
                    for km, d in zip(gc, destinations, strict=True)
                ]
            )
            out = np.where(allowed, np.minimum(out, self.transit_days(p, gc, border)), out)
        return out

    def lane(
        self,
        origin: tuple[float, float],
        destination: tuple[float, float],
        mass_kg: float,
        *,
        origin_country: str | None = None,
        destination_country: str | None = None,
        goods_value: float = 0.0,
    ) -> dict[TransportMode, LaneOption]:
        """Options per allowed mode for one shipment of ``mass_kg`` between two (lat, lon)."""
        if mass_kg < 0:
            raise InputError("must not be negative", source=_SOURCE, field="mass_kg")
        gc = float(great_circle_km(origin[0], origin[1], destination[0], destination[1]))
        border = self.crosses_border(origin_country, destination_country)
        duty_pct = self.border_duty_pct if border else 0.0
        options: dict[TransportMode, LaneOption] = {}
        for mode, p in self.modes.items():
            if not self.mode_allowed(mode, gc, origin_country, destination_country):
                continue
            km = gc * p.detour_factor
            days = float(self.transit_days(p, gc, border))
            cost = float(shipment_cost(p, mass_kg, km)) + goods_value * duty_pct / 100.0
            options[mode] = LaneOption(
                mode=mode,
                distance_km=km,
                cost=cost,
                days=days,
                co2e_kg=p.co2e_g_per_tkm * (mass_kg / 1000.0) * km / 1000.0,
                duty_pct=duty_pct,
                crosses_border=border,
            )
        return options


def shipment_cost(
    p: ModeParameters, mass_kg: float | NDArray[np.float64], km: float | NDArray[np.float64]
) -> NDArray[np.float64]:
    """Freight of one shipment without duty: the distance rate, never below the minimum charge
    of its weight class (parcel up to ``parcel_max_kg``, freight above), plus the fixed cost."""
    mass = np.asarray(mass_kg, dtype=np.float64)
    minimum = np.where(mass <= p.parcel_max_kg, p.parcel_min_charge, p.freight_min_charge)
    minimum = np.where(mass > 0, minimum, 0.0)
    rate = p.cost_per_kg_km * mass * np.asarray(km, dtype=np.float64)
    return np.asarray(np.maximum(rate, minimum) + p.fixed_cost_per_shipment, dtype=np.float64)


def great_circle_km(
    lat1: float | NDArray[np.float64],
    lon1: float | NDArray[np.float64],
    lat2: float | NDArray[np.float64],
    lon2: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    """Great-circle distance in km (delegates to ``fabnet.geo.distance.haversine_km``)."""
    return np.asarray(haversine_km(lat1, lon1, lat2, lon2), dtype=np.float64)
