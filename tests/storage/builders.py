"""Domain objects with every field set, for round-trip tests."""

from __future__ import annotations

from fabnet.domain.common import Dimensions, Location, Provenance
from fabnet.domain.design import (
    Assembly,
    BomLine,
    Design,
    FileRef,
    FileRole,
    OkhDialect,
    Part,
)
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    FacilityStatus,
    LeadTimes,
    ProcessRate,
    RateCard,
)


def full_design(design_id: str = "d-0001", *, name: str = "Open Stool") -> Design:
    leg = Part(
        id="leg",
        name="Leg",
        tsdc=("3DP",),
        processes=("fdm", "sla"),
        material_text="PLA or PETG",
        materials=("pla", "petg"),
        mass_g=41.5,
        outer_dimensions=Dimensions(x_mm=30, y_mm=30, z_mm=400.25),
        tolerance_class="ISO2768-m",
        source_files=(FileRef(path="cad/leg.scad", role=FileRole.SOURCE),),
        export_files=(
            FileRef(path="cad/leg.stl", role=FileRole.EXPORT, sha256="a" * 64, size_bytes=1234),
            FileRef(path="https://example.org/leg.3mf", role=FileRole.EXPORT),
        ),
    )
    seat = Part(id="seat", name="Seat", processes=("laser-cutting",), materials=("plywood",))
    screw = Part(id="screw", name="M4 screw", purchased=True)
    legs = Assembly(
        id="leg-set",
        name="Leg set",
        lines=(BomLine(item_id="leg", quantity=3),),
        manual=True,  # a manual step and its labour minutes are stored too
        minutes_per_unit=2.5,
    )
    stool = Assembly(
        id="stool",
        name="Stool",
        process="assembly",
        lines=(
            BomLine(item_id="seat", quantity=1),
            BomLine(item_id="leg-set", quantity=1),
            BomLine(item_id="screw", quantity=6),
        ),
    )
    return Design(
        id=design_id,
        name=name,
        version="1.2.0",
        function="A stool to sit on",
        description="Three legs and a seat.",
        license="CERN-OHL-S-2.0",
        licensor=("Jane Maker", "Fab Lab Gent"),
        repository="https://example.org/stool",
        documentation_language="en",
        technology_readiness_level="OTRL-4",
        documentation_readiness_level="ODRL-3",
        attestation=("https://example.org/attest",),
        standard_compliance=("ISO 7173",),
        cpc_patent_class="A47C",
        dialect=OkhDialect.OKH_LOSH_V1,
        parts=(leg, seat, screw),
        assemblies=(legs, stool),
        root_assembly_id="stool",
        bom_file=FileRef(path="bom.csv", role=FileRole.BOM),
        files=(
            FileRef(path="README.md", role=FileRole.DOCUMENTATION),
            FileRef(path="img/stool.png", role=FileRole.IMAGE, sha256="b" * 64, size_bytes=99),
        ),
    )


def full_facility(facility_id: str = "f-0001", *, name: str = "Fab Lab Gent") -> Facility:
    printer = Equipment(
        id="prusa-1",
        equipment_type="3D printer",
        processes=("fdm",),
        make="Prusa",
        model="MK4",
        quantity=3,
        envelope=Dimensions(x_mm=250, y_mm=210, z_mm=220),
        materials=("pla", "petg"),
        tolerance_class="ISO2768-c",
        throughput_units_per_hour=2.5,
    )
    laser = Equipment(id="laser-1", equipment_type="Laser cutter", processes=("laser-cutting",))
    return Facility(
        id=facility_id,
        name=name,
        location=Location(
            latitude=51.05,
            longitude=3.72,
            country="BE",
            city="Gent",
            region="Oost-Vlaanderen",
            postal_code="9000",
            address="Somewhere 1",
        ),
        status=FacilityStatus.ACTIVE,
        access_type=AccessType.MEMBERSHIP,
        owner="Gent University",
        url="https://fablab.example.org",
        processes=("fdm", "laser-cutting", "cnc-milling"),
        equipment=(printer, laser),
        typical_materials=("pla", "plywood"),
        certifications=("ISO 9001",),
        typical_batch_size=BatchSize.UP_TO_50,
        headcount=4,
        extension=FabnetExtension(
            rate_card=RateCard(
                currency="EUR",
                rates=(ProcessRate(process="fdm", hourly_rate=12.5, setup_cost=5),),
                minimum_order_value=20,
            ),
            capacity=Capacity(hours_per_week=30, units_per_week=100, max_batch_size=50),
            lead_times=LeadTimes(quote_days=1, production_start_days=2.5),
        ),
        provenance=FacilityProvenance(identity=Provenance.IMPORTED, rates=Provenance.SYNTHETIC),
        source="tests/storage",
    )
