"""FacilityRepository: facilities as rows and back, exactly, with a fast bulk load and upsert."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from fabnet.domain.common import BoardLimits, Dimensions, Location
from fabnet.domain.facility import (
    AccessType,
    BatchSize,
    Equipment,
    FabnetExtension,
    Facility,
    FacilityProvenance,
    FacilityStatus,
)
from fabnet.storage.facility_tables import (
    EquipmentProcessRow,
    EquipmentRow,
    FacilityCertificationRow,
    FacilityMaterialRow,
    FacilityProcessRow,
    FacilityRow,
)
from fabnet.storage.records import (
    RecordRef,
    UpsertCounts,
    WriteOutcome,
    bulk_allocation,
    chunks,
    content_hash,
    fetch_dicts,
    opt_float,
    rows_by_owner,
    str_list,
)
from fabnet.storage.registry import bump_registry_version

_CHILD_TABLES = (
    EquipmentProcessRow,
    EquipmentRow,
    FacilityProcessRow,
    FacilityMaterialRow,
    FacilityCertificationRow,
)


class FacilityRepository:
    """Reads and writes facilities inside the caller's session (services own the transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writing ---------------------------------------------------------------------------------

    def add_or_replace(self, facility: Facility) -> WriteOutcome:
        counts = self.bulk_upsert([facility])
        if counts.created:
            return WriteOutcome.CREATED
        return WriteOutcome.UPDATED if counts.updated else WriteOutcome.UNCHANGED

    def bulk_upsert(self, facilities: Iterable[Facility]) -> UpsertCounts:
        """Insert new facilities and replace changed ones, in a handful of statements.

        A facility equal to the stored one is left alone. When the same id comes twice, the last
        one wins. The registry version changes once if anything changed.
        """
        by_id: dict[str, Facility] = {}
        for facility in facilities:
            by_id.pop(facility.id, None)
            by_id[facility.id] = facility
        ids = list(by_id)
        stored: dict[str, str] = {}
        for chunk in chunks(ids):
            query = select(FacilityRow.id, FacilityRow.content_sha256).where(
                FacilityRow.id.in_(chunk)
            )
            stored.update({row.id: row.content_sha256 for row in self.session.execute(query)})
        counts = UpsertCounts()
        new_rows: builtins.list[dict[str, Any]] = []
        changed_rows: builtins.list[dict[str, Any]] = []
        to_write: builtins.list[Facility] = []
        for facility_id, facility in by_id.items():
            digest = content_hash(facility)
            previous = stored.get(facility_id)
            if previous == digest:
                counts.add(WriteOutcome.UNCHANGED, facility_id)
                continue
            values = _facility_values(facility, digest)
            if previous is None:
                new_rows.append(values)
                counts.add(WriteOutcome.CREATED, facility_id)
            else:
                changed_rows.append(values)
                counts.add(WriteOutcome.UPDATED, facility_id)
            to_write.append(facility)
        if changed_rows:
            self.session.execute(update(FacilityRow), changed_rows)
            self._delete_children(counts.updated)
        if new_rows:
            self.session.execute(insert(FacilityRow), new_rows)
        self._insert_children(to_write)
        if counts.changed:
            bump_registry_version(self.session)
        return counts

    def delete(self, facility_id: str) -> bool:
        """Delete a facility; ``False`` when there was none with that id."""
        self._delete_children([facility_id])
        result = self.session.execute(delete(FacilityRow).where(FacilityRow.id == facility_id))
        deleted = bool(getattr(result, "rowcount", 0))
        if deleted:
            bump_registry_version(self.session)
        return deleted

    def _delete_children(self, facility_ids: Sequence[str]) -> None:
        for chunk in chunks(facility_ids):
            for table in _CHILD_TABLES:
                self.session.execute(delete(table).where(table.facility_id.in_(chunk)))

    def _insert_children(self, facilities: Sequence[Facility]) -> None:
        rows: dict[type[Any], builtins.list[dict[str, Any]]] = {t: [] for t in _CHILD_TABLES}
        for facility in facilities:
            fid = facility.id
            term_lists: tuple[tuple[type[Any], str, tuple[str, ...]], ...] = (
                (FacilityProcessRow, "process", facility.processes),
                (FacilityMaterialRow, "material", facility.typical_materials),
                (FacilityCertificationRow, "certification", facility.certifications),
            )
            for term_table, column, terms in term_lists:
                rows[term_table].extend(
                    {"facility_id": fid, "position": i, column: term}
                    for i, term in enumerate(terms)
                )
            for position, eq in enumerate(facility.equipment):
                rows[EquipmentRow].append(_equipment_values(fid, position, eq))
                rows[EquipmentProcessRow].extend(
                    {"facility_id": fid, "equipment_id": eq.id, "position": i, "process": p}
                    for i, p in enumerate(eq.processes)
                )
        # Parents before children: equipment before its processes.
        insert_order: tuple[type[Any], ...] = (
            FacilityProcessRow,
            FacilityMaterialRow,
            FacilityCertificationRow,
            EquipmentRow,
            EquipmentProcessRow,
        )
        for table in insert_order:
            if rows[table]:
                self.session.execute(insert(table), rows[table])

    # -- reading ---------------------------------------------------------------------------------

    def get(self, facility_id: str) -> Facility | None:
        found = self._load([facility_id])
        return found[0] if found else None

    def get_many(self, facility_ids: Sequence[str]) -> builtins.list[Facility]:
        """The facilities with these ids that exist, in the order asked."""
        by_id = {f.id: f for f in self._load(facility_ids)}
        return [by_id[i] for i in facility_ids if i in by_id]

    def exists(self, facility_id: str) -> bool:
        query = select(FacilityRow.id).where(FacilityRow.id == facility_id)
        return self.session.scalar(query) is not None

    def find_by_prefix(self, prefix: str, *, limit: int = 20) -> builtins.list[RecordRef]:
        """Facilities whose id starts with ``prefix`` (at most ``limit``, by id)."""
        query = (
            select(FacilityRow.id, FacilityRow.name)
            .where(FacilityRow.id.startswith(prefix, autoescape=True))
            .order_by(FacilityRow.id)
            .limit(limit)
        )
        return [RecordRef(id=r.id, name=r.name) for r in self.session.execute(query)]

    def list(
        self,
        limit: int = 50,
        after_id: str | None = None,
        *,
        country: str | None = None,
        process: str | None = None,
        status: FacilityStatus | None = None,
        material: str | None = None,
        certification: str | None = None,
        among: Sequence[str] | None = None,
    ) -> builtins.list[Facility]:
        """A page of facilities ordered by id, after ``after_id``, filtered.

        ``country`` is an ISO 3166-1 alpha-2 code; ``process`` a process taxonomy id that the
        facility declares or that one of its machines has; ``material`` a material id the
        facility declares; ``certification`` a normalised certification code; ``among``: only
        these ids (e.g. the facilities within a radius).
        """
        query = self._filtered_ids(
            country=country,
            process=process,
            status=status,
            material=material,
            certification=certification,
            among=among,
        )
        query = query.order_by(FacilityRow.id).limit(limit)
        if after_id is not None:
            query = query.where(FacilityRow.id > after_id)
        return self._load(builtins.list(self.session.scalars(query)))

    def count(
        self,
        *,
        country: str | None = None,
        process: str | None = None,
        status: FacilityStatus | None = None,
        material: str | None = None,
        certification: str | None = None,
        among: Sequence[str] | None = None,
    ) -> int:
        ids = self._filtered_ids(
            country=country,
            process=process,
            status=status,
            material=material,
            certification=certification,
            among=among,
        ).subquery()
        return int(self.session.scalar(select(func.count()).select_from(ids)) or 0)

    def names(self, facility_ids: Sequence[str] | None) -> dict[str, str | None]:
        """The name of each of ``facility_ids`` that exists (None: of every facility), by id in
        id order: one query, no record loaded."""
        query = select(FacilityRow.id, FacilityRow.name).order_by(FacilityRow.id)
        if facility_ids is not None:
            if not facility_ids:
                return {}
            query = query.where(FacilityRow.id.in_(sorted(set(facility_ids))))
        return {row.id: row.name for row in self.session.execute(query)}

    def points(
        self,
        *,
        country: str | None = None,
        process: str | None = None,
        status: FacilityStatus | None = None,
        material: str | None = None,
        certification: str | None = None,
        among: Sequence[str] | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """The matching facilities' id, name, city, country, latitude, longitude and
        ``location_provenance`` (a Provenance value), by id: one query, for a map of the whole
        registry (no equipment, no extension)."""
        ids = self._filtered_ids(
            country=country,
            process=process,
            status=status,
            material=material,
            certification=certification,
            among=among,
        )
        query = (
            select(
                FacilityRow.id,
                FacilityRow.name,
                FacilityRow.latitude,
                FacilityRow.longitude,
                FacilityRow.city,
                FacilityRow.country,
                # Only the location's provenance, read by the database: no JSON parsed per row.
                FacilityRow.provenance["location"].as_string().label("location_provenance"),
            )
            .where(FacilityRow.id.in_(ids))
            .order_by(FacilityRow.id)
        )
        return [dict(row._mapping) for row in self.session.execute(query)]

    def all_facilities(self) -> builtins.list[Facility]:
        """Every facility, by id: one query per table, no per-facility queries."""
        with bulk_allocation():
            return self._load(None)

    def _filtered_ids(
        self,
        *,
        country: str | None,
        process: str | None,
        status: FacilityStatus | None,
        material: str | None = None,
        certification: str | None = None,
        among: Sequence[str] | None = None,
    ) -> Select[tuple[str]]:
        query = select(FacilityRow.id)
        if country is not None:
            query = query.where(FacilityRow.country == country.upper())
        if status is not None:
            query = query.where(FacilityRow.status == status.value)
        if process is not None:
            declared = select(FacilityProcessRow.facility_id).where(
                FacilityProcessRow.process == process
            )
            on_machine = select(EquipmentProcessRow.facility_id).where(
                EquipmentProcessRow.process == process
            )
            query = query.where(or_(FacilityRow.id.in_(declared), FacilityRow.id.in_(on_machine)))
        if material is not None:
            query = query.where(
                FacilityRow.id.in_(
                    select(FacilityMaterialRow.facility_id).where(
                        FacilityMaterialRow.material == material
                    )
                )
            )
        if certification is not None:
            query = query.where(
                FacilityRow.id.in_(
                    select(FacilityCertificationRow.facility_id).where(
                        FacilityCertificationRow.certification == certification
                    )
                )
            )
        if among is not None:
            query = query.where(FacilityRow.id.in_(builtins.list(among)))
        return query

    def _load(self, facility_ids: Sequence[str] | None) -> builtins.list[Facility]:
        if facility_ids is not None and not facility_ids:
            return []
        heads: builtins.list[dict[str, Any]] = []
        base = select(FacilityRow.__table__).order_by(FacilityRow.id)
        if facility_ids is None:
            heads = fetch_dicts(self.session, base)
        else:
            for chunk in chunks(facility_ids):
                query = base.where(FacilityRow.id.in_(chunk))
                heads.extend(fetch_dicts(self.session, query))
        ids = None if facility_ids is None else [h["id"] for h in heads]
        s = self.session
        order = ["position"]
        processes = rows_by_owner(s, FacilityProcessRow.__table__, "facility_id", ids, order)
        materials = rows_by_owner(s, FacilityMaterialRow.__table__, "facility_id", ids, order)
        certs = rows_by_owner(s, FacilityCertificationRow.__table__, "facility_id", ids, order)
        equipment = rows_by_owner(s, EquipmentRow.__table__, "facility_id", ids, order)
        eq_processes = rows_by_owner(
            s, EquipmentProcessRow.__table__, "facility_id", ids, ["equipment_id", "position"]
        )
        result = []
        for head in heads:
            fid = head["id"]
            machine_processes: dict[str, builtins.list[str]] = {}
            for row in eq_processes.get(fid, []):
                machine_processes.setdefault(row["equipment_id"], []).append(row["process"])
            result.append(
                _facility_from_rows(
                    head,
                    [r["process"] for r in processes.get(fid, [])],
                    [r["material"] for r in materials.get(fid, [])],
                    [r["certification"] for r in certs.get(fid, [])],
                    [
                        _equipment_from_row(r, machine_processes.get(r["equipment_id"], []))
                        for r in equipment.get(fid, [])
                    ],
                )
            )
        return result


# -- mapping ---------------------------------------------------------------------------------------


def _facility_values(facility: Facility, digest: str) -> dict[str, Any]:
    loc = facility.location
    return {
        "id": facility.id,
        "name": facility.name,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "country": loc.country,
        "city": loc.city,
        "region": loc.region,
        "postal_code": loc.postal_code,
        "address": loc.address,
        "status": facility.status.value,
        "access_type": facility.access_type.value if facility.access_type else None,
        "owner": facility.owner,
        "url": facility.url,
        "typical_batch_size": (
            facility.typical_batch_size.value if facility.typical_batch_size else None
        ),
        "headcount": facility.headcount,
        "extension": facility.extension.model_dump(mode="json"),
        "provenance": facility.provenance.model_dump(mode="json"),
        "source": facility.source,
        "content_sha256": digest,
    }


def _equipment_values(facility_id: str, position: int, eq: Equipment) -> dict[str, Any]:
    env = eq.envelope
    return {
        "facility_id": facility_id,
        "equipment_id": eq.id,
        "position": position,
        "equipment_type": eq.equipment_type,
        "make": eq.make,
        "model": eq.model,
        "quantity": eq.quantity,
        "envelope_x_mm": env.x_mm if env else None,
        "envelope_y_mm": env.y_mm if env else None,
        "envelope_z_mm": env.z_mm if env else None,
        "board_limits": (
            None if eq.board_limits is None else eq.board_limits.model_dump(mode="json")
        ),
        "materials": list(eq.materials),
        "tolerance_class": eq.tolerance_class,
        "throughput_units_per_hour": eq.throughput_units_per_hour,
    }


def _equipment_from_row(row: dict[str, Any], processes: list[str]) -> Equipment:
    return Equipment(
        id=row["equipment_id"],
        equipment_type=row["equipment_type"],
        processes=tuple(processes),
        make=row["make"],
        model=row["model"],
        quantity=row["quantity"],
        envelope=(
            Dimensions(
                x_mm=row["envelope_x_mm"], y_mm=row["envelope_y_mm"], z_mm=row["envelope_z_mm"]
            )
            if row["envelope_x_mm"] is not None
            else None
        ),
        board_limits=(
            None if row["board_limits"] is None else BoardLimits.model_validate(row["board_limits"])
        ),
        materials=str_list(row["materials"]),
        tolerance_class=row["tolerance_class"],
        throughput_units_per_hour=opt_float(row["throughput_units_per_hour"]),
    )


def _facility_from_rows(
    head: dict[str, Any],
    processes: list[str],
    materials: list[str],
    certifications: list[str],
    equipment: list[Equipment],
) -> Facility:
    return Facility(
        id=head["id"],
        name=head["name"],
        location=Location(
            latitude=opt_float(head["latitude"]),
            longitude=opt_float(head["longitude"]),
            country=head["country"],
            city=head["city"],
            region=head["region"],
            postal_code=head["postal_code"],
            address=head["address"],
        ),
        status=FacilityStatus(head["status"]),
        access_type=AccessType(head["access_type"]) if head["access_type"] else None,
        owner=head["owner"],
        url=head["url"],
        processes=tuple(processes),
        equipment=tuple(equipment),
        typical_materials=tuple(materials),
        certifications=tuple(certifications),
        typical_batch_size=(
            BatchSize(head["typical_batch_size"]) if head["typical_batch_size"] else None
        ),
        headcount=head["headcount"],
        extension=FabnetExtension.model_validate(head["extension"]),
        provenance=FacilityProvenance.model_validate(head["provenance"]),
        source=head["source"],
    )
