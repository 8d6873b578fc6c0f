"""A facility: a place that makes things, as described by its Open Know-Where record.

The OKW fields are kept apart from fabnet's own extension (rate card, capacity, lead times), and
every field group records where it came from (:class:`~fabnet.domain.common.Provenance`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from fabnet.domain.common import BoardLimits, Dimensions, Frozen, Location, Provenance


class FacilityStatus(StrEnum):
    ACTIVE = "Active"
    PLANNED = "Planned"
    TEMPORARY_CLOSURE = "Temporary Closure"
    CLOSED = "Closed"


class AccessType(StrEnum):
    RESTRICTED = "Restricted"
    RESTRICTED_PUBLIC_HOURS = "Restricted with public hours"
    SHARED_SPACE = "Shared space"
    PUBLIC = "Public"
    MEMBERSHIP = "Membership"


class BatchSize(StrEnum):
    """OKW ``typicalBatchSize``."""

    UP_TO_50 = "0-50"
    UP_TO_500 = "50-500"
    UP_TO_5000 = "500-5000"
    OVER_5000 = "5000+"


class Equipment(Frozen):
    id: str = Field(description="Unique within the facility")
    equipment_type: str = Field(description="As written in the record, e.g. '3D printer'")
    processes: tuple[str, ...] = Field(default=(), description="Process taxonomy ids")
    make: str | None = None
    model: str | None = None
    quantity: int = Field(default=1, ge=1)
    envelope: Dimensions | None = Field(
        default=None, description="Build volume or work envelope (mm)"
    )
    board_limits: BoardLimits | None = Field(
        default=None,
        description="Electronics equipment (PCB fabrication, PCB mill, pick-and-place, reflow): "
        "largest board, most layers, finest pitch",
    )
    materials: tuple[str, ...] = Field(default=(), description="Material vocabulary ids")
    tolerance_class: str | None = None
    throughput_units_per_hour: float | None = Field(default=None, gt=0)


class ProcessRate(Frozen):
    """What a facility charges for one process."""

    process: str = Field(description="Process taxonomy id")
    hourly_rate: float = Field(ge=0, description="Machine + labour per hour")
    setup_cost: float = Field(default=0, ge=0, description="Fixed cost per job")
    material_cost_per_kg: float = Field(default=0, ge=0)
    minimum_lot: int = Field(default=1, ge=1)
    units_per_hour: float | None = Field(
        default=None, gt=0, description="Typical throughput for a small part, if known"
    )


class RateCard(Frozen):
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    rates: tuple[ProcessRate, ...] = ()
    minimum_order_value: float = Field(default=0, ge=0)

    def rate_for(self, process: str) -> ProcessRate | None:
        for r in self.rates:
            if r.process == process:
                return r
        return None


class Capacity(Frozen):
    hours_per_week: float = Field(default=40, gt=0)
    units_per_week: int | None = Field(
        default=None, ge=0, description="Finished units, all processes"
    )
    max_batch_size: int | None = Field(default=None, ge=1)


class LeadTimes(Frozen):
    quote_days: float = Field(default=2, ge=0)
    production_start_days: float = Field(default=3, ge=0, description="Order to first unit")


class FabnetExtension(Frozen):
    """fabnet's own fields, exported under the OKW extension key ``x-fabnet``."""

    rate_card: RateCard | None = None
    capacity: Capacity | None = None
    lead_times: LeadTimes | None = None


class FacilityProvenance(Frozen):
    """Where each group of a facility's fields came from."""

    identity: Provenance = Provenance.DECLARED
    location: Provenance = Provenance.DECLARED
    capabilities: Provenance = Provenance.DECLARED  # processes and equipment
    equipment: Provenance | None = Field(
        default=None,
        description="Where the equipment list came from when it differs from the processes' "
        "(e.g. processes imported from a directory, machines generated for the demo); "
        "None: as capabilities",
    )
    materials: Provenance = Provenance.DECLARED
    certifications: Provenance = Provenance.DECLARED
    capacity: Provenance = Provenance.DECLARED
    rates: Provenance = Provenance.DECLARED

    @property
    def any_synthetic(self) -> bool:
        return Provenance.SYNTHETIC in (
            self.capabilities,
            self.equipment,
            self.materials,
            self.certifications,
            self.capacity,
            self.rates,
        )


class Facility(Frozen):
    id: str
    name: str
    location: Location = Location()
    status: FacilityStatus = FacilityStatus.ACTIVE
    access_type: AccessType | None = None
    owner: str | None = None
    url: str | None = None
    processes: tuple[str, ...] = Field(default=(), description="Process taxonomy ids")
    equipment: tuple[Equipment, ...] = ()
    typical_materials: tuple[str, ...] = Field(default=(), description="Material vocabulary ids")
    certifications: tuple[str, ...] = Field(default=(), description="Normalised, e.g. 'ISO 13485'")
    typical_batch_size: BatchSize | None = None
    headcount: int | None = Field(default=None, ge=0)
    extension: FabnetExtension = FabnetExtension()
    provenance: FacilityProvenance = FacilityProvenance()
    source: str | None = Field(default=None, description="Where the record came from")

    def all_processes(self) -> frozenset[str]:
        procs = set(self.processes)
        for eq in self.equipment:
            procs.update(eq.processes)
        return frozenset(procs)
