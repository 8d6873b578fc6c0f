"""The field tables of docs/standards.md cannot go stale (issue 10): every field a table lists is
put into a minimal record with the table's example value and read by the reader — no "not
understood" warning, no refusal; a row marked **read** changes the imported model, one marked
**skipped** does not. OKW fields are checked in camelCase and in snake_case."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabnet.standards.okh import parse_design
from fabnet.standards.okw import parse_facilities
from fabnet.standards.report import ImportResult

DOC = Path(__file__).resolve().parents[2] / "docs" / "standards.md"
SECTION = "### Every field, by standard"
TABLES = {
    "#### OKW v1 fields": "okw",
    "#### OKH v1 fields": "okh-v1",
    "#### OKH-LOSH v1 and OKH-LOSH 2.x fields": "losh",
}


@dataclass(frozen=True)
class Row:
    table: str
    fields: tuple[str, ...]
    examples: tuple[Any, ...]
    action: str  # read | kept | skipped

    @property
    def label(self) -> str:
        return f"{self.table}:{'+'.join(self.fields)}={self.examples!r}"


def _rows() -> list[Row]:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC} has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n### ", 1)[0]
    rows: list[Row] = []
    table = None
    for line in body.splitlines():
        if line.startswith("#### "):
            table = next((k for h, k in TABLES.items() if line.startswith(h)), None)
            assert table is not None, f"unknown table {line!r}"
            continue
        if table is None or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 3, line
        fields = tuple(re.findall(r"`([^`]+)`", cells[0]))
        examples = tuple(yaml.safe_load(v) for v in re.findall(r"`([^`]+)`", cells[1]))
        assert fields and len(fields) == len(examples), line
        action = cells[2].split(":", 1)[0].split()[0]
        assert action in ("read", "kept", "skipped"), line
        rows.append(Row(table, fields, examples, action))
    return rows


ROWS = _rows()

OKW_BASE: dict[str, Any] = {"name": "Lab"}
OKW_ITEMS = {"equipment": {"equipmentType": "3D printer", "manufacturingProcess": "fdm"}}
OKH_V1_BASE: dict[str, Any] = {
    "title": "Stool",
    "description": "A stool",
    "license": {"hardware": "MIT"},
    "project-link": "https://example.org/stool",
    "manifest-author": {"name": "Ann"},
}
OKH_V1_ITEMS: dict[str, Any] = {"sub-parts": {"title": "Part"}, "standards-used": {}}
LOSH_BASE: dict[str, Any] = {
    "name": "Widget",
    "repo": "https://example.org/widget",
    "version": "1.0.0",
    "license": "MIT",
    "licensor": "Ann",
    "function": "Holds things",
    "documentation-language": "en",
}
LOSH_ITEMS = {"part": {"name": "P"}}
DIALECTS = {"OKH-LOSHv1.0": "okh-losh-v1", "2.4": "okh-v2"}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _put(record: dict[str, Any], path: str, value: Any, items: dict[str, Any]) -> None:
    *heads, last = path.split(".")
    here: dict[str, Any] = record
    for head in heads:
        if head.endswith("[]"):
            key = head[:-2]
            here = here.setdefault(key, [copy.deepcopy(items[key])])[0]
        else:
            here = here.setdefault(head, {})
    here[last] = value


def _records(
    row: Row, base: dict[str, Any], items: dict[str, Any], rename: Any = str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record without the row's fields (with the list entries they need) and with them."""
    before = copy.deepcopy(base)
    for path in row.fields:
        for head in path.split(".")[:-1]:
            if head.endswith("[]"):
                before.setdefault(rename(head[:-2]), [copy.deepcopy(items[head[:-2]])])
    after = copy.deepcopy(before)
    renamed_items = {rename(k): v for k, v in items.items()}
    for path, value in zip(row.fields, row.examples, strict=True):
        _put(after, ".".join(rename(p) for p in path.split(".")), value, renamed_items)
    return before, after


def _not_understood(result: ImportResult[Any]) -> list[str]:
    return [f"{w.field}: {w.message}" for w in result.warnings if "not understood" in w.message]


def _check(row: Row, before: ImportResult[Any], after: ImportResult[Any]) -> None:
    assert _not_understood(before) == [], row.label
    assert _not_understood(after) == [], row.label
    if row.action == "read":
        assert after.value != before.value, f"{row.label}: marked read but changes nothing"
    elif row.action == "skipped":
        assert after.value == before.value, f"{row.label}: marked skipped but is used"


def _okw(record: dict[str, Any]) -> ImportResult[Any]:
    return parse_facilities(json.dumps(record), source="lab.json", fmt="json")


