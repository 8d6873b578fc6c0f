"""OKH v1 (2019) YAML manifests -> Design.

Required by the v1 specification: ``title``, ``description``, ``license`` (a table with at least
one of ``hardware``, ``documentation``, ``software``) and ``project-link`` or
``documentation-home``. The hardware licence is the design's licence; the others are reported.
"""

from __future__ import annotations

from fabnet.domain.design import FileRef, FileRole, OkhDialect, Part
from fabnet.standards._fields import Fields
from fabnet.standards._okh_common import (
    file_paths,
    file_refs,
    language_tag,
    license_field,
    person_names,
    slug,
    unique_id,
)
from fabnet.standards._okh_design import DesignDraft

_UNMODELLED = (
    "okhv",
    "date-created",
    "date-updated",
    "manifest-language",
    "keywords",
    "contact",
    "contributors",
    "affiliation",
    "made-independently",
    "made",
    "health-safety-notice",
    "variant-of",
    "derivative-of",
    "development-stage",
    "software",
    "publications",
    "intended-use-examples",
    "documentation-language",
    "manifest-author",
)
_DOCUMENTS = (
    "making-instructions",
    "operating-instructions",
    "tool-list",
    "quality-instructions",
    "risk-assessment",
    "user-manual",
    "schematics",
    "maintenance-instructions",
    "disposal-instructions",
)


def read_v1(root: Fields) -> DesignDraft:
    draft = DesignDraft(dialect=OkhDialect.OKH_V1)
    draft.name = root.text("title", required="add title: <name of the hardware>")
    description = root.text("description", required="add description: <what the hardware is>")
    draft.description = description
    draft.function = root.text("intended-use") or description
    draft.version = root.text("version")
    draft.license = _v1_license(root)
    project = root.text("project-link")
    home = root.text("documentation-home")
    if project is None and home is None:
        raise root.error(
            "project-link",
            "neither project-link nor documentation-home is given",
            "add project-link: <URL of the project> (or documentation-home: <URL>)",
        )
    draft.repository = project or home
    if home is not None and project is not None:
        draft.files.append(FileRef(path=home, role=FileRole.DOCUMENTATION))
    author = root.value("manifest-author")
    if not person_names(author):
        root.log.warn(
            root.at("manifest-author"),
            "no manifest-author name; the v1 template asks for manifest-author: {name: ...}",
        )
    licensor = root.value("licensor")
    draft.licensor = tuple(person_names(licensor)) if licensor is not None else ()
    draft.documentation_language = language_tag(root, "documentation-language")
    draft.standard_compliance = _standards(root)
    bom = file_paths(root, "bom")
    if bom:
        draft.bom_file = FileRef(path=bom[0][0], role=FileRole.BOM)
    draft.files += file_refs(root, FileRole.IMAGE, "image")
    draft.files += file_refs(root, FileRole.SOURCE, "design-files")
    draft.files += file_refs(root, FileRole.EXPORT, "manufacturing-files")
    for name in _DOCUMENTS:
        draft.files += file_refs(root, FileRole.DOCUMENTATION, name)
    taken: set[str] = set()
    for sub in root.tables("sub-parts"):
        draft.parts.append(_sub_part(sub, taken))
    root.skip(*_UNMODELLED)
    root.warn_unread()
    return draft


def _v1_license(root: Fields) -> str | None:
    hint = "add license: {hardware: <SPDX id>, documentation: <SPDX id>}"
    found = root.raw("license")
    if found is None or found[1] is None:
        raise root.error("license", "required field 'license' is missing", hint)
    written, value = found
    if isinstance(value, str):
        root.log.warn(
            root.at(written),
            "OKH v1 expects license: {hardware: ..., documentation: ...}; "
            "the single licence is read as the hardware licence",
        )
        return license_field(root, written, required=hint)
    table = root.table(written)
    assert table is not None
    hardware = license_field(table, "hardware", required=None)
    others = {
        kind: license_field(table, kind, required=None) for kind in ("documentation", "software")
    }
    table.warn_unread()
    for kind, expression in others.items():
        if expression is not None and expression != hardware:
            root.log.warn(
                table.at(kind),
                f"{kind} licence {expression!r} is not the design licence; fabnet keeps the "
                "hardware licence",
            )
    if hardware is not None:
        return hardware
    fallback = others["documentation"] or others["software"]
    if fallback is None:
        raise root.error(
            written, "the licence names no hardware, documentation or software licence", hint
        )
    root.log.warn(
        table.at("hardware"),
        f"no hardware licence; the design is imported under {fallback!r} (add hardware: <SPDX id>)",
    )
    return fallback


def _standards(root: Fields) -> tuple[str, ...]:
    out: list[str] = []
    for std in root.tables("standards-used"):
        text = std.text("reference") or std.text("standard-title")
        std.skip("publisher", "certifications", "standard-title", "reference")
        if text:
            out.append(text)
    return tuple(out)


def _sub_part(sub: Fields, taken: set[str]) -> Part:
    name = sub.text("title", "name", required="add title: <part name>")
    assert name is not None
    part = Part(
        id=unique_id(slug(name), taken),
        name=name,
        source_files=tuple(file_refs(sub, FileRole.SOURCE, "design-files")),
        export_files=tuple(file_refs(sub, FileRole.EXPORT, "manufacturing-files")),
    )
    sub.skip("manifest", "quantity", "image", "description", "link")
    sub.warn_unread()
    return part
