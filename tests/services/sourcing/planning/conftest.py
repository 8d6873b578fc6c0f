"""A small catalogue for planning-service tests: three East African workshops and a face shield."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.domain.common import Dimensions, Location, Provenance
from fabnet.domain.design import Assembly, BomLine, Design, Part
from fabnet.domain.facility import (
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    LeadTimes,
    ProcessRate,
    RateCard,
)
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository

DESIGN_ID = "d0000000-0000-4000-8000-000000000001"
PRINTER = Dimensions(x_mm=250, y_mm=210, z_mm=210)
LASER = Dimensions(x_mm=600, y_mm=400, z_mm=20)


def face_shield() -> Design:
    return Design(
        id=DESIGN_ID,
        name="Face shield",
        version="1.0",
        license="CERN-OHL-S-2.0",
        licensor=("fabnet contributors",),
        repository="https://example.org/face-shield",
        function="Protects the face of health workers",
        parts=(
            Part(
                id="headband",
                name="Headband",
                processes=("fdm",),
                materials=("pla",),
                mass_g=20.0,
                outer_dimensions=Dimensions(x_mm=180, y_mm=120, z_mm=15),
            ),
            Part(
                id="visor",
                name="Visor",
                processes=("laser-cutting",),
                materials=("petg",),
                mass_g=30.0,
                outer_dimensions=Dimensions(x_mm=300, y_mm=240, z_mm=0.5),
            ),
            Part(id="strap", name="Strap", purchased=True, mass_g=5.0),
        ),
        assemblies=(
            Assembly(
                id="shield",
                name="Face shield",
                process="assembly",
                lines=(
                    BomLine(item_id="headband", quantity=1),
                    BomLine(item_id="visor", quantity=1),
                    BomLine(item_id="strap", quantity=1),
                ),
            ),
        ),
        root_assembly_id="shield",
    )


def workshop(
    fid: str,
    name: str,
    lat: float,
    lon: float,
    country: str,
    *,
    fdm_rate: float,
    units_per_week: int = 400,
    assembly: bool = True,
) -> Facility:
    equipment = [
        Equipment(
            id="p1",
            equipment_type="3D printer",
            processes=("fdm",),
            envelope=PRINTER,
            materials=("pla", "petg"),
            quantity=4,
        ),
        Equipment(
            id="l1",
            equipment_type="laser cutter",
            processes=("laser-cutting",),
            envelope=LASER,
            materials=("petg", "pmma"),
        ),
    ]
    rates = [
        ProcessRate(
            process="fdm",
            hourly_rate=fdm_rate,
            setup_cost=5,
            material_cost_per_kg=20,
            units_per_hour=2,
        ),
        ProcessRate(
            process="laser-cutting",
            hourly_rate=30,
            setup_cost=5,
            material_cost_per_kg=10,
            units_per_hour=30,
        ),
    ]
    processes: tuple[str, ...] = ("fdm", "laser-cutting")
    if assembly:
        processes += ("assembly",)
        rates.append(ProcessRate(process="assembly", hourly_rate=10, units_per_hour=20))
    return Facility(
        id=fid,
        name=name,
        location=Location(latitude=lat, longitude=lon, country=country),
        processes=processes,
        equipment=tuple(equipment),
        extension=FabnetExtension(
            rate_card=RateCard(currency="EUR", rates=tuple(rates)),
            capacity=Capacity(units_per_week=units_per_week),
            lead_times=LeadTimes(production_start_days=2),
        ),
        provenance=FacilityProvenance(capacity=Provenance.DECLARED),
    )


WORKSHOPS = (
    workshop("f-nairobi", "Nairobi Makers", -1.2921, 36.8219, "KE", fdm_rate=8),
    workshop("f-kampala", "Kampala Fab", 0.3476, 32.5825, "UG", fdm_rate=7),
    workshop("f-kigali", "Kigali Lab", -1.9441, 30.0619, "RW", fdm_rate=9, assembly=False),
)


@pytest.fixture
def catalogue(db: Database) -> Database:
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(WORKSHOPS)
        DesignRepository(session).add_or_replace(face_shield())
    return db


def order_yaml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "order.yaml"
    path.write_text(body, encoding="utf-8")
    return path


ORDER = f"""
name: Face shields for two hospitals
order_date: 2027-01-04
products:
  - key: shield
    design: {DESIGN_ID}
delivery_points:
  - id: knh
    place: Nairobi, KE
    due: 2027-02-15
    demand: {{shield: 300}}
  - id: mulago
    place: Kampala, UG
    due: 2027-02-15
    demand: {{shield: 200}}
options:
  time_limit_s: 20
"""