def _okh(record: dict[str, Any], fmt: str) -> ImportResult[Any]:
    text = json.dumps(record) if fmt == "json" else yaml.safe_dump(record, sort_keys=False)
    return parse_design(text, source=f"okh.{fmt}", fmt=fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize("row", [r for r in ROWS if r.table == "okw"], ids=lambda r: r.label)
@pytest.mark.parametrize("case", ["camelCase", "snake_case"])
def test_every_okw_field_in_the_table_is_read(row: Row, case: str) -> None:
    rename = _snake if case == "snake_case" else str
    base = {rename(k): v for k, v in OKW_BASE.items()}
    items = {k: {rename(f): v for f, v in entry.items()} for k, entry in OKW_ITEMS.items()}
    before, after = _records(row, base, items, rename)
    _check(row, _okw(before), _okw(after))


@pytest.mark.parametrize("row", [r for r in ROWS if r.table == "okh-v1"], ids=lambda r: r.label)
def test_every_okh_v1_field_in_the_table_is_read(row: Row) -> None:
    before, after = _records(row, OKH_V1_BASE, OKH_V1_ITEMS)
    _check(row, _okh(before, "yaml"), _okh(after, "yaml"))


@pytest.mark.parametrize("row", [r for r in ROWS if r.table == "losh"], ids=lambda r: r.label)
@pytest.mark.parametrize("okhv", sorted(DIALECTS))
def test_every_losh_field_in_the_table_is_read_in_both_dialects(row: Row, okhv: str) -> None:
    before, after = _records(row, {"okhv": okhv, **LOSH_BASE}, LOSH_ITEMS)
    if "okhv" in row.fields:
        after["okhv"] = okhv
    results = _okh(before, "json"), _okh(after, "json")
    assert results[0].value.dialect.value == DIALECTS[okhv]
    _check(row, *results)


def test_the_tables_cover_what_the_issue_names_and_a_misspelling_warns() -> None:
    by_table: dict[str, set[str]] = {}
    for row in ROWS:
        by_table.setdefault(row.table, set()).update(row.fields)
    assert {"location.gpsCoordinates", "equipment[].workingArea", "equipment[].maxBoardSize"} <= (
        by_table["okw"]
    )
    assert {"title", "license.hardware", "sub-parts[].title"} <= by_table["okh-v1"]
    assert {"part[].2d-size-mm", "part[].layer-count", "image", "organization"} <= (
        by_table["losh"]
    )
    misspelt = _okw({**OKW_BASE, "gpsCoordinatez": "52.5, 13.4"})
    assert [w.field for w in misspelt.warnings if "not understood" in w.message] == [
        "gpsCoordinatez"
    ]


def test_the_okh_losh_2_4_template_imports_without_a_warning() -> None:
    template = Path(__file__).resolve().parents[3] / "shared/data/designs/okh-losh-2.4"
    text = (template / "okh-TEMPLATE.toml").read_text(encoding="utf-8")
    result = parse_design(text, source="okh-TEMPLATE.toml", fmt="toml")
    assert result.warnings == ()
    assert [f.path for f in result.value.files][:2] == [
        "res/media/img/logo.svg",
        "res/assets/media/img/hw-photo.png",
    ]


def test_a_record_as_the_open_hardware_manager_writes_it_imports() -> None:
    """Its equipment numbers (a volume in mm3, one working-surface side) are not envelopes:
    warned, not refused; its other fields are OKW's and are skipped."""
    record = {
        "name": "Community Maker Space",
        "location": {
            "address": {"number": "123", "street": "Maker Street", "city": "Makerville"},
            "gps_coordinates": "51.5074, -0.1278",
        },
        "facility_status": "Active",
        "equipment": [
            {
                "equipment_type": "https://en.wikipedia.org/wiki/3D_printing",
                "manufacturing_process": "https://en.wikipedia.org/wiki/Fused_filament_fabrication",
                "make": "Prusa",
                "model": "i3 MK3S+",
                "build_volume": 250000,
                "nozzle_size": 4,
                "computer_controlled": True,
                "serial_number": "SN123456",
                "usage_levels": "High",
            }
        ],
        "backup_generator": False,
        "road_access": True,
        "circular_economy": {"applies_principles": True},
    }
    result = _okw(record)
    (space,) = result.value
    assert space.location.address == "123 Maker Street"
    (printer,) = space.equipment
    assert printer.envelope is None and printer.processes == ("fdm",)
    (warning,) = result.warnings
    assert warning.field == "equipment[0].build_volume"
    assert "one number 250000 is not an envelope" in warning.message


def test_a_second_envelope_field_is_warned_as_not_used() -> None:
    record = {
        "name": "Lab",
        "equipment": [
            {"equipment_type": "laser cutter", "bed_size": 600, "build_volume": [600, 400, 50]}
        ],
    }
    result = _okw(record)
    (laser,) = result.value[0].equipment
    assert laser.envelope is not None and laser.envelope.sorted() == (50.0, 400.0, 600.0)
    (warning,) = result.warnings
    assert warning.field == "equipment[0].bed_size"
    assert "a second envelope field 600, not used (build_volume is)" in warning.message
