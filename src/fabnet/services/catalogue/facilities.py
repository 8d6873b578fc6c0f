"""Facility use cases: import OKW records or the fablabs.io CSV, look up, list, export; a
manufacturer edits the records of the facilities its organisation runs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

import yaml
from sqlalchemy.orm import Session

from fabnet.domain.common import Provenance
from fabnet.domain.facility import Facility, FacilityProvenance, FacilityStatus
from fabnet.domain.identity import Principal, Scope
from fabnet.errors import InputError, NotFoundError
from fabnet.geo.countries import country_code
from fabnet.geo.distance import haversine_km
from fabnet.geo.gazetteer import Place, locate
from fabnet.services.catalogue.records import (
    ImportProgress,
    ImportTally,
    ProgressCallback,
    RefusedFile,
    expand_paths,
    resolve_id,
)
from fabnet.services.platform.pagination import (
    DEFAULT_LIMIT,
    Page,
    check_limit,
    decode_id_cursor,
    page_by_id,
)
from fabnet.standards.fablabs import load_fablabs_csv
from fabnet.standards.okw import dump_facility_okw, load_facilities, parse_facilities
from fabnet.standards.report import ImportResult
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import OrganisationRow
from fabnet.vocab.certifications import is_known_certification, normalise_certification
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

FacilityFormat = Literal["okw", "fablabs"]
ExportFormat = Literal["yaml", "json"]
FACILITY_SUFFIXES = frozenset({".csv", ".json", ".yml", ".yaml"})
LIST_COMMAND = "fabnet facilities list"
_OKW_SUFFIXES = frozenset({".json", ".yml", ".yaml"})


def import_facilities(
    db: Database,
    paths: Iterable[Path],
    *,
    fmt: FacilityFormat | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportTally:
    """Import facilities from OKW files (YAML/JSON) or fablabs.io CSV exports.

    ``fmt=None`` tells the format by the file suffix (``.csv`` is fablabs). Each file is stored in
    one transaction (a bulk upsert): a refused file is counted with its message and writes nothing;
    importing the same file again changes nothing.
    """
    if fmt not in (None, "okw", "fablabs"):
        raise InputError(
            f"unknown facility format {fmt!r}", field="format", hint="use okw or fablabs"
        )
    tally = ImportTally()
    files = expand_paths(paths, FACILITY_SUFFIXES, tally)
    for done, path in enumerate(files, start=1):
        tally.files_read += 1
        try:
            result = _load(path, fmt)
            with db.transaction() as session:
                counts = FacilityRepository(session).bulk_upsert(result.value)
        except InputError as exc:
            tally.refused.append(RefusedFile(str(path), str(exc)))
        else:
            tally.created.extend(counts.created)
            tally.updated.extend(counts.updated)
            tally.unchanged.extend(counts.unchanged)
            tally.warnings.extend(result.warnings)
        if on_progress is not None:
            on_progress(ImportProgress(done, len(files), str(path)))
    return tally


def _load(path: Path, fmt: FacilityFormat | None) -> ImportResult[list[Facility]]:
    suffix = path.suffix.casefold()
    if fmt is None:
        if suffix == ".csv":
            fmt = "fablabs"
        elif suffix in _OKW_SUFFIXES:
            fmt = "okw"
        else:
            raise InputError(
                f"cannot tell the format from the suffix {suffix or '(none)'!r}",
                source=str(path),
                hint="pass --format okw or --format fablabs",
            )
    return load_fablabs_csv(path) if fmt == "fablabs" else load_facilities(path)


def get_facility(db: Database, id_or_prefix: str) -> Facility:
    """The facility with this id, or the one facility whose id starts with it."""
    with db.read() as session:
        repo = FacilityRepository(session)
        facility_id = resolve_id(
            "facility",
            id_or_prefix,
            exists=repo.exists,
            find_by_prefix=repo.find_by_prefix,
            list_command=LIST_COMMAND,
        )
        facility = repo.get(facility_id)
    assert facility is not None
    return facility


@dataclass(frozen=True)
class FacilityFilters:
    """A facility search, checked: vocabulary ids, a country code, a located place and radius."""

    country: str | None = None
    process: str | None = None
    material: str | None = None
    certification: str | None = None
    status: FacilityStatus | None = None
    near: Place | None = None
    radius_km: float | None = None

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.country, self.process, self.material, self.certification, self.status)
        ) or (self.near is not None)


DEFAULT_RADIUS_KM = 100.0
MAX_RADIUS_KM = 20_000.0


def facility_filters(
    *,
    country: str | None = None,
    process: str | None = None,
    material: str | None = None,
    certification: str | None = None,
    status: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
) -> FacilityFilters:
    """Check a facility search: every unknown value is an InputError naming its field.

    ``country``: ISO 3166-1 alpha-2 code. ``process``: a process term (id, label or alias) that
    the facility or one of its machines offers. ``material``: a material term the facility
    declares. ``certification``: a known certification however written ("iso9001").
    ``status``: Active, Planned, Closed, ... ``near``: a place (gazetteer name or coordinates);
    ``radius_km`` around it (default 100 km).
    """
    if radius_km is not None and near is None:
        raise InputError(
            "a radius needs a place to measure from", field="near", hint="give a town, e.g. Nairobi"
        )
    place = _locate_near(near) if near is not None else None
    radius = None
    if place is not None:
        radius = DEFAULT_RADIUS_KM if radius_km is None else radius_km
        if not 0 < radius <= MAX_RADIUS_KM:
            raise InputError(
                f"radius {radius:g} km is out of range",
                field="radius_km",
                hint=f"give more than 0 and at most {MAX_RADIUS_KM:g} km",
            )
    return FacilityFilters(
        country=_check_country(country) if country is not None else None,
        process=_resolve_process(process) if process is not None else None,
        material=_resolve_material(material) if material is not None else None,
        certification=_check_certification(certification) if certification is not None else None,
        status=_check_status(status) if status is not None else None,
        near=place,
        radius_km=radius,
    )


def list_facilities(
    db: Database,
    *,
    country: str | None = None,
    process: str | None = None,
    status: str | None = None,
    material: str | None = None,
    certification: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[Facility]:
    """Facilities by id, filtered (see :func:`facility_filters`), ``limit`` at a time."""
    check_limit(limit)
    after_id = decode_id_cursor(cursor)
    filters = facility_filters(
        country=country,
        process=process,
        material=material,
        certification=certification,
        status=status,
        near=near,
        radius_km=radius_km,
    )
    with db.read() as session:
        repo = FacilityRepository(session)
        items = repo.list(limit=limit + 1, after_id=after_id, **_query(repo, filters))
    return page_by_id(items, limit, key=lambda facility: facility.id)


@dataclass(frozen=True)
class FacilityPoint:
    """A facility on a map: where it is, and whether that place is only approximate."""

    id: str
    name: str
    latitude: float
    longitude: float
    city: str | None
    country: str | None
    approximate: bool
    distance_km: float | None = None


@dataclass(frozen=True)
class FacilityMap:
    """The facilities a search finds, for a map: ``total`` found, ``points`` of those with
    coordinates (by id), ``unlocated`` the rest (their records give no coordinates)."""

    filters: FacilityFilters
    total: int
    points: tuple[FacilityPoint, ...]

    @property
    def unlocated(self) -> int:
        return self.total - len(self.points)


def map_facilities(
    db: Database,
    *,
    country: str | None = None,
    process: str | None = None,
    status: str | None = None,
    material: str | None = None,
    certification: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
) -> FacilityMap:
    """Every facility the search of :func:`list_facilities` finds, as points for a map (one
    query, no paging: the whole registry fits one answer)."""
    filters = facility_filters(
        country=country,
        process=process,
        material=material,
        certification=certification,
        status=status,
        near=near,
        radius_km=radius_km,
    )
    with db.read() as session:
        rows = FacilityRepository(session).points(**_query_without_radius(filters))
    total = len(rows)
    located = [r for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    distances: list[float | None] = [None] * len(located)
    if filters.near is not None and filters.radius_km is not None:
        km = _distances(filters.near, located)
        keep = [i for i, d in enumerate(km) if d <= filters.radius_km]
        located = [located[i] for i in keep]
        distances = [round(float(km[i]), 1) for i in keep]
        total = len(located)  # a facility without coordinates is in no radius
    points = tuple(_point(r, d) for r, d in zip(located, distances, strict=True))
    return FacilityMap(filters=filters, total=total, points=points)


def facility_names(db: Database, facility_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Each facility's name by id (its id when it has no name or is not in the registry), or
    with None every facility's, in id order: for a page that names facilities without their
    records (an order's lots, the operator's onboarding list)."""
    with db.read() as session:
        found = FacilityRepository(session).names(facility_ids)
    ids = list(found) if facility_ids is None else facility_ids
    return {fid: found.get(fid) or fid for fid in ids}


