"""A design: an open-hardware product as described by its OKH manifest."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from fabnet.domain.common import BoardLimits, Dimensions, Frozen, stable_id


class FileRole(StrEnum):
    SOURCE = "source"  # native, editable CAD (.scad, .FCStd, .kicad_pcb)
    EXPORT = "export"  # exchange formats (.stl, .3mf, .step, .pdf)
    BOM = "bom"
    DOCUMENTATION = "documentation"
    IMAGE = "image"


class FileRef(Frozen):
    """A file of a design: a path relative to the manifest, or a URL; sha256 once stored."""

    path: str
    role: FileRole
    sha256: str | None = None
    size_bytes: int | None = None


class OkhDialect(StrEnum):
    OKH_V1 = "okh-v1"  # YAML, 2019
    OKH_LOSH_V1 = "okh-losh-v1"  # TOML, okhv = "OKH-LOSHv1.0"
    OKH_V2 = "okh-v2"  # TOML or JSON, okhv = "2.x"


class Part(Frozen):
    """A part to be manufactured (or bought) as one piece."""

    id: str = Field(description="Unique within the design: a slug of the part name")
    name: str
    tsdc: tuple[str, ...] = ()
    processes: tuple[str, ...] = Field(
        default=(), description="Process taxonomy ids; any one of them makes the part"
    )
    material_text: str | None = Field(default=None, description="Material as written")
    materials: tuple[str, ...] = Field(
        default=(), description="Material vocabulary ids; any one of them is acceptable"
    )
    mass_g: float | None = Field(default=None, ge=0)
    outer_dimensions: Dimensions | None = None
    board: BoardLimits | None = Field(
        default=None,
        description="A printed circuit board: its size, layer count and finest pitch; matched "
        "against electronics equipment's board limits",
    )
    tolerance_class: str | None = Field(
        default=None, description="Normalised tolerance class, e.g. 'ISO2768-m' or 'IT9'"
    )
    source_files: tuple[FileRef, ...] = ()
    export_files: tuple[FileRef, ...] = ()
    purchased: bool = Field(default=False, description="Bought in, not manufactured")
    unresolved: tuple[str, ...] = Field(
        default=(),
        description="Terms of the part's requirement that no vocabulary understood, in words; "
        "each stays a requirement no facility is known to meet",
    )
    stand_in: bool = Field(
        default=False,
        description="The manifest lists no parts: this one part stands for the whole design "
        "(its geometry is not known part by part)",
    )


class BomLine(Frozen):
    """``quantity`` of a part or a sub-assembly inside an assembly."""

    item_id: str = Field(description="A part id or an assembly id of the same design")
    quantity: int = Field(ge=1)


class Assembly(Frozen):
    """A step that joins parts and sub-assemblies; done at a facility with ``process``."""

    id: str
    name: str
    process: str = Field(default="assembly", description="Process taxonomy id of the step")
    lines: tuple[BomLine, ...]
    manual: bool = Field(
        default=False,
        description="A simple manual step (e.g. clip a visor to a headband), declared by the "
        'design (``kind = "manual"``): any staffed facility making one of the parts, or the '
        "recipient of a kit, may do it",
    )
    minutes_per_unit: float | None = Field(
        default=None, gt=0, description="Labour minutes per unit of a manual step"
    )


class RetailPrice(Frozen):
    """What the product costs to buy ready-made (fabnet's ``[fabnet] retail-price`` extension)."""

    amount: float = Field(gt=0)
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class Design(Frozen):
    id: str
    name: str
    version: str | None = None
    function: str | None = None
    description: str | None = None
    license: str | None = Field(default=None, description="Normalised SPDX license expression")
    licensor: tuple[str, ...] = ()
    repository: str | None = None
    documentation_language: str | None = None
    technology_readiness_level: str | None = Field(default=None, description="OTRL-1..6")
    documentation_readiness_level: str | None = Field(default=None, description="ODRL-1..4")
    attestation: tuple[str, ...] = ()
    standard_compliance: tuple[str, ...] = ()
    cpc_patent_class: str | None = None
    dialect: OkhDialect | None = None
    parts: tuple[Part, ...] = ()
    assemblies: tuple[Assembly, ...] = ()
    root_assembly_id: str | None = Field(
        default=None,
        description="The final assembly; None when the product is a single part",
    )
    bom_file: FileRef | None = None
    files: tuple[FileRef, ...] = Field(default=(), description="Other files: docs, images")
    retail_price: RetailPrice | None = Field(
        default=None, description="Price to buy the finished product, recorded with the design"
    )

    @model_validator(mode="after")
    def _check_bom(self) -> Design:
        part_ids = [p.id for p in self.parts]
        asm_ids = [a.id for a in self.assemblies]
        ids = part_ids + asm_ids
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate part or assembly ids: {', '.join(dup)}")
        known = set(ids)
        for asm in self.assemblies:
            for line in asm.lines:
                if line.item_id not in known:
                    raise ValueError(f"assembly {asm.id!r} names unknown item {line.item_id!r}")
        if self.root_assembly_id is not None and self.root_assembly_id not in set(asm_ids):
            raise ValueError(f"root assembly {self.root_assembly_id!r} is not an assembly")
        return self

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    def assembly(self, assembly_id: str) -> Assembly:
        for a in self.assemblies:
            if a.id == assembly_id:
                return a
        raise KeyError(assembly_id)

    def part_quantities(self) -> dict[str, int]:
        """Parts per finished product, exploded through all sub-assemblies.

        A single-part design (no root assembly) needs one of each part.
        """
        if self.root_assembly_id is None:
            return {p.id: 1 for p in self.parts}
        totals: dict[str, int] = {}
        by_id = {a.id: a for a in self.assemblies}

        def walk(asm_id: str, factor: int, seen: tuple[str, ...]) -> None:
            if asm_id in seen:
                raise ValueError(f"BOM cycle through assembly {asm_id!r}")
            for line in by_id[asm_id].lines:
                if line.item_id in by_id:
                    walk(line.item_id, factor * line.quantity, (*seen, asm_id))
                else:
                    totals[line.item_id] = totals.get(line.item_id, 0) + factor * line.quantity

        walk(self.root_assembly_id, 1, ())
        return totals


def design_id_for(repository: str | None, name: str, version: str | None) -> str:
    """Deterministic design id: the same manifest imported twice keeps its id."""
    return stable_id("design", (repository or "").strip().lower(), name.strip(), version or "")
