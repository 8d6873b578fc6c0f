"""Designs, facilities, stored files and the registry version.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 12:37:01.146493
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "designs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("function", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("license", sa.String(length=500), nullable=True),
        sa.Column("licensor", sa.JSON(), nullable=False),
        sa.Column("repository", sa.String(length=2000), nullable=True),
        sa.Column("documentation_language", sa.String(length=35), nullable=True),
        sa.Column("technology_readiness_level", sa.String(length=20), nullable=True),
        sa.Column("documentation_readiness_level", sa.String(length=20), nullable=True),
        sa.Column("attestation", sa.JSON(), nullable=False),
        sa.Column("standard_compliance", sa.JSON(), nullable=False),
        sa.Column("cpc_patent_class", sa.String(length=100), nullable=True),
        sa.Column("dialect", sa.String(length=20), nullable=True),
        sa.Column("root_assembly_id", sa.String(length=200), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_designs")),
    )
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_designs_name"), ["name"], unique=False)

    op.create_table(
        "facilities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("access_type", sa.String(length=60), nullable=True),
        sa.Column("owner", sa.String(length=500), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("typical_batch_size", sa.String(length=20), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("extension", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_name"), ["name"], unique=False)

    registry_state = op.create_table(
        "registry_state",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_registry_state")),
    )
    op.bulk_insert(registry_state, [{"key": "registry", "version": 0}])
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )
    op.create_table(
        "design_assemblies",
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("assembly_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name=op.f("fk_design_assemblies_design_id_designs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("design_id", "assembly_id", name=op.f("pk_design_assemblies")),
    )
    op.create_table(
        "design_files",
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=20), nullable=False),
        sa.Column("part_id", sa.String(length=200), nullable=True),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name=op.f("fk_design_files_design_id_designs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("design_id", "position", name=op.f("pk_design_files")),
    )
    with op.batch_alter_table("design_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_design_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "design_parts",
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("part_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("tsdc", sa.JSON(), nullable=False),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.Column("material_text", sa.Text(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("mass_g", sa.Float(), nullable=True),
        sa.Column("size_x_mm", sa.Float(), nullable=True),
        sa.Column("size_y_mm", sa.Float(), nullable=True),
        sa.Column("size_z_mm", sa.Float(), nullable=True),
        sa.Column("tolerance_class", sa.String(length=50), nullable=True),
        sa.Column("purchased", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name=op.f("fk_design_parts_design_id_designs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("design_id", "part_id", name=op.f("pk_design_parts")),
    )
    op.create_table(
        "equipment",
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("equipment_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("equipment_type", sa.String(length=200), nullable=False),
        sa.Column("make", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("envelope_x_mm", sa.Float(), nullable=True),
        sa.Column("envelope_y_mm", sa.Float(), nullable=True),
        sa.Column("envelope_z_mm", sa.Float(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("tolerance_class", sa.String(length=50), nullable=True),
        sa.Column("throughput_units_per_hour", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_equipment_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "equipment_id", name=op.f("pk_equipment")),
    )
    op.create_table(
        "facility_certifications",
        sa.Column("certification", sa.String(length=200), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_certifications_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "position", name=op.f("pk_facility_certifications")),
    )
    with op.batch_alter_table("facility_certifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_certifications_certification"), ["certification"], unique=False
        )

    op.create_table(
        "facility_materials",
        sa.Column("material", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_materials_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "position", name=op.f("pk_facility_materials")),
    )
    with op.batch_alter_table("facility_materials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_materials_material"), ["material"], unique=False
        )

    op.create_table(
        "facility_processes",
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_processes_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facility_id", "position", name=op.f("pk_facility_processes")),
    )
    with op.batch_alter_table("facility_processes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_processes_process"), ["process"], unique=False
        )

    op.create_table(
        "design_bom_lines",
        sa.Column("design_id", sa.String(length=64), nullable=False),
        sa.Column("assembly_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["design_id", "assembly_id"],
            ["design_assemblies.design_id", "design_assemblies.assembly_id"],
            name=op.f("fk_design_bom_lines_design_id_design_assemblies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "design_id", "assembly_id", "position", name=op.f("pk_design_bom_lines")
        ),
    )
    op.create_table(
        "equipment_processes",
        sa.Column("facility_id", sa.String(length=64), nullable=False),
        sa.Column("equipment_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id", "equipment_id"],
            ["equipment.facility_id", "equipment.equipment_id"],
            name=op.f("fk_equipment_processes_facility_id_equipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "facility_id", "equipment_id", "position", name=op.f("pk_equipment_processes")
        ),
    )
    with op.batch_alter_table("equipment_processes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_equipment_processes_process"), ["process"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("equipment_processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_processes_process"))

    op.drop_table("equipment_processes")
    op.drop_table("design_bom_lines")
    with op.batch_alter_table("facility_processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_processes_process"))

    op.drop_table("facility_processes")
    with op.batch_alter_table("facility_materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_materials_material"))

    op.drop_table("facility_materials")
    with op.batch_alter_table("facility_certifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_certifications_certification"))

    op.drop_table("facility_certifications")
    op.drop_table("equipment")
    op.drop_table("design_parts")
    with op.batch_alter_table("design_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_design_files_sha256"))

    op.drop_table("design_files")
    op.drop_table("design_assemblies")
    op.drop_table("stored_files")
    op.drop_table("registry_state")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_name"))
        batch_op.drop_index(batch_op.f("ix_facilities_country"))

    op.drop_table("facilities")
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_designs_name"))

    op.drop_table("designs")
