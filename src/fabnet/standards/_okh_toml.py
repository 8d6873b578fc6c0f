"""OKH-LOSH v1 and OKH 2.x manifests (TOML or JSON, kebab-case or camelCase keys) -> Design."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.domain.design import (
    Assembly,
    BomLine,
    FileRef,
    FileRole,
    OkhDialect,
    Part,
    RetailPrice,
)
from fabnet.errors import ManifestError
from fabnet.standards._fields import Fields, to_number
from fabnet.standards._okh_common import (
    file_paths,
    file_refs,
    language_tag,
    license_field,
    readiness_level,
    slug,
    unique_id,
)
from fabnet.standards._okh_design import DesignDraft
from fabnet.standards.dimensions import (
    board_limits,
    parse_board_size,
    parse_layer_count,
    parse_length,
    parse_openscad,
    parse_size_text,
    unit_factor,
)
from fabnet.standards.terms import Terms
from fabnet.vocab.processes import UNSPECIFIC_TSDC

# Fields of the standards that fabnet reads but does not model (documented in docs/standards.md).
_UNMODELLED_TOP = (
    "timestamp",
    "fork-of",
    "software",
    "release",
    "organisation",
    "organization",  # the spelling of the OKH-LOSH 2.4 template
    "rdf",  # the template's RDF namespace and prefix for the crawler's data
    "joining-process",  # the OKH-LOSH data model's module production metadata
    "contribution-guide",
    "auxiliary",
    "publication",
    "upload-method",
    "readme-html",
    "keywords",
)
_UNMODELLED_PART = (
    "image",
    "auxiliary",
    "infill",
    "supports",
    "resolution-mm",
    "raft-brim",
    "smallest-inner-radius-mm",
    "smallest-trace-width-mm",
    "smallest-via-diameter-mm",
    "component-sides",
    "thickness-mm",
    "welding-process",
    "welder-certification",
    "surface-finish",
    # the rest of the OKH-LOSH data model's TsDC fields (PCB, 3DP, laser cutting, finishing)
    "board-thickness-mm",
    "copper-thickness-mm",
    "typical-trace-width-mm",
    "typical-space-copper-copper-mm",
    "smallest-space-copper-copper-mm",
    "silkscreen-sides",
    "solder-mask-sides",
    "multi-copper-thickness-mm",
    "multi-isolator-thickness-mm",
    "shell-thickness",
    "top-bottom-thickness",
    "engraving-depth-mm",
    "resolution-dpi",
    "surcace-finishing-process",  # sic, as the data model spells it
    "surface-finishing-process",
    "joining-process",
)
# A part that is a PCB (OKH-LOSH TsDC PCB): its board size (``2d-size-mm``, "425 , 425" in the
# LOSH data model, or [x, y]) and ``layer-count`` as the TsDC defines them; the finest component
# pitch is fabnet's ``smallest-pitch-mm``, named like the TsDC's other smallest-*-mm fields.
BOARD_SIZE_KEY, LAYER_COUNT_KEY, PITCH_KEY = "2d-size-mm", "layer-count", "smallest-pitch-mm"
_MODULE_PART_KEYS = (
    "tsdc",
    "material",
    "mass",
    "mass-g",
    "mass-kg",
    "outer-dimensions",
    "outer-dimensions-mm",
    "outer-dimensions-cm",
    BOARD_SIZE_KEY,
    LAYER_COUNT_KEY,
    PITCH_KEY,
)
_MASS_UNITS = {"g": 1.0, "kg": 1000.0, "mg": 0.001}
_MASS_TEXT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_LOSH_WORDS_HINT = "the manifest must say who licenses the design"


def read_toml_dialect(root: Fields, dialect: OkhDialect, terms: Terms) -> DesignDraft:
    losh = dialect is OkhDialect.OKH_LOSH_V1
    root.skip("okhv", *_UNMODELLED_TOP)
    draft = DesignDraft(dialect=dialect)
    draft.name = root.text("name", required='add name = "<working title of the hardware>"')
    draft.repository = root.text(
        "repo", required='add repo = "<URL of the repository with the documentation>"'
    )
    version = root.text("version")
    if version is None and losh:
        raise root.error("version", "required field 'version' is missing", 'add version = "1.0.0"')
    draft.version = None if version is None or version.upper() == "UNVERSIONED" else version
    draft.license = license_field(
        root, "license", required='add license = "<SPDX id>", e.g. "CERN-OHL-S-2.0"'
    )
    draft.licensor = _licensors(root)
    draft.function = root.text(
        "function", required='add function = "<what the hardware does, for whom>"'
    )
    draft.description = root.text("description")
    draft.documentation_language = language_tag(root, "documentation-language")
    if draft.documentation_language is None and losh:
        root.log.warn(
            root.at("documentation-language"),
            "OKH-LOSH v1 requires documentation-language; imported without it "
            '(add e.g. documentation-language = "en")',
        )
    draft.technology_readiness_level = readiness_level(root, "technology-readiness-level", "OTRL")
    draft.documentation_readiness_level = readiness_level(
        root, "documentation-readiness-level", "ODRL"
    )
    draft.attestation = root.texts("attestation")
    draft.standard_compliance = root.texts("standard-compliance")
    draft.cpc_patent_class = root.text("cpc-patent-class")
    bom = file_paths(root, "bom")
    if bom:
        draft.bom_file = FileRef(path=bom[0][0], role=FileRole.BOM)
        for extra, where in bom[1:]:
            root.log.warn(where, f"a second BOM {extra!r} is kept as a documentation file")
            draft.files.append(FileRef(path=extra, role=FileRole.DOCUMENTATION))
    draft.files += file_refs(root, FileRole.IMAGE, "image")
    draft.files += file_refs(root, FileRole.DOCUMENTATION, "readme")
    draft.files += file_refs(root, FileRole.DOCUMENTATION, "user-manual")
    draft.files += file_refs(root, FileRole.DOCUMENTATION, "manufacturing-instructions")
    module_sources = file_refs(root, FileRole.SOURCE, "source")
    module_exports = file_refs(root, FileRole.EXPORT, "export")
    taken: set[str] = set()
    for part in root.tables("part"):
        draft.parts.append(_read_part(part, terms, taken))
    if not draft.parts and root.has(*_MODULE_PART_KEYS):
        draft.parts.append(_module_as_part(root, terms, module_sources, module_exports, taken))
    else:
        draft.files += module_sources + module_exports
        # The whole product's TsDC, mass, size and PCB figures beside its parts: defined by
        # OKH, not modelled for a design (its parts carry their own).
        root.skip(
            "tsdc",
            "material",
            "mass",
            "outer-dimensions",
            BOARD_SIZE_KEY,
            LAYER_COUNT_KEY,
            PITCH_KEY,
        )
    extension = root.table("fabnet")
    if extension is not None:
        _read_extension(extension, draft, terms)
    root.warn_unread()
    return draft


def _licensors(root: Fields) -> tuple[str, ...]:
    found = root.raw("licensor")
    if found is None:
        root.log.warn(
            root.at("licensor"),
            "required field 'licensor' is missing; imported without a licensor (add "
            'licensor = "<name of the person or organisation>")',
        )
        return ()
    written, value = found
    names: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping):
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
            continue
        if not isinstance(item, str):
            raise root.error(written, "expected a name or a list of names")
        # Converted manifests carry placeholders like "." or ". Jane Doe" for missing authors.
        cleaned = item.strip().lstrip(".,;- ").strip()
        if cleaned != item.strip() and cleaned:
            root.log.warn(root.at(written), f"licensor {item!r} read as {cleaned!r}")
        if cleaned:
            names.append(cleaned)
    if not names:
        # Converted manifests write "." where the licensor was unknown: a missing licensor.
        root.log.warn(
            root.at(written),
            f"licensor {value!r} names nobody; imported without a licensor (write "
            'licensor = "<name of the person or organisation holding the rights>"; '
            + _LOSH_WORDS_HINT
            + ")",
        )
    return tuple(names)


def _read_part(part: Fields, terms: Terms, taken: set[str]) -> Part:
    name = part.text("name", required='add name = "<part name>"')
    assert name is not None
    fabnet_id = part.text("fabnet-id")
    if fabnet_id is not None:
        if fabnet_id in taken:
            raise part.error(
                "fabnet-id", f"part id {fabnet_id!r} is used twice", "ids must be unique"
            )
        taken.add(fabnet_id)
        part_id = fabnet_id
    else:
        part_id = unique_id(slug(name), taken)
    return _part_fields(part, terms, part_id=part_id, name=name)


def _module_as_part(
    root: Fields,
    terms: Terms,
    sources: list[FileRef],
    exports: list[FileRef],
    taken: set[str],
) -> Part:
    """A manifest without [[part]] but with tsdc/material/size describes one single part."""
    name = root.text("name") or "part"
    part = _part_fields(root, terms, part_id=unique_id(slug(name), taken), name=name)
    root.log.warn(
        root.path or "part",
        "the manifest lists no [[part]]: one stand-in part stands for the whole design; it is "
        "matched "
        "by its processes and materials but not quoted or planned from geometry",
    )
    return part.model_copy(
        update={
            "source_files": tuple(sources),
            "export_files": tuple(exports),
            "stand_in": True,
        }
    )


def _part_fields(part: Fields, terms: Terms, *, part_id: str, name: str) -> Part:
    part.skip(*_UNMODELLED_PART)
    unresolved_from = len(terms.unresolved)
    tsdc_found = part.raw("tsdc")
    tsdc = tuple(code.upper() for code in part.texts("tsdc"))
    tsdc_field = part.at(tsdc_found[0]) if tsdc_found else part.at("tsdc")
    printing = part.text("printing-process")
    declared = part.texts("fabnet-processes") if part.has("fabnet-processes") else None
    if declared is not None:
        processes = tuple(
            p
            for p in (terms.known_process_id(v, part.at("fabnet-processes")) for v in declared)
            if p is not None
        )
    else:
        # A category code such as MEC names a field of hardware, not a process: it is kept in
        # ``tsdc`` and is not a process requirement.
        pairs = [
            (code, tsdc_field)
            for code in tsdc
            if code not in UNSPECIFIC_TSDC and not (printing and code == "3DP")
        ]
        if printing:
            pairs.insert(0, (printing, part.at("printing-process")))
        processes = terms.processes(pairs)
    material_text = part.text("material")
    declared_materials = part.texts("fabnet-materials") if part.has("fabnet-materials") else None
    if declared_materials is not None:
        materials = tuple(
            m
            for m in (
                terms.known_material_id(v, part.at("fabnet-materials")) for v in declared_materials
            )
            if m is not None
        )
    elif material_text is not None:
        materials = terms.materials_in_text(material_text, part.at("material"))
    else:
        materials = ()
    tolerance_text = part.text("smallest-tolerance-class", "tolerance-class")
    tolerance = (
        terms.tolerance(tolerance_text, part.at("smallest-tolerance-class"))
        if tolerance_text
        else None
    )
    kept_unresolved = part.texts("fabnet-unresolved")
    stand_in = part.value("fabnet-stand-in")
    if stand_in is not None and not isinstance(stand_in, bool):
        raise part.error("fabnet-stand-in", "expected true or false")
    purchased = part.value("fabnet-purchased")
    if purchased is not None and not isinstance(purchased, bool):
        raise part.error("fabnet-purchased", "expected true or false")
    return Part(
        id=part_id,
        name=name,
        tsdc=tsdc,
        processes=processes,
        material_text=material_text,
        materials=materials,
        mass_g=_mass(part),
        outer_dimensions=_outer_dimensions(part),
        board=_board(part),
        tolerance_class=tolerance,
        source_files=tuple(file_refs(part, FileRole.SOURCE, "source")),
        export_files=tuple(file_refs(part, FileRole.EXPORT, "export")),
        purchased=bool(purchased),
        unresolved=tuple(dict.fromkeys([*kept_unresolved, *terms.unresolved[unresolved_from:]])),
        stand_in=bool(stand_in),
    )


def _mass(part: Fields) -> float | None:
    found = part.raw("mass")
    if found is None or found[1] is None:
        # the OKH-LOSH data model's TsDC forms: mass-g (3DP), mass-kg (CNC)
        for name, grams in (("mass-g", 1.0), ("mass-kg", 1000.0)):
            number = part.number(name)
            if number is not None:
                if number < 0:
                    raise part.error(name, f"mass {number:g} is negative")
                return number * grams
        return None
    written, value = found
    where = part.at(written)
    hint = 'write mass = 120 (grams) or mass = { value = 0.12, unit = "kg" }'
    if isinstance(value, Mapping):
        table = Fields(value, path=where, log=part.log)
        number = table.number("value")
        unit = (table.text("unit") or "g").casefold()
        if number is None:
            raise table.error("value", "mass has no value", hint)
    elif isinstance(value, str):
        match = _MASS_TEXT.match(value)
        if match is None:
            raise ManifestError(
                f"cannot read mass {value!r}", source=part.source, field=where, hint=hint
            )
        number = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "g").casefold()
    else:
        number = to_number(value, source=part.source, field=where)
        unit = "g"
    factor = _MASS_UNITS.get(unit)
    if factor is None:
        raise ManifestError(
            f"unknown mass unit {unit!r}", source=part.source, field=where, hint=hint
        )
    if number < 0:
        raise ManifestError(
            f"mass {number:g} is negative", source=part.source, field=where, hint=hint
        )
    return number * factor


def _board(part: Fields) -> BoardLimits | None:
    """A PCB's board size, layer count and finest pitch (mm), when the part gives any."""
    size_found = part.raw(BOARD_SIZE_KEY)
    size = None
    if size_found is not None and size_found[1] is not None:
        size = parse_board_size(
            size_found[1], default_unit="mm", source=part.source, field=part.at(size_found[0])
        )
    layers_found = part.raw(LAYER_COUNT_KEY)
    layers = None
    if layers_found is not None and layers_found[1] is not None:
        layers = parse_layer_count(
            layers_found[1], source=part.source, field=part.at(layers_found[0])
        )
    pitch_found = part.raw(PITCH_KEY)
    pitch = None
    if pitch_found is not None and pitch_found[1] is not None:
        pitch = parse_length(
            pitch_found[1], default_unit="mm", source=part.source, field=part.at(pitch_found[0])
        )
    return board_limits(size, layers, pitch)


