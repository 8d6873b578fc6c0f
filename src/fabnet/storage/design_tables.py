"""Tables of designs: the design row, its parts, assemblies with BOM lines, and file references."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, TimestampMixin

ID = String(64)


class DesignRow(TimestampMixin, Base):
    __tablename__ = "designs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), index=True)
    version: Mapped[str | None] = mapped_column(String(100))
    function: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    license: Mapped[str | None] = mapped_column(String(500))
    licensor: Mapped[list[str]] = mapped_column(JSON)
    repository: Mapped[str | None] = mapped_column(String(2000))
    documentation_language: Mapped[str | None] = mapped_column(String(35))
    technology_readiness_level: Mapped[str | None] = mapped_column(String(20))
    documentation_readiness_level: Mapped[str | None] = mapped_column(String(20))
    attestation: Mapped[list[str]] = mapped_column(JSON)
    standard_compliance: Mapped[list[str]] = mapped_column(JSON)
    cpc_patent_class: Mapped[str | None] = mapped_column(String(100))
    dialect: Mapped[str | None] = mapped_column(String(20))
    root_assembly_id: Mapped[str | None] = mapped_column(String(200))
    retail_price: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """``{amount, currency}``: what the finished product costs to buy (issue 14)."""
    content_sha256: Mapped[str] = mapped_column(String(64))
    """Hash of the canonical JSON of the domain model: re-importing the same design is a no-op."""


class DesignPartRow(Base):
    __tablename__ = "design_parts"

    design_id: Mapped[str] = mapped_column(
        ID, ForeignKey("designs.id", ondelete="CASCADE"), primary_key=True
    )
    part_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    tsdc: Mapped[list[str]] = mapped_column(JSON)
    processes: Mapped[list[str]] = mapped_column(JSON)
    material_text: Mapped[str | None] = mapped_column(Text)
    materials: Mapped[list[str]] = mapped_column(JSON)
    mass_g: Mapped[float | None] = mapped_column(Float)
    size_x_mm: Mapped[float | None] = mapped_column(Float)
    size_y_mm: Mapped[float | None] = mapped_column(Float)
    size_z_mm: Mapped[float | None] = mapped_column(Float)
    board: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """A PCB's board size, layers and finest pitch as the domain model's JSON."""
    tolerance_class: Mapped[str | None] = mapped_column(String(50))
    purchased: Mapped[bool] = mapped_column(Boolean)
    unresolved: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    stand_in: Mapped[bool] = mapped_column(Boolean, server_default=false())


class DesignAssemblyRow(Base):
    __tablename__ = "design_assemblies"

    design_id: Mapped[str] = mapped_column(
        ID, ForeignKey("designs.id", ondelete="CASCADE"), primary_key=True
    )
    assembly_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    process: Mapped[str] = mapped_column(String(100))
    manual: Mapped[bool] = mapped_column(Boolean, server_default=false())
    minutes_per_unit: Mapped[float | None] = mapped_column(Float)


class BomLineRow(Base):
    """``quantity`` of a part or sub-assembly (``item_id``) inside an assembly."""

    __tablename__ = "design_bom_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["design_id", "assembly_id"],
            ["design_assemblies.design_id", "design_assemblies.assembly_id"],
            ondelete="CASCADE",
        ),
    )

    design_id: Mapped[str] = mapped_column(ID, primary_key=True)
    assembly_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)


class DesignFileRow(Base):
    """A file reference of a design. ``slot`` says where it hangs: the design's ``bom`` file, one
    of its ``files``, or a part's ``source`` / ``export`` files (then ``part_id`` is set)."""

    __tablename__ = "design_files"

    design_id: Mapped[str] = mapped_column(
        ID, ForeignKey("designs.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[str] = mapped_column(String(20))
    part_id: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(2000))
    role: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
