"""Builders for small, readable matching worlds (designs and facilities)."""

from __future__ import annotations

from typing import Any

from fabnet.domain.common import Dimensions, Location, Provenance
from fabnet.domain.design import Assembly, BomLine, Design, Part
from fabnet.domain.facility import (
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    ProcessRate,
    RateCard,
)


def dims(x: float, y: float, z: float) -> Dimensions:
    return Dimensions(x_mm=x, y_mm=y, z_mm=z)


def eq(
    eq_id: str,
    *processes: str,
    envelope: tuple[float, float, float] | None = None,
    materials: tuple[str, ...] = (),
    tolerance: str | None = None,
    kind: str = "machine",
) -> Equipment:
    return Equipment(
        id=eq_id,
        equipment_type=kind,
        processes=processes,
        envelope=dims(*envelope) if envelope else None,
        materials=materials,
        tolerance_class=tolerance,
    )


def fac(
    fac_id: str,
    *equipment: Equipment,
    name: str | None = None,
    processes: tuple[str, ...] = (),
    materials: tuple[str, ...] = (),
    lat: float | None = 0.0,
    lon: float | None = 0.0,
    country: str | None = "DE",
    rates: tuple[ProcessRate, ...] = (),
    currency: str = "EUR",
    capacity: Capacity | None = None,
    synthetic: bool = False,
    **fields: Any,
) -> Facility:
    return Facility(
        id=fac_id,
        name=name or f"Facility {fac_id}",
        location=Location(latitude=lat, longitude=lon, country=country),
        processes=processes,
        equipment=equipment,
        typical_materials=materials,
        extension=FabnetExtension(
            rate_card=RateCard(currency=currency, rates=rates) if rates else None,
            capacity=capacity,
        ),
        provenance=FacilityProvenance(capabilities=Provenance.SYNTHETIC)
        if synthetic
        else FacilityProvenance(),
        **fields,
    )


def part(
    part_id: str,
    *processes: str,
    materials: tuple[str, ...] = (),
    size: tuple[float, float, float] | None = None,
    tolerance: str | None = None,
    mass_g: float | None = None,
    purchased: bool = False,
) -> Part:
    return Part(
        id=part_id,
        name=part_id.replace("-", " ").title(),
        processes=processes,
        materials=materials,
        outer_dimensions=dims(*size) if size else None,
        tolerance_class=tolerance,
        mass_g=mass_g,
        purchased=purchased,
    )


def design(
    *parts: Part,
    design_id: str = "d-1",
    assembly_process: str | None = None,
    counts: dict[str, int] | None = None,
) -> Design:
    if assembly_process is None and not counts:
        return Design(id=design_id, name=design_id, parts=parts)
    lines = tuple(BomLine(item_id=p.id, quantity=(counts or {}).get(p.id, 1)) for p in parts)
    root = Assembly(
        id="final", name="Final assembly", process=assembly_process or "assembly", lines=lines
    )
    return Design(
        id=design_id, name=design_id, parts=parts, assemblies=(root,), root_assembly_id="final"
    )
