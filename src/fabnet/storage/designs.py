"""DesignRepository: designs as rows and back, exactly (the domain model round-trips)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import (
    Assembly,
    BomLine,
    Design,
    FileRef,
    FileRole,
    OkhDialect,
    Part,
    RetailPrice,
)
from fabnet.storage.design_tables import (
    BomLineRow,
    DesignAssemblyRow,
    DesignFileRow,
    DesignPartRow,
    DesignRow,
)
from fabnet.storage.records import (
    RecordRef,
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

_SLOT_BOM = "bom"
_SLOT_FILE = "file"
_SLOT_SOURCE = "source"
_SLOT_EXPORT = "export"
_CHILD_TABLES = (BomLineRow, DesignFileRow, DesignPartRow, DesignAssemblyRow)


class DesignRepository:
    """Reads and writes designs inside the caller's session (services own the transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writing ---------------------------------------------------------------------------------

    def add_or_replace(self, design: Design) -> WriteOutcome:
        """Store ``design`` under its id; replaces a stored design with the same id.

        Storing a design equal to the stored one changes nothing (not even the registry version).
        """
        digest = content_hash(design)
        stored = self.session.scalar(
            select(DesignRow.content_sha256).where(DesignRow.id == design.id)
        )
        if stored == digest:
            return WriteOutcome.UNCHANGED
        values = _design_values(design, digest)
        if stored is None:
            self.session.execute(insert(DesignRow), [values])
            outcome = WriteOutcome.CREATED
        else:
            self.session.execute(update(DesignRow), [values])
            self._delete_children([design.id])
            outcome = WriteOutcome.UPDATED
        self._insert_children(design)
        bump_registry_version(self.session)
        return outcome

    def delete(self, design_id: str) -> bool:
        """Delete a design; ``False`` when there was none with that id."""
        self._delete_children([design_id])
        result = self.session.execute(delete(DesignRow).where(DesignRow.id == design_id))
        deleted = bool(getattr(result, "rowcount", 0))
        if deleted:
            bump_registry_version(self.session)
        return deleted

    def _delete_children(self, design_ids: Sequence[str]) -> None:
        for table in _CHILD_TABLES:
            self.session.execute(delete(table).where(table.design_id.in_(design_ids)))

    def _insert_children(self, design: Design) -> None:
        parts, assemblies, lines, files = _child_values(design)
        for table, rows in (
            (DesignPartRow, parts),
            (DesignAssemblyRow, assemblies),
            (BomLineRow, lines),
            (DesignFileRow, files),
        ):
            if rows:
                self.session.execute(insert(table), rows)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, design_id: str) -> Design | None:
        found = self._load([design_id])
        return found[0] if found else None

    def get_many(self, design_ids: Sequence[str]) -> builtins.list[Design]:
        """The designs with these ids that exist, in the order asked."""
        by_id = {d.id: d for d in self._load(design_ids)}
        return [by_id[i] for i in design_ids if i in by_id]

    def exists(self, design_id: str) -> bool:
        return (
            self.session.scalar(select(DesignRow.id).where(DesignRow.id == design_id)) is not None
        )

    def find_by_prefix(self, prefix: str, *, limit: int = 20) -> builtins.list[RecordRef]:
        """Designs whose id starts with ``prefix`` (at most ``limit``, by id)."""
        query = (
            select(DesignRow.id, DesignRow.name)
            .where(DesignRow.id.startswith(prefix, autoescape=True))
            .order_by(DesignRow.id)
            .limit(limit)
        )
        return [RecordRef(id=r.id, name=r.name) for r in self.session.execute(query)]

    def list(self, limit: int = 50, after_id: str | None = None) -> builtins.list[Design]:
        """A page of designs ordered by id, starting after ``after_id`` (cursor pagination)."""
        query = select(DesignRow.id).order_by(DesignRow.id).limit(limit)
        if after_id is not None:
            query = query.where(DesignRow.id > after_id)
        return self._load(list(self.session.scalars(query)))

    def all_designs(self) -> builtins.list[Design]:
        """Every design, by id (bulk load: one query per table)."""
        with bulk_allocation():
            return self._load(None)

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(DesignRow)) or 0)

    def _load(self, design_ids: Sequence[str] | None) -> builtins.list[Design]:
        if design_ids is not None and not design_ids:
            return []
        heads: builtins.list[dict[str, Any]] = []
        base = select(DesignRow.__table__).order_by(DesignRow.id)
        if design_ids is None:
            heads = fetch_dicts(self.session, base)
        else:
            for chunk in chunks(design_ids):
                query = base.where(DesignRow.id.in_(chunk))
                heads.extend(fetch_dicts(self.session, query))
        ids = None if design_ids is None else [h["id"] for h in heads]
        s = self.session
        parts = rows_by_owner(s, DesignPartRow.__table__, "design_id", ids, ["position"])
        assemblies = rows_by_owner(s, DesignAssemblyRow.__table__, "design_id", ids, ["position"])
        lines = rows_by_owner(
            s, BomLineRow.__table__, "design_id", ids, ["assembly_id", "position"]
        )
        files = rows_by_owner(s, DesignFileRow.__table__, "design_id", ids, ["position"])
        return [
            _design_from_rows(
                head,
                parts.get(head["id"], []),
                assemblies.get(head["id"], []),
                lines.get(head["id"], []),
                files.get(head["id"], []),
            )
            for head in heads
        ]


