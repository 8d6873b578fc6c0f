"""The fablabs.io directory snapshot (CSV) as facilities.

Columns: ``fablabs_id, name, kind, url, city, region, postal_code, country_code, latitude,
longitude, capabilities, activity_status``. Each row becomes a Facility with id
``stable_id("fablabs", fablabs_id)``; identity, location and capabilities are marked IMPORTED
and ``source`` is the lab's directory URL. ``activity_status`` maps as: active -> Active,
planned -> Planned, closed -> Closed, corona -> Temporary Closure, empty -> Active (the lab is
listed and not marked otherwise; one summary warning counts these rows).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import ValidationError

from fabnet.domain.common import Location, Provenance, stable_id
from fabnet.domain.facility import Facility, FacilityProvenance, FacilityStatus
from fabnet.errors import ManifestError
from fabnet.standards.report import ImportResult, WarningLog
from fabnet.standards.terms import Terms

COLUMNS = (
    "fablabs_id",
    "name",
    "kind",
    "url",
    "city",
    "region",
    "postal_code",
    "country_code",
    "latitude",
    "longitude",
    "capabilities",
    "activity_status",
)
STATUS = {
    "active": FacilityStatus.ACTIVE,
    "planned": FacilityStatus.PLANNED,
    "closed": FacilityStatus.CLOSED,
    "corona": FacilityStatus.TEMPORARY_CLOSURE,
    "": FacilityStatus.ACTIVE,
}
_PROVENANCE = FacilityProvenance(
    identity=Provenance.IMPORTED,
    location=Provenance.IMPORTED,
    capabilities=Provenance.IMPORTED,
)


def load_fablabs_csv(path: Path) -> ImportResult[list[Facility]]:
    """All rows of a fablabs.io CSV export; rows without coordinates import with a warning."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(
            "the CSV is not UTF-8 text", source=source, hint="save the export as UTF-8"
        ) from None
    except OSError as exc:
        raise ManifestError(f"cannot read the CSV: {exc.strerror}", source=source) from None
    return parse_fablabs_csv(text, source=source)


def parse_fablabs_csv(text: str, *, source: str) -> ImportResult[list[Facility]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ManifestError(
            f"the CSV lacks the columns {', '.join(missing)}",
            source=source,
            field="header",
            hint="expected the header " + ",".join(COLUMNS),
        )
    log = WarningLog(source)
    terms = Terms(log)
    facilities: list[Facility] = []
    seen: set[str] = set()
    no_status = 0
    for line, row in enumerate(reader, start=2):
        where = f"line {line}"
        lab_id = (row["fablabs_id"] or "").strip()
        name = (row["name"] or "").strip()
        if not lab_id or not name:
            raise ManifestError(
                "a row without fablabs_id or name",
                source=source,
                field=where,
                hint="every row needs fablabs_id and name",
            )
        if lab_id in seen:
            raise ManifestError(f"fablabs_id {lab_id} appears twice", source=source, field=where)
        seen.add(lab_id)
        status_text = (row["activity_status"] or "").strip().casefold()
        status = STATUS.get(status_text)
        if status is None:
            raise ManifestError(
                f"unknown activity_status {status_text!r}",
                source=source,
                field=f"{where}.activity_status",
                hint="expected active, planned, closed, corona or empty",
            )
        no_status += status_text == ""
        capabilities = [c.strip() for c in (row["capabilities"] or "").split(";") if c.strip()]
        processes = terms.processes((c, f"{where}.capabilities") for c in capabilities)
        latitude, longitude = _coordinates(row, where, log)
        url = (row["url"] or "").strip() or None
        try:
            location = Location(
                latitude=latitude,
                longitude=longitude,
                country=(row["country_code"] or "").strip().upper() or None,
                city=(row["city"] or "").strip() or None,
                region=(row["region"] or "").strip() or None,
                postal_code=(row["postal_code"] or "").strip() or None,
            )
        except ValidationError as exc:
            raise ManifestError(
                f"invalid location: {exc.errors()[0]['msg']}", source=source, field=where
            ) from None
        facilities.append(
            Facility(
                id=stable_id("fablabs", lab_id),
                name=name,
                location=location,
                status=status,
                url=url,
                processes=processes,
                provenance=_PROVENANCE,
                source=url or f"https://www.fablabs.io/labs/{lab_id}",
            )
        )
    if no_status:
        log.warn(
            "activity_status",
            f"{no_status} rows have no activity_status; imported as Active (listed, not marked "
            "otherwise)",
        )
    return ImportResult(facilities, log.frozen())


def _coordinates(
    row: dict[str, str], where: str, log: WarningLog
) -> tuple[float | None, float | None]:
    lat_text = (row["latitude"] or "").strip()
    lon_text = (row["longitude"] or "").strip()
    if not lat_text or not lon_text:
        log.warn(f"{where}.latitude", "no coordinates; the lab cannot be placed on a map")
        return None, None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        log.warn(f"{where}.latitude", f"coordinates {lat_text!r}, {lon_text!r} are not numbers")
        return None, None
    if abs(lat) > 90 or abs(lon) > 180:
        log.warn(f"{where}.latitude", f"coordinates {lat}, {lon} are out of range; not used")
        return None, None
    return lat, lon