def locate_facilities(db: Database, facility_ids: Sequence[str]) -> dict[str, FacilityPoint]:
    """Where these facilities are (those with coordinates), by id: for a map of an order."""
    if not facility_ids:
        return {}
    with db.read() as session:
        rows = FacilityRepository(session).points(among=sorted(set(facility_ids)))
    return {
        r["id"]: _point(r, None)
        for r in rows
        if r["latitude"] is not None and r["longitude"] is not None
    }


def _point(row: dict[str, Any], distance_km: float | None) -> FacilityPoint:
    return FacilityPoint(
        id=row["id"],
        name=row["name"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        city=row["city"],
        country=row["country"],
        approximate=row["location_provenance"] == Provenance.APPROXIMATE.value,
        distance_km=distance_km,
    )


def count_facilities(db: Database) -> int:
    with db.read() as session:
        return FacilityRepository(session).count()


class _Query(TypedDict, total=False):
    country: str | None
    process: str | None
    status: FacilityStatus | None
    material: str | None
    certification: str | None
    among: Sequence[str] | None


def _query_without_radius(filters: FacilityFilters) -> _Query:
    return {
        "country": filters.country,
        "process": filters.process,
        "status": filters.status,
        "material": filters.material,
        "certification": filters.certification,
    }


def _query(repo: FacilityRepository, filters: FacilityFilters) -> _Query:
    """The repository's filter arguments; a radius becomes the ids of the facilities in it."""
    query = _query_without_radius(filters)
    if filters.near is not None and filters.radius_km is not None:
        rows = [
            r
            for r in repo.points(**query)
            if r["latitude"] is not None and r["longitude"] is not None
        ]
        km = _distances(filters.near, rows)
        query["among"] = [r["id"] for r, d in zip(rows, km, strict=True) if d <= filters.radius_km]
    return query


def _distances(place: Place, rows: Sequence[dict[str, Any]]) -> list[float]:
    if not rows:
        return []
    lats = [float(r["latitude"]) for r in rows]
    lons = [float(r["longitude"]) for r in rows]
    return [float(d) for d in haversine_km(place.latitude, place.longitude, lats, lons)]


def _locate_near(text: str) -> Place:
    if not text.strip():
        raise InputError("empty place", field="near", hint="give a town or coordinates")
    try:
        return locate(text)
    except InputError as error:
        raise InputError(error.message, field="near", hint=error.hint) from error


def _resolve_material(term: str) -> str:
    vocabulary = get_material_vocabulary()
    material_id = vocabulary.resolve(term)
    if material_id is None:
        raise vocabulary.unknown(term, field="material")
    return material_id


def _check_certification(text: str) -> str:
    code = normalise_certification(text)
    if not code or not is_known_certification(code):
        raise InputError(
            f"unknown certification {text!r}",
            field="certification",
            hint="e.g. ISO 9001, ISO 13485, CE",
        )
    return code


def export_facility(db: Database, id_or_prefix: str, fmt: ExportFormat | str = "yaml") -> str:
    """The facility as an Open Know-Where record: ``yaml`` or ``json``."""
    if fmt not in ("yaml", "json"):
        raise InputError(f"unknown export format {fmt!r}", field="format", hint="use yaml or json")
    record = dump_facility_okw(get_facility(db, id_or_prefix))
    if fmt == "json":
        return json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(record, sort_keys=False, allow_unicode=True)


def _check_country(country: str) -> str:
    code = country.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InputError(
            f"{country!r} is not a country code",
            field="country",
            hint="use the ISO 3166-1 alpha-2 code, e.g. BE or KE",
        )
    return country_code(code)  # an unassigned code (XX) is refused, not an empty page


def _resolve_process(term: str) -> str:
    taxonomy = get_process_taxonomy()
    process_id = taxonomy.resolve(term)
    if process_id is None:
        raise taxonomy.unknown(term, field="process")
    return process_id


def _check_status(status: str) -> FacilityStatus:
    for option in FacilityStatus:
        if option.value.casefold() == status.strip().casefold() or option.name.casefold() == (
            status.strip().casefold().replace(" ", "_")
        ):
            return option
    choices = ", ".join(s.value for s in FacilityStatus)
    raise InputError(f"unknown status {status!r}", field="status", hint=f"use one of: {choices}")


# --- a manufacturer's own facility records (issue 13) --------------------------------------------


def _org_facility_ids(session: Session, actor: Principal) -> set[str]:
    org = session.get(OrganisationRow, actor.org_id)
    return set(org.facility_ids or ()) if org is not None else set()


def my_facilities(db: Database, actor: Principal) -> list[Facility]:
    """The facilities the actor's organisation runs (its ``facility_ids``), by name."""
    with db.read() as session:
        ids = sorted(_org_facility_ids(session, actor))
        found = FacilityRepository(session).get_many(ids)
    return sorted(found, key=lambda f: (f.name.lower(), f.id))


def get_own_facility(db: Database, actor: Principal | None, facility_id: str) -> Facility:
    """A facility the actor's organisation runs (any, for a platform admin or the operator);
    another organisation's facility is NotFoundError, as if it did not exist."""
    hidden = NotFoundError(
        f"no facility of yours with id {facility_id}",
        hint="your organisation's facilities are listed under My facility",
    )
    with db.read() as session:
        if actor is not None and not actor.is_platform_admin:
            actor.require(Scope.WRITE)
            if facility_id not in _org_facility_ids(session, actor):
                raise hidden
        facility = FacilityRepository(session).get(facility_id)
    if facility is None:
        raise hidden
    return facility


def parse_facility_record(text: str, facility_id: str) -> Facility:
    """One OKW record (YAML or JSON, with the ``x-fabnet`` extension: rate card, capacity, lead
    times) as the facility ``facility_id``: the record keeps its id."""
    if not text.strip():
        raise InputError("the record is empty", field="record")
    stripped = text.lstrip()
    fmt: Literal["yaml", "json"] = "json" if stripped.startswith(("{", "[")) else "yaml"
    result = parse_facilities(text, source="the record", fmt=fmt)
    if len(result.value) != 1:
        raise InputError(f"expected one facility record, found {len(result.value)}", field="record")
    [facility] = result.value
    if facility.id != facility_id:
        raise InputError(
            f"the record's id is {facility.id!r}, not {facility_id!r}",
            field="record",
            hint="keep the id: it is how orders and matching know the facility",
        )
    return facility


def update_facility(db: Database, actor: Principal | None, facility: Facility) -> Facility:
    """Replace the record of a facility the actor's organisation runs (the operator and
    platform admins: any). What the organisation writes is declared."""
    get_own_facility(db, actor, facility.id)
    declared = facility.model_copy(update={"provenance": FacilityProvenance()})
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(declared)
    return get_facility(db, facility.id)