def _outer_dimensions(part: Fields) -> Dimensions | None:
    found = part.raw("outer-dimensions")
    if found is None or found[1] is None:
        # the OKH-LOSH data model's outer-dimensions-mm (or -cm ...): an openSCAD primitive
        for suffix in ("mm", "cm", "m", "in"):
            primitive = part.text(f"outer-dimensions-{suffix}")
            if primitive is not None:
                at = part.at(f"outer-dimensions-{suffix}")
                factor = unit_factor(suffix, source=part.source, field=at)
                return parse_openscad(primitive, factor=factor, source=part.source, field=at)
        return None
    written, value = found
    where = part.at(written)
    if isinstance(value, str):
        return parse_size_text(value, default_unit="mm", source=part.source, field=where)
    if not isinstance(value, Mapping):
        raise ManifestError(
            f"cannot read outer dimensions from {value!r}",
            source=part.source,
            field=where,
            hint="write outer-dimensions = { width = 120, depth = 100, height = 3 } (mm)",
        )
    table = Fields(value, path=where, log=part.log)
    unit = table.text("unit")
    factor = unit_factor(unit, source=part.source, field=table.at("unit"))
    scad = table.text("openSCAD", "openscad")
    if scad is not None:
        if unit is None:
            part.log.warn(table.at("unit"), "no unit given for openSCAD dimensions; read as mm")
        return parse_openscad(scad, factor=factor, source=part.source, field=table.at("openSCAD"))
    sizes = [table.number(n) for n in ("width", "depth", "height")]
    if any(s is None for s in sizes):
        missing = [n for n, s in zip(("width", "depth", "height"), sizes, strict=True) if s is None]
        raise table.error(
            missing[0],
            f"outer dimensions lack {', '.join(missing)}",
            "write { width = 120, depth = 100, height = 3 } or "
            '{ openSCAD = "cube(size=[120,100,3])", unit = "mm" }',
        )
    x, y, z = (float(s) for s in sizes if s is not None)
    if min(x, y, z) <= 0:
        raise ManifestError(
            f"outer dimensions must be positive, found {x:g} x {y:g} x {z:g}",
            source=part.source,
            field=where,
        )
    return Dimensions(x_mm=x * factor, y_mm=y * factor, z_mm=z * factor)


