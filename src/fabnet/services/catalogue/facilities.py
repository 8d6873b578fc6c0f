"""Facility use cases: import OKW records or the fablabs.io CSV, look up, list, export; a
manufacturer edits the records of the facilities its organisation runs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from sqlalchemy.orm import Session

from fabnet.domain.facility import Facility, FacilityProvenance, FacilityStatus
from fabnet.domain.identity import Principal, Scope
from fabnet.errors import InputError, NotFoundError
from fabnet.geo.countries import country_code
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


def list_facilities(
    db: Database,
    *,
    country: str | None = None,
    process: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[Facility]:
    """Facilities by id, filtered, ``limit`` at a time.

    ``country``: ISO 3166-1 alpha-2 code. ``process``: a process term (id, label or alias) that
    the facility or one of its machines offers. ``status``: Active, Planned, Closed, ...
    """
    check_limit(limit)
    after_id = decode_id_cursor(cursor)
    country_code = _check_country(country) if country is not None else None
    process_id = _resolve_process(process) if process is not None else None
    status_value = _check_status(status) if status is not None else None
    with db.read() as session:
        items = FacilityRepository(session).list(
            limit=limit + 1,
            after_id=after_id,
            country=country_code,
            process=process_id,
            status=status_value,
        )
    return page_by_id(items, limit, key=lambda facility: facility.id)


def count_facilities(db: Database) -> int:
    with db.read() as session:
        return FacilityRepository(session).count()


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
