"""A mutable draft of a Design while a reader fills it, and its checked conversion."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from fabnet.domain.design import (
    Assembly,
    Design,
    FileRef,
    FileRole,
    OkhDialect,
    Part,
    RetailPrice,
    design_id_for,
)
from fabnet.errors import ManifestError
from fabnet.standards.report import WarningLog

# (path, role override, sha256, size in bytes, field path of the entry)
FileMeta = tuple[str, FileRole | None, str | None, int | None, str]


@dataclass
class DesignDraft:
    dialect: OkhDialect
    name: str | None = None
    version: str | None = None
    function: str | None = None
    description: str | None = None
    license: str | None = None
    licensor: tuple[str, ...] = ()
    repository: str | None = None
    documentation_language: str | None = None
    technology_readiness_level: str | None = None
    documentation_readiness_level: str | None = None
    attestation: tuple[str, ...] = ()
    standard_compliance: tuple[str, ...] = ()
    cpc_patent_class: str | None = None
    parts: list[Part] = field(default_factory=list)
    assemblies: list[Assembly] = field(default_factory=list)
    root_assembly_id: str | None = None
    bom_file: FileRef | None = None
    files: list[FileRef] = field(default_factory=list)
    file_meta: list[FileMeta] = field(default_factory=list)
    retail_price: RetailPrice | None = None


def build_design(draft: DesignDraft, log: WarningLog) -> Design:
    if draft.name is None:
        raise ManifestError("the design has no name", source=log.source, field="name")
    meta = {m[0]: m for m in draft.file_meta}
    used: set[str] = set()

    def fix(ref: FileRef) -> FileRef:
        entry = meta.get(ref.path)
        if entry is None:
            return ref
        used.add(ref.path)
        _, role, sha, size, _ = entry
        return ref.model_copy(update={"role": role or ref.role, "sha256": sha, "size_bytes": size})

    parts = [
        p.model_copy(
            update={
                "source_files": tuple(fix(f) for f in p.source_files),
                "export_files": tuple(fix(f) for f in p.export_files),
            }
        )
        for p in draft.parts
    ]
    files = tuple(fix(f) for f in draft.files)
    bom = fix(draft.bom_file) if draft.bom_file is not None else None
    for path, _, _, _, where in draft.file_meta:
        if path not in used:
            log.warn(where, f"{path!r} is not a file of this manifest; its checksum is ignored")
    try:
        return Design(
            id=design_id_for(draft.repository, draft.name, draft.version),
            name=draft.name,
            version=draft.version,
            function=draft.function,
            description=draft.description,
            license=draft.license,
            licensor=draft.licensor,
            repository=draft.repository,
            documentation_language=draft.documentation_language,
            technology_readiness_level=draft.technology_readiness_level,
            documentation_readiness_level=draft.documentation_readiness_level,
            attestation=draft.attestation,
            standard_compliance=draft.standard_compliance,
            cpc_patent_class=draft.cpc_patent_class,
            dialect=draft.dialect,
            parts=tuple(parts),
            assemblies=tuple(draft.assemblies),
            root_assembly_id=draft.root_assembly_id,
            bom_file=bom,
            files=files,
            retail_price=draft.retail_price,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise ManifestError(
            f"the manifest does not describe a consistent design: {first['msg']}",
            source=log.source,
            field=where,
        ) from None
