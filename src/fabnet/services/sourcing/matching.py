"""Matching use cases: match a design, explain a non-match, and the reverse (what a facility
can make). Every adapter (CLI, API, web) calls these functions.

The facility index is built once per registry version and kept in a module-level cache keyed
by (database URL, registry version): any import or change of a facility or design bumps the
version, and the next match rebuilds the index from ``FacilityRepository.all_facilities()``.
Every process shares the built index: its arrays (not the facility objects) are written to the
cache folder (``FABNET_CACHE_DIR``/matching, one file per database, named by the registry state
of :func:`fabnet.storage.registry.facilities_fingerprint`), and a process that finds the file
reads it instead of loading every facility; a match then loads only the facilities it lists.

Unit costs and units per week use each part's machine hours quoted from its geometry
(:func:`fabnet.services.sourcing.quoting.part_process_times`) for rates that declare no units
per hour.
Quoting slices FDM parts with PrusaSlicer on first use (cached in the database), so the first
match of a design can take seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fabnet.domain.design import Design
from fabnet.domain.facility import AccessType, Facility, FacilityStatus
from fabnet.engine.matching import (
    CriterionResult,
    DeliveryPoint,
    DesignCoverage,
    FacilityIndex,
    MatchRequest,
    MatchResult,
    QuotedHours,
    match_design,
    reverse_match,
    why_not,
)
from fabnet.geo._store import cache_dir
from fabnet.geo.countries import country_code
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.catalogue.facilities import get_facility
from fabnet.services.catalogue.places import locate_place
from fabnet.services.catalogue.records import check_quantity
from fabnet.services.sourcing.quoting import part_process_times
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.registry import facilities_fingerprint, registry_version

log = logging.getLogger(__name__)

_CACHE: dict[str, tuple[int, FacilityIndex]] = {}
_LOCK = threading.Lock()

INDEX_FORMAT = 3
"""Bump when the index's arrays change meaning: files of another format are not read."""

index_folder: Path | None = None
"""Where built indexes are kept (None: ``FABNET_CACHE_DIR``/matching); tests point it elsewhere."""


@dataclass(frozen=True)
class MatchParams:
    """What a user can ask of a match, as adapters receive it (places by name)."""

    quantity: int = 1
    near: tuple[str, ...] = ()
    radius_km: float | None = None
    countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    top_k: int = 10
    statuses: tuple[FacilityStatus, ...] = (FacilityStatus.ACTIVE,)
    access_types: tuple[AccessType, ...] | None = None
    include_synthetic: bool = True
    currency: str = "EUR"


def build_request(params: MatchParams) -> MatchRequest:
    """Places resolved with the gazetteer; everything else validated by MatchRequest."""
    check_quantity(params.quantity)
    points = tuple(_delivery_point(text) for text in params.near)
    return MatchRequest(
        quantity=params.quantity,
        delivery_points=points,
        radius_km=params.radius_km,
        countries=frozenset(map(country_code, params.countries)) if params.countries else None,
        excluded_countries=frozenset(map(country_code, params.exclude_countries)),
        required_certifications=frozenset(params.certifications),
        statuses=frozenset(params.statuses),
        access_types=frozenset(params.access_types) if params.access_types is not None else None,
        top_k=params.top_k,
        include_synthetic=params.include_synthetic,
        currency=params.currency,
    )


def _delivery_point(text: str) -> DeliveryPoint:
    place = locate_place(text)
    return DeliveryPoint(place.latitude, place.longitude, f"{place.name}, {place.country}")


def facility_index(db: Database) -> FacilityIndex:
    """The index of every facility in ``db``, rebuilt only when the registry version changed:
    kept in this process, and read from the file another process wrote when there is one."""
    with db.read() as session:
        version = registry_version(session)
        key = db.url_text
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        fingerprint = facilities_fingerprint(session)
    path = _index_path(db, fingerprint)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        index = _read_index(db, path)
        if index is None:
            with db.read() as session:
                index = FacilityIndex.build(FacilityRepository(session).all_facilities())
            _write_index(index, path)
        _CACHE[key] = (version, index)
        return index


def _index_path(db: Database, fingerprint: str) -> Path:
    folder = index_folder if index_folder is not None else cache_dir() / "matching"
    database = hashlib.sha256(db.url_text.encode()).hexdigest()[:16]
    state = hashlib.sha256(f"{INDEX_FORMAT}|{fingerprint}".encode()).hexdigest()[:16]
    return folder / f"index-{database}-{state}.npz"


def _read_index(db: Database, path: Path) -> FacilityIndex | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    except (OSError, ValueError, KeyError) as exc:  # a damaged file is rebuilt
        log.warning("matching index %s unreadable (%s); rebuilding it", path, exc)
        return None

    def load(ids: Sequence[str]) -> Sequence[Facility]:
        with db.read() as session:
            return FacilityRepository(session).get_many(ids)

    return FacilityIndex.from_arrays(arrays, meta, load)


def _write_index(index: FacilityIndex, path: Path) -> None:
    """Write the index's arrays next to the others of its database (replacing them), atomically:
    a process reading meanwhile sees the old file or the new one, never half of one."""
    arrays, meta = index.to_arrays()
    stored: dict[str, Any] = dict(arrays)
    stored["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}-{uuid.uuid4().hex}.npz")
        with partial.open("wb") as out:
            np.savez(out, **stored)
        os.replace(partial, path)
        prefix = path.name.rsplit("-", 1)[0]
        for old in path.parent.glob(f"{prefix}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only cache folder costs speed, not answers
        log.warning("matching index not written to %s: %s", path, exc)


def quoted_hours_for(db: Database, design: Design) -> QuotedHours:
    """Machine hours per unit of every part and assembly step of ``design``, by process, from
    its geometry (item id -> process id -> hours)."""
    return {
        item: {process: time.hours_per_unit for process, time in by_process.items()}
        for item, by_process in part_process_times(db, design).items()
    }


def match(db: Database, design_ref: str, params: MatchParams | None = None) -> MatchResult:
    """Candidates, near-misses and uncovered parts for every part of a design."""
    request = build_request(params or MatchParams())
    design = resolve_design(db, design_ref)
    index = facility_index(db)
    return match_design(index, design, request, hours=quoted_hours_for(db, design))


def explain_non_match(
    db: Database,
    design_ref: str,
    part: str,
    facility_ref: str,
    params: MatchParams | None = None,
) -> list[CriterionResult]:
    """Every criterion for one (part, facility), met or not, with its reason."""
    request = build_request(params or MatchParams())
    design = resolve_design(db, design_ref)
    facility = get_facility(db, facility_ref)
    index = facility_index(db)
    return why_not(index, design, part, facility.id, request, hours=quoted_hours_for(db, design))


def designs_for_facility(
    db: Database, facility_ref: str, *, quantity: int = 1
) -> list[DesignCoverage]:
    """Reverse match: the library's designs that the facility can make, wholly or in part, with
    each makeable part's unit cost there (quoted hours are computed only for those designs)."""
    check_quantity(quantity)
    facility = get_facility(db, facility_ref)
    with db.read() as session:
        designs: Sequence[Design] = DesignRepository(session).all_designs()
    covered = {c.design_id for c in reverse_match(facility, designs, quantity)}
    makeable = [d for d in designs if d.id in covered]
    hours = {d.id: quoted_hours_for(db, d) for d in makeable}
    return reverse_match(facility, makeable, quantity, hours=hours)
