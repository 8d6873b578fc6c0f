"""Tables of facilities: the facility row (OKW fields, fabnet extension as JSON, provenance) and
normalised lists that queries filter on (processes, materials, certifications, equipment)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fabnet.storage.base import Base, TimestampMixin

ID = String(64)


class FacilityRow(TimestampMixin, Base):
    __tablename__ = "facilities"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))
    access_type: Mapped[str | None] = mapped_column(String(60))
    owner: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    typical_batch_size: Mapped[str | None] = mapped_column(String(20))
    headcount: Mapped[int | None] = mapped_column(Integer)
    extension: Mapped[dict[str, Any]] = mapped_column(JSON)
    """fabnet's extension (rate card, capacity, lead times) as the domain model's JSON."""
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(2000))
    content_sha256: Mapped[str] = mapped_column(String(64))


class _FacilityTermMixin:
    """One term of an ordered list of a facility, e.g. a process taxonomy id."""

    facility_id: Mapped[str] = mapped_column(
        ID, ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)


class FacilityProcessRow(_FacilityTermMixin, Base):
    """A process the facility declares (equipment processes are in ``equipment_processes``)."""

    __tablename__ = "facility_processes"

    process: Mapped[str] = mapped_column(String(100), index=True)


class FacilityMaterialRow(_FacilityTermMixin, Base):
    __tablename__ = "facility_materials"

    material: Mapped[str] = mapped_column(String(100), index=True)


class FacilityCertificationRow(_FacilityTermMixin, Base):
    __tablename__ = "facility_certifications"

    certification: Mapped[str] = mapped_column(String(200), index=True)


class EquipmentRow(Base):
    __tablename__ = "equipment"

    facility_id: Mapped[str] = mapped_column(
        ID, ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True
    )
    equipment_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    equipment_type: Mapped[str] = mapped_column(String(200))
    make: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    envelope_x_mm: Mapped[float | None] = mapped_column(Float)
    envelope_y_mm: Mapped[float | None] = mapped_column(Float)
    envelope_z_mm: Mapped[float | None] = mapped_column(Float)
    board_limits: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """Electronics limits (largest board, layers, finest pitch) as the domain model's JSON."""
    materials: Mapped[list[str]] = mapped_column(JSON)
    tolerance_class: Mapped[str | None] = mapped_column(String(50))
    throughput_units_per_hour: Mapped[float | None] = mapped_column(Float)


class EquipmentProcessRow(Base):
    __tablename__ = "equipment_processes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["facility_id", "equipment_id"],
            ["equipment.facility_id", "equipment.equipment_id"],
            ondelete="CASCADE",
        ),
    )

    facility_id: Mapped[str] = mapped_column(ID, primary_key=True)
    equipment_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    process: Mapped[str] = mapped_column(String(100), index=True)
