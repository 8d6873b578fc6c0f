"""Designs out as OKH 2.x manifests (``okhv = "2.4"``, kebab-case keys), TOML or JSON.

What OKH cannot say goes under fabnet's own ``[fabnet]`` table (and ``fabnet-*`` keys in a
``[[part]]``): the structured BOM (``[[fabnet.assembly]]``, ``root-assembly``), file checksums and
roles (``[[fabnet.file]]``), and each part's id, resolved process and material ids and whether it is
bought in. Other OKH readers ignore them; fabnet reads them back so that a round trip keeps every
field fabnet models.
"""

from __future__ import annotations

import json
from typing import Any

import tomli_w

from fabnet.domain.design import Assembly, Design, FileRef, FileRole, Part
from fabnet.errors import ManifestError

OKH_VERSION = "2.4"
# The manifest key each file role is written under, and the role that key reads back as.
_ROLE_KEY = {
    FileRole.IMAGE: "image",
    FileRole.DOCUMENTATION: "manufacturing-instructions",
    FileRole.BOM: "manufacturing-instructions",
    FileRole.SOURCE: "source",
    FileRole.EXPORT: "export",
}
_KEY_ROLE = {
    "image": FileRole.IMAGE,
    "manufacturing-instructions": FileRole.DOCUMENTATION,
    "source": FileRole.SOURCE,
    "export": FileRole.EXPORT,
}


def design_document(design: Design) -> dict[str, Any]:
    """The OKH 2.x manifest of ``design`` as plain data (key order as written)."""
    _require_okh2_fields(design)
    doc: dict[str, Any] = {"okhv": OKH_VERSION, "name": design.name, "repo": design.repository}
    _put(doc, "version", design.version)
    doc["license"] = design.license
    doc["licensor"] = design.licensor[0] if len(design.licensor) == 1 else list(design.licensor)
    doc["function"] = design.function
    _put(doc, "description", design.description)
    _put(doc, "documentation-language", design.documentation_language)
    _put(doc, "technology-readiness-level", design.technology_readiness_level)
    _put(doc, "documentation-readiness-level", design.documentation_readiness_level)
    _put(doc, "attestation", list(design.attestation) or None)
    _put(doc, "standard-compliance", list(design.standard_compliance) or None)
    _put(doc, "cpc-patent-class", design.cpc_patent_class)
    file_meta: list[dict[str, Any]] = []
    if design.bom_file is not None:
        doc["bom"] = design.bom_file.path
        _meta(design.bom_file, FileRole.BOM, file_meta)
    for key in ("image", "manufacturing-instructions", "source", "export"):
        refs = [f for f in design.files if _ROLE_KEY[f.role] == key]
        if refs:
            doc[key] = [f.path for f in refs]
            for ref in refs:
                _meta(ref, _KEY_ROLE[key], file_meta)
    if design.parts:
        doc["part"] = [_part_table(p, file_meta) for p in design.parts]
    extension: dict[str, Any] = {}
    if design.root_assembly_id is not None:
        extension["root-assembly"] = design.root_assembly_id
    if design.assemblies:
        extension["assembly"] = [_assembly_table(a) for a in design.assemblies]
    if file_meta:
        extension["file"] = file_meta
    if design.retail_price is not None:
        extension["retail-price"] = design.retail_price.amount
        extension["retail-currency"] = design.retail_price.currency
    if extension:
        doc["fabnet"] = extension
    return doc


def dump_design_okh_toml(design: Design) -> str:
    """``okh.toml`` for ``design`` (OKH 2.4 with the ``[fabnet]`` extension)."""
    return tomli_w.dumps(design_document(design))


def dump_design_json(design: Design) -> str:
    """The same manifest as :func:`dump_design_okh_toml`, as JSON."""
    return json.dumps(design_document(design), indent=2, ensure_ascii=False) + "\n"


def _require_okh2_fields(design: Design) -> None:
    missing = [
        name
        for name, value in (
            ("repo", design.repository),
            ("license", design.license),
            ("licensor", design.licensor),
            ("function", design.function),
        )
        if not value
    ]
    if missing:
        raise ManifestError(
            f"OKH 2.x requires {', '.join(missing)}, which the design does not have",
            source=f"design {design.id}",
            field=missing[0],
            hint="add the missing fields to the design before exporting it",
        )


def _put(doc: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        doc[key] = value


def _meta(ref: FileRef, role_read_back: FileRole, out: list[dict[str, Any]]) -> None:
    entry: dict[str, Any] = {"path": ref.path}
    if ref.role is not role_read_back:
        entry["role"] = ref.role.value
    if ref.sha256 is not None:
        entry["sha256"] = ref.sha256
    if ref.size_bytes is not None:
        entry["size-bytes"] = ref.size_bytes
    if len(entry) > 1:
        out.append(entry)


def _part_table(part: Part, file_meta: list[dict[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {"name": part.name, "fabnet-id": part.id}
    if part.tsdc:
        table["tsdc"] = list(part.tsdc)
    table["fabnet-processes"] = list(part.processes)
    _put(table, "material", part.material_text)
    table["fabnet-materials"] = list(part.materials)
    _put(table, "mass", part.mass_g)
    if part.outer_dimensions is not None:
        d = part.outer_dimensions
        table["outer-dimensions"] = {"width": d.x_mm, "depth": d.y_mm, "height": d.z_mm}
    if part.board is not None:
        b = part.board
        if b.x_mm is not None and b.y_mm is not None:
            table["2d-size-mm"] = [b.x_mm, b.y_mm]
        _put(table, "layer-count", b.layers)
        _put(table, "smallest-pitch-mm", b.pitch_mm)
    _put(table, "smallest-tolerance-class", part.tolerance_class)
    if part.source_files:
        table["source"] = [f.path for f in part.source_files]
        for ref in part.source_files:
            _meta(ref, FileRole.SOURCE, file_meta)
    if part.export_files:
        table["export"] = [f.path for f in part.export_files]
        for ref in part.export_files:
            _meta(ref, FileRole.EXPORT, file_meta)
    if part.purchased:
        table["fabnet-purchased"] = True
    if part.unresolved:
        table["fabnet-unresolved"] = list(part.unresolved)
    if part.stand_in:
        table["fabnet-stand-in"] = True
    return table


def _assembly_table(a: Assembly) -> dict[str, Any]:
    table: dict[str, Any] = {"id": a.id, "name": a.name, "process": a.process}
    if a.manual:
        table["kind"] = "manual"
    if a.minutes_per_unit is not None:
        table["minutes-per-unit"] = a.minutes_per_unit
    table["lines"] = [{"item": ln.item_id, "quantity": ln.quantity} for ln in a.lines]
    return table
