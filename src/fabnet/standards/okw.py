"""Open Know-Where facility records in (YAML or JSON, one record or a list) and out.

Keys may be camelCase (the OKW specification's labels), snake_case or kebab-case. fabnet's own
fields (rate card, capacity, lead times, provenance, source) live under the ``x-fabnet`` key.

Facility ids: a record's own ``id`` (a text) is used as is. Otherwise the id is
``stable_id("facility", key)`` where the key is the record's name, country, city, street
address, postal code and coordinates (5 decimals): re-importing the same record gives the same
id, and two facilities with the same name at different places get different ids.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml

from fabnet.domain.facility import Facility
from fabnet.errors import ManifestError
from fabnet.standards._fields import Fields
from fabnet.standards._okw_read import read_facility
from fabnet.standards._safe_parse import load_bounded
from fabnet.standards._syntax import yaml_error_text
from fabnet.standards.okw_export import (
    dump_facilities_json,
    dump_facilities_yaml,
    dump_facility_okw,
)
from fabnet.standards.report import ImportResult, WarningLog
from fabnet.standards.terms import Terms

__all__ = [
    "dump_facilities_json",
    "dump_facilities_yaml",
    "dump_facility_okw",
    "load_facilities",
    "parse_facilities",
]

MAX_RECORD_BYTES = 20_000_000


def load_facilities(path: Path) -> ImportResult[list[Facility]]:
    """Read OKW records from a ``.yml``/``.yaml`` or ``.json`` file."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read the file: {exc.strerror}", source=source) from None
    if len(raw) > MAX_RECORD_BYTES:
        raise ManifestError(f"the file is {len(raw)} bytes, too large", source=source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError("the file is not UTF-8 text", source=source) from None
    is_json = path.suffix.casefold() == ".json" or text.lstrip().startswith(("{", "["))
    return parse_facilities(text, source=source, fmt="json" if is_json else "yaml")


def parse_facilities(
    text: str, *, source: str, fmt: Literal["yaml", "json"]
) -> ImportResult[list[Facility]]:
    """Parse one OKW record or a list of them; ``source`` names the text in messages."""
    data = _parse(text, source=source, fmt=fmt)
    if isinstance(data, Mapping):
        lists = [k for k in ("facilities", "records", "items") if isinstance(data.get(k), list)]
        records: list[Any] = data[lists[0]] if lists else [data]
        base = lists[0] if lists else ""
    elif isinstance(data, list):
        records, base = data, ""
    else:
        raise ManifestError(
            "expected one OKW record (a table of fields) or a list of records", source=source
        )
    log = WarningLog(source)
    terms = Terms(log)
    facilities: list[Facility] = []
    seen: dict[str, str] = {}
    for i, record in enumerate(records):
        path = f"{base}[{i}]" if base or len(records) > 1 or isinstance(data, list) else ""
        if not isinstance(record, Mapping):
            raise ManifestError("expected a table of fields", source=source, field=path or None)
        facility, id_key = read_facility(Fields(record, path=path, log=log), terms, source=source)
        if facility.id in seen:
            raise ManifestError(
                f"two records have the id {facility.id!r} (also {seen[facility.id] or 'record'})",
                source=source,
                field=path or None,
                hint="give each record its own id"
                if id_key is None
                else "records without an id are told apart by name and location; add an id",
            )
        seen[facility.id] = path
        facilities.append(facility)
    return ImportResult(facilities, log.frozen())


def _parse(text: str, *, source: str, fmt: str) -> Any:
    try:
        if fmt == "json":
            return load_bounded(json.loads, text, lambda m: ManifestError(m, source=source))
        if fmt == "yaml":
            return load_bounded(yaml.safe_load, text, lambda m: ManifestError(m, source=source))
    except json.JSONDecodeError as exc:
        raise ManifestError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=source
        ) from None
    except yaml.YAMLError as exc:
        raise ManifestError(yaml_error_text(exc), source=source) from None
    raise ManifestError(f"unknown format {fmt!r}", source=source, hint="use yaml or json")