# -- mapping ---------------------------------------------------------------------------------------


def _design_values(design: Design, digest: str) -> dict[str, Any]:
    return {
        "id": design.id,
        "name": design.name,
        "version": design.version,
        "function": design.function,
        "description": design.description,
        "license": design.license,
        "licensor": list(design.licensor),
        "repository": design.repository,
        "documentation_language": design.documentation_language,
        "technology_readiness_level": design.technology_readiness_level,
        "documentation_readiness_level": design.documentation_readiness_level,
        "attestation": list(design.attestation),
        "standard_compliance": list(design.standard_compliance),
        "cpc_patent_class": design.cpc_patent_class,
        "dialect": design.dialect.value if design.dialect else None,
        "root_assembly_id": design.root_assembly_id,
        "retail_price": (
            None if design.retail_price is None else design.retail_price.model_dump(mode="json")
        ),
        "content_sha256": digest,
    }


def _child_values(
    design: Design,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    parts: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []

    def add_file(ref: FileRef, slot: str, part_id: str | None) -> None:
        files.append(
            {
                "design_id": design.id,
                "position": len(files),
                "slot": slot,
                "part_id": part_id,
                "path": ref.path,
                "role": ref.role.value,
                "sha256": ref.sha256,
                "size_bytes": ref.size_bytes,
            }
        )

    for position, part in enumerate(design.parts):
        dims = part.outer_dimensions
        parts.append(
            {
                "design_id": design.id,
                "part_id": part.id,
                "position": position,
                "name": part.name,
                "tsdc": list(part.tsdc),
                "processes": list(part.processes),
                "material_text": part.material_text,
                "materials": list(part.materials),
                "mass_g": part.mass_g,
                "size_x_mm": dims.x_mm if dims else None,
                "size_y_mm": dims.y_mm if dims else None,
                "size_z_mm": dims.z_mm if dims else None,
                "board": None if part.board is None else part.board.model_dump(mode="json"),
                "tolerance_class": part.tolerance_class,
                "purchased": part.purchased,
                "unresolved": list(part.unresolved),
                "stand_in": part.stand_in,
            }
        )
        for ref in part.source_files:
            add_file(ref, _SLOT_SOURCE, part.id)
        for ref in part.export_files:
            add_file(ref, _SLOT_EXPORT, part.id)
    if design.bom_file is not None:
        add_file(design.bom_file, _SLOT_BOM, None)
    for ref in design.files:
        add_file(ref, _SLOT_FILE, None)
    assemblies = [
        {
            "design_id": design.id,
            "assembly_id": asm.id,
            "position": position,
            "name": asm.name,
            "process": asm.process,
            "manual": asm.manual,
            "minutes_per_unit": asm.minutes_per_unit,
        }
        for position, asm in enumerate(design.assemblies)
    ]
    lines = [
        {
            "design_id": design.id,
            "assembly_id": asm.id,
            "position": position,
            "item_id": line.item_id,
            "quantity": line.quantity,
        }
        for asm in design.assemblies
        for position, line in enumerate(asm.lines)
    ]
    return parts, assemblies, lines, files


def _file_ref(row: dict[str, Any]) -> FileRef:
    return FileRef(
        path=row["path"],
        role=FileRole(row["role"]),
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
    )


def _design_from_rows(
    head: dict[str, Any],
    part_rows: list[dict[str, Any]],
    assembly_rows: list[dict[str, Any]],
    line_rows: list[dict[str, Any]],
    file_rows: list[dict[str, Any]],
) -> Design:
    part_files: dict[tuple[str, str], list[FileRef]] = {}
    bom_file: FileRef | None = None
    other_files: list[FileRef] = []
    for row in file_rows:
        ref = _file_ref(row)
        if row["slot"] == _SLOT_BOM:
            bom_file = ref
        elif row["slot"] == _SLOT_FILE:
            other_files.append(ref)
        else:
            part_files.setdefault((row["part_id"], row["slot"]), []).append(ref)
    lines_by_assembly: dict[str, list[BomLine]] = {}
    for row in line_rows:
        lines_by_assembly.setdefault(row["assembly_id"], []).append(
            BomLine(item_id=row["item_id"], quantity=row["quantity"])
        )
    parts = [
        Part(
            id=row["part_id"],
            name=row["name"],
            tsdc=str_list(row["tsdc"]),
            processes=str_list(row["processes"]),
            material_text=row["material_text"],
            materials=str_list(row["materials"]),
            mass_g=opt_float(row["mass_g"]),
            outer_dimensions=(
                Dimensions(x_mm=row["size_x_mm"], y_mm=row["size_y_mm"], z_mm=row["size_z_mm"])
                if row["size_x_mm"] is not None
                else None
            ),
            board=None if row["board"] is None else BoardLimits.model_validate(row["board"]),
            tolerance_class=row["tolerance_class"],
            source_files=tuple(part_files.get((row["part_id"], _SLOT_SOURCE), ())),
            export_files=tuple(part_files.get((row["part_id"], _SLOT_EXPORT), ())),
            purchased=bool(row["purchased"]),
            unresolved=str_list(row["unresolved"]),
            stand_in=bool(row["stand_in"]),
        )
        for row in part_rows
    ]
    assemblies = [
        Assembly(
            id=row["assembly_id"],
            name=row["name"],
            process=row["process"],
            lines=tuple(lines_by_assembly.get(row["assembly_id"], ())),
            manual=bool(row["manual"]),
            minutes_per_unit=row["minutes_per_unit"],
        )
        for row in assembly_rows
    ]
    return Design(
        id=head["id"],
        name=head["name"],
        version=head["version"],
        function=head["function"],
        description=head["description"],
        license=head["license"],
        licensor=str_list(head["licensor"]),
        repository=head["repository"],
        documentation_language=head["documentation_language"],
        technology_readiness_level=head["technology_readiness_level"],
        documentation_readiness_level=head["documentation_readiness_level"],
        attestation=str_list(head["attestation"]),
        standard_compliance=str_list(head["standard_compliance"]),
        cpc_patent_class=head["cpc_patent_class"],
        dialect=OkhDialect(head["dialect"]) if head["dialect"] else None,
        parts=tuple(parts),
        assemblies=tuple(assemblies),
        root_assembly_id=head["root_assembly_id"],
        bom_file=bom_file,
        files=tuple(other_files),
        retail_price=(
            None
            if head["retail_price"] is None
            else RetailPrice.model_validate(head["retail_price"])
        ),
    )