def _read_extension(ext: Fields, draft: DesignDraft, terms: Terms) -> None:
    """fabnet's own ``[fabnet]`` table: structured BOM and file checksums."""
    part_ids = {p.id for p in draft.parts}
    names = {p.name: p.id for p in draft.parts}
    slugs = {slug(p.name): p.id for p in draft.parts}
    assemblies = ext.tables("assembly")
    assembly_ids: list[str] = []
    for asm in assemblies:
        asm_id = asm.text("id", required='add id = "<assembly id>"')
        assert asm_id is not None
        if asm_id in part_ids or asm_id in assembly_ids:
            raise asm.error("id", f"id {asm_id!r} is already used by a part or an assembly")
        assembly_ids.append(asm_id)
    for asm, asm_id in zip(assemblies, assembly_ids, strict=True):
        name = asm.text("name") or asm_id
        term = asm.text("process") or "assembly"
        process = terms.taxonomy.resolve(term)
        if process is None:
            suggestions = terms.taxonomy.suggest(term)
            raise asm.error(
                "process",
                f"unknown process {term!r} for an assembly step",
                "write a process of fabnet's taxonomy"
                + (f", e.g. {', '.join(map(repr, suggestions))}" if suggestions else ""),
            )
        lines: list[BomLine] = []
        for line in asm.tables("lines"):
            item = line.text("item", required='add item = "<part id, part name or assembly id>"')
            assert item is not None
            item_id = _bom_item(item, part_ids, assembly_ids, names, slugs)
            if item_id is None:
                raise line.error(
                    "item",
                    f"{item!r} is neither a part nor an assembly of this design",
                    "known ids: " + ", ".join(sorted([*part_ids, *assembly_ids])),
                )
            quantity = line.number("quantity")
            if quantity is None:
                quantity = 1.0
            if quantity < 1 or quantity != int(quantity):
                raise line.error("quantity", f"quantity {quantity:g} is not a whole number >= 1")
            lines.append(BomLine(item_id=item_id, quantity=int(quantity)))
            line.warn_unread()
        if not lines:
            raise asm.error(
                "lines",
                "an assembly needs at least one line",
                'add lines = [{ item = "<part>", quantity = 1 }]',
            )
        kind = asm.text("kind") or "facility"
        if kind not in ("manual", "facility"):
            raise asm.error(
                "kind",
                f"unknown assembly kind {kind!r}",
                'write kind = "manual" (a simple step anyone can do) or "facility"',
            )
        minutes = asm.number("minutes-per-unit")
        if minutes is not None and minutes <= 0:
            raise asm.error("minutes-per-unit", f"minutes-per-unit {minutes:g} is not > 0")
        draft.assemblies.append(
            Assembly(
                id=asm_id,
                name=name,
                process=process,
                lines=tuple(lines),
                manual=kind == "manual",
                minutes_per_unit=minutes,
            )
        )
        asm.warn_unread()
    root_id = ext.text("root-assembly")
    if root_id is not None and root_id not in assembly_ids:
        raise ext.error(
            "root-assembly",
            f"{root_id!r} is not an assembly of [[fabnet.assembly]]",
            "name the id of the final assembly",
        )
    if root_id is None and draft.assemblies:
        raise ext.error(
            "root-assembly",
            "assemblies are given but no root-assembly",
            'add root-assembly = "<id of the final assembly>" to [fabnet]',
        )
    _check_cycles(draft.assemblies, ext)
    draft.root_assembly_id = root_id
    for entry in ext.tables("file"):
        draft.file_meta.append(_file_meta(entry))
    draft.retail_price = _retail_price(ext)
    ext.warn_unread()


