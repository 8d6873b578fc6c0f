"""Facilities out as OKW records: camelCase keys, fabnet's fields under ``x-fabnet``."""

from __future__ import annotations

import json
from typing import Any

import yaml

from fabnet.domain.facility import Equipment, Facility

EXTENSION_KEY = "x-fabnet"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def dump_facility_okw(facility: Facility) -> dict[str, Any]:
    """One OKW record (camelCase keys) with ``x-fabnet``; :func:`parse_facilities` reads it back."""
    loc = facility.location
    address = {
        k: v
        for k, v in (
            ("street", loc.address),
            ("city", loc.city),
            ("region", loc.region),
            ("postalCode", loc.postal_code),
            ("country", loc.country),
        )
        if v is not None
    }
    location: dict[str, Any] = {}
    if address:
        location["address"] = address
    if loc.latitude is not None and loc.longitude is not None:
        location["gps"] = f"{loc.latitude!r}, {loc.longitude!r}"
    record: dict[str, Any] = {"id": facility.id, "name": facility.name}
    if location:
        record["location"] = location
    record["facilityStatus"] = facility.status.value
    if facility.access_type is not None:
        record["accessType"] = facility.access_type.value
    if facility.owner is not None:
        record["owner"] = facility.owner
    if facility.url is not None:
        record["website"] = facility.url
    if facility.processes:
        record["manufacturingProcesses"] = list(facility.processes)
    if facility.equipment:
        record["equipment"] = [_equipment(e) for e in facility.equipment]
    if facility.typical_materials:
        record["typicalMaterials"] = [{"materialType": m} for m in facility.typical_materials]
    if facility.certifications:
        record["certifications"] = list(facility.certifications)
    if facility.typical_batch_size is not None:
        record["typicalBatchSize"] = facility.typical_batch_size.value
    if facility.headcount is not None:
        record["humanCapacity"] = {"headcount": facility.headcount}
    extension = _camel_keys(facility.extension.model_dump(mode="json", exclude_none=True))
    extension["provenance"] = facility.provenance.model_dump(mode="json")
    if facility.source is not None:
        extension["source"] = facility.source
    record[EXTENSION_KEY] = extension
    return record


def _equipment(eq: Equipment) -> dict[str, Any]:
    out: dict[str, Any] = {"id": eq.id, "equipmentType": eq.equipment_type}
    # An empty list keeps "no process" explicit (otherwise the type would be resolved).
    out["manufacturingProcess"] = list(eq.processes)
    if eq.make is not None:
        out["make"] = eq.make
    if eq.model is not None:
        out["model"] = eq.model
    out["quantity"] = eq.quantity
    if eq.envelope is not None:
        e = eq.envelope
        out["buildVolume"] = {"x": e.x_mm, "y": e.y_mm, "z": e.z_mm, "unit": "mm"}
    if eq.board_limits is not None:
        b = eq.board_limits
        if b.x_mm is not None and b.y_mm is not None:
            out["maxBoardSize"] = {"x": b.x_mm, "y": b.y_mm, "unit": "mm"}
        if b.layers is not None:
            out["maxLayers"] = b.layers
        if b.pitch_mm is not None:
            out["minPitch"] = b.pitch_mm
    if eq.materials:
        out["materialsWorked"] = [{"materialType": m} for m in eq.materials]
    if eq.tolerance_class is not None:
        out["toleranceClass"] = eq.tolerance_class
    if eq.throughput_units_per_hour is not None:
        out["throughput"] = eq.throughput_units_per_hour
    return out


def dump_facilities_yaml(facilities: list[Facility]) -> str:
    records = [dump_facility_okw(f) for f in facilities]
    return yaml.safe_dump(records, sort_keys=False, allow_unicode=True)


def dump_facilities_json(facilities: list[Facility]) -> str:
    records = [dump_facility_okw(f) for f in facilities]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