def _retail_price(ext: Fields) -> RetailPrice | None:
    """``retail-price = 12.5`` (with ``retail-currency = "EUR"``, the default): what the
    finished product costs to buy, for make-vs-buy."""
    amount = ext.number("retail-price")
    currency = ext.text("retail-currency")
    if amount is None:
        if currency is not None:
            raise ext.error(
                "retail-currency", "a retail currency without a retail-price", "add retail-price"
            )
        return None
    if amount <= 0:
        raise ext.error(
            "retail-price", f"retail price {amount:g} is not above 0", "write e.g. 12.50"
        )
    code = (currency or "EUR").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ext.error(
            "retail-currency", f"{currency!r} is not an ISO 4217 code", 'write e.g. "EUR"'
        )
    return RetailPrice(amount=amount, currency=code)


def _bom_item(
    item: str,
    part_ids: set[str],
    assembly_ids: list[str],
    names: dict[str, str],
    slugs: dict[str, str],
) -> str | None:
    if item in part_ids or item in assembly_ids:
        return item
    return names.get(item) or slugs.get(slug(item))


def _check_cycles(assemblies: list[Assembly], ext: Fields) -> None:
    by_id = {a.id: a for a in assemblies}

    def walk(asm_id: str, trail: tuple[str, ...]) -> None:
        if asm_id in trail:
            cycle = " -> ".join((*trail[trail.index(asm_id) :], asm_id))
            raise ext.error(
                "assembly", f"the BOM loops: {cycle}", "an assembly cannot contain itself"
            )
        for line in by_id[asm_id].lines:
            if line.item_id in by_id:
                walk(line.item_id, (*trail, asm_id))

    for asm in assemblies:
        walk(asm.id, ())


def _file_meta(entry: Fields) -> tuple[str, FileRole | None, str | None, int | None, str]:
    path = entry.text("path", required='add path = "<file path as listed in the manifest>"')
    assert path is not None
    role_text = entry.text("role")
    role = None
    if role_text is not None:
        try:
            role = FileRole(role_text.casefold())
        except ValueError:
            raise entry.error(
                "role",
                f"unknown file role {role_text!r}",
                "write one of " + ", ".join(r.value for r in FileRole),
            ) from None
    sha = entry.text("sha256")
    if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha.casefold()):
        raise entry.error("sha256", f"{sha!r} is not a SHA-256 hex digest")
    size = entry.number("size-bytes")
    if size is not None and (size < 0 or size != int(size)):
        raise entry.error("size-bytes", f"{size:g} is not a file size in bytes")
    entry.warn_unread()
    return (
        path,
        role,
        sha.casefold() if sha else None,
        None if size is None else int(size),
        entry.path,
    )


def as_table(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None
