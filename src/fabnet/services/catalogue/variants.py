"""Variant use cases: a design's OpenSCAD Customizer parameters, and derived designs from them.

:func:`design_parameters` reads the parameters of every ``.scad`` source of a design (from the
file store, as imported) and the parameter sets of its OpenSCAD parameter files
(``<source>.json`` next to the ``.scad``, referenced by the manifest).

:func:`create_variant` makes a **variant**: a design of its own (id derived from the parent's id
and the values, so the same values give the same variant), whose manufactured parts are rendered
with the values by :func:`fabnet.quoting_tools.openscad.render_stl` (safe: time and memory
limits, own folder, only the design's own files). Each part's STL goes into the file store by
sha256; outer dimensions and mass (solid volume x material density) are measured from the mesh
with trimesh, so nothing goes stale; quotes of the variant are cached per file hash like every
other part's (``quote_cache``). The licence decides first (:mod:`fabnet.standards.derivatives`):
NoDerivatives refuses, attribution and share-alike obligations are recorded with the variant and
exported in its OKH manifest, which names its parent with ``fork-of``.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w

from fabnet.domain.common import Dimensions
from fabnet.domain.design import Design, FileRef, FileRole, Part
from fabnet.engine.quoting.density import density_for
from fabnet.errors import InputError, NotFoundError
from fabnet.quoting_tools.geometry import load_part_geometry
from fabnet.quoting_tools.openscad import render_stl
from fabnet.services.catalogue.designs import resolve_design
from fabnet.services.platform.database import open_file_store
from fabnet.settings import get_settings
from fabnet.standards.derivatives import DerivativeTerms, derivative_terms
from fabnet.standards.okh_export import design_document
from fabnet.standards.openscad_customizer import (
    Customizer,
    Parameter,
    Value,
    parse_customizer,
    read_parameter_sets,
)
from fabnet.standards.order_file import DeliveryPointSpec, OrderSpec, ProductSpec
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.files import FileStore, StoredFileRepository
from fabnet.storage.variants import VariantRecord, VariantRepository

VARIANT_NAMESPACE = uuid.UUID("5b0c6a52-3f7e-4c36-9a43-1b7f3f1e2d14")
PART_PARAMETER = "part"
"""A source with this parameter renders one part per value: ``part="<stl stem>"``."""


@dataclass(frozen=True)
class SourceParameters:
    source: str
    customizer: Customizer
    parameter_sets: dict[str, dict[str, str]]
    parts: tuple[str, ...]


@dataclass(frozen=True)
class DesignParameters:
    design_id: str
    design_name: str
    sources: tuple[SourceParameters, ...]
    derivatives: DerivativeTerms

    def parameters(self) -> list[Parameter]:
        """Every settable parameter, once (the first source that declares it wins)."""
        seen: dict[str, Parameter] = {}
        for source in self.sources:
            for param in source.customizer.parameters:
                if param.name != PART_PARAMETER:
                    seen.setdefault(param.name, param)
        return list(seen.values())

    def parameter_sets(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for source in self.sources:
            for name, values in source.parameter_sets.items():
                out.setdefault(name, {}).update(values)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "design_id": self.design_id,
            "design_name": self.design_name,
            "variants_allowed": self.derivatives.allowed,
            "licence": self.derivatives.reason,
            "obligations": list(self.derivatives.obligations),
            "parameters": [p.to_json() for p in self.parameters()],
            "parameter_sets": self.parameter_sets(),
            "sources": [
                {
                    "source": s.source,
                    "parts": list(s.parts),
                    "parameters": list(s.customizer.names()),
                }
                for s in self.sources
            ],
        }


@dataclass(frozen=True)
class PartRender:
    part_id: str
    path: str
    sha256: str
    size_bytes: int
    dimensions: Dimensions
    mass_g: float | None
    watertight: bool


@dataclass(frozen=True)
class Variant:
    design: Design
    parent: Design
    set_name: str
    values: dict[str, Value]
    parts: tuple[PartRender, ...]
    obligations: tuple[str, ...]
    fork_of: str | None
    created: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.design.id,
            "name": self.design.name,
            "parent_id": self.parent.id,
            "parent_name": self.parent.name,
            "parameter_set": self.set_name,
            "parameters": {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.values.items()
            },
            "license": self.design.license,
            "obligations": list(self.obligations),
            "fork_of": self.fork_of,
            "created": self.created,
            "parts": [
                {
                    "part_id": p.part_id,
                    "file": p.path,
                    "sha256": p.sha256,
                    "size_bytes": p.size_bytes,
                    "outer_dimensions_mm": {
                        "width": round(p.dimensions.x_mm, 2),
                        "depth": round(p.dimensions.y_mm, 2),
                        "height": round(p.dimensions.z_mm, 2),
                    },
                    "mass_g": None if p.mass_g is None else round(p.mass_g, 2),
                    "watertight": p.watertight,
                }
                for p in self.parts
            ],
        }


def _all_refs(design: Design) -> list[FileRef]:
    refs = [r for p in design.parts for r in (*p.source_files, *p.export_files)]
    if design.bom_file is not None:
        refs.append(design.bom_file)
    return [*refs, *design.files]


def _materialise(design: Design, store: FileStore, folder: Path) -> None:
    """Write the design's stored files into ``folder`` under their manifest paths."""
    for ref in _all_refs(design):
        if ref.sha256 is None or not store.exists(ref.sha256):
            continue
        relative = PurePosixPath(ref.path)
        if relative.is_absolute() or ".." in relative.parts:
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(store.read_bytes(ref.sha256))


def _scad_sources(design: Design) -> dict[str, list[Part]]:
    sources: dict[str, list[Part]] = {}
    for part in design.parts:
        if part.purchased:
            continue
        for ref in part.source_files:
            if ref.path.lower().endswith(".scad") and ref.sha256 is not None:
                sources.setdefault(ref.path, []).append(part)
                break
    return sources


def _source_parameters(design: Design, folder: Path) -> list[SourceParameters]:
    out = []
    for source, parts in _scad_sources(design).items():
        path = folder / source
        if not path.is_file():
            continue
        customizer = parse_customizer(path.read_text(encoding="utf-8", errors="replace"))
        sets_file = path.with_suffix(".json")
        sets = read_parameter_sets(sets_file) if sets_file.is_file() else {}
        out.append(SourceParameters(source, customizer, sets, tuple(p.id for p in parts)))
    return out


def design_parameters(
    db: Database, design_ref: str, *, store: FileStore | None = None
) -> DesignParameters:
    """The Customizer parameters and parameter sets of a design's OpenSCAD sources."""
    design = resolve_design(db, design_ref)
    store = store or open_file_store()
    with tempfile.TemporaryDirectory(prefix="fabnet-variant-") as tmp:
        folder = Path(tmp)
        _materialise(design, store, folder)
        sources = _source_parameters(design, folder)
    terms = derivative_terms(design.license, design.licensor, design.name)
    return DesignParameters(design.id, design.name, tuple(sources), terms)


def _mesh_export(part: Part) -> FileRef | None:
    return next((r for r in part.export_files if r.path.lower().endswith(".stl")), None)


def _values_for(
    sources: list[SourceParameters], raw: dict[str, Any], set_name: str | None
) -> dict[str, Value]:
    """The values asked for (a parameter set's, then explicit ones), checked."""
    merged: dict[str, Any] = {}
    if set_name is not None:
        sets: dict[str, dict[str, str]] = {}
        for source in sources:
            for name, values in source.parameter_sets.items():
                sets.setdefault(name, {}).update(values)
        if set_name not in sets:
            known = ", ".join(sorted(sets)) or "none"
            raise InputError(
                f"no parameter set {set_name!r} in the design", field="parameter_set",
                hint=f"parameter sets: {known}",
            )  # fmt: skip
        merged.update({k: v for k, v in sets[set_name].items() if k != PART_PARAMETER})
    merged.update(raw)
    if not merged:
        raise InputError(
            "give at least one parameter value (--set name=value) or a parameter set",
            field="parameters",
        )
    out: dict[str, Value] = {}
    for name, value in merged.items():
        if name == PART_PARAMETER:
            raise InputError(
                "'part' selects which part a source renders; it is not a variant parameter",
                field=name,
            )
        declaring = [s.customizer.get(name) for s in sources if s.customizer.get(name) is not None]
        if not declaring:
            names = sorted(
                {n for s in sources for n in s.customizer.names() if n != PART_PARAMETER}
            )
            raise InputError(
                "not a Customizer parameter of this design", field=name,
                hint=f"parameters: {', '.join(names) or 'none'}",
            )  # fmt: skip
        param = declaring[0]
        assert param is not None
        coerced = param.coerce(value)
        if coerced != param.default:
            out[name] = coerced
    return out


def _variant_id(parent_id: str, values: dict[str, Value]) -> str:
    canonical = json.dumps(
        {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(values.items())},
        sort_keys=True,
    )
    return str(uuid.uuid5(VARIANT_NAMESPACE, f"{parent_id}\n{canonical}"))


def _set_label(set_name: str | None, values: dict[str, Value]) -> str:
    if set_name:
        return set_name
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items())) or "defaults"


def _mass(part: Part, volume_mm3: float) -> float | None:
    for material in part.materials:
        density = density_for(material)
        if density is not None:
            return volume_mm3 / 1000.0 * density
    return None


def create_variant(
    db: Database,
    design_ref: str,
    values: dict[str, Any] | None = None,
    *,
    parameter_set: str | None = None,
    name: str | None = None,
    store: FileStore | None = None,
    openscad_path: str | None = None,
) -> Variant:
    """A variant of ``design_ref`` with ``values`` (name -> value or its text) and/or one of the
    design's parameter sets (see the module docstring). The same values give the same variant;
    creating it again re-renders nothing that is stored already."""
    parent = resolve_design(db, design_ref)
    terms = derivative_terms(parent.license, parent.licensor, parent.name)
    if not terms.allowed:
        raise InputError(f"no variant of {parent.name!r}: {terms.reason}", field="license")
    store = store or open_file_store()
    binary = openscad_path or get_settings().openscad_path
    with tempfile.TemporaryDirectory(prefix="fabnet-variant-") as tmp:
        folder = Path(tmp)
        _materialise(parent, store, folder)
        sources = _source_parameters(parent, folder)
        if not sources:
            raise InputError(
                f"{parent.name!r} has no OpenSCAD source with parameters, so it has no variants",
                field="design",
            )
        chosen = _values_for(sources, dict(values or {}), parameter_set)
        if not chosen:
            raise InputError(
                "every value given equals the design's default: that is the design itself",
                field="parameters",
            )
        label = name or _set_label(parameter_set, chosen)
        variant_id = _variant_id(parent.id, chosen)
        with db.read() as session:
            existing = VariantRepository(session).get(variant_id)
            stored_design = DesignRepository(session).get(variant_id)
        if existing is not None and stored_design is not None:
            renders = tuple(_render_from_record(existing))
            return Variant(
                stored_design, parent, existing.set_name, chosen, renders,
                existing.obligations, existing.fork_of, created=False,
            )  # fmt: skip
        renders_list: list[PartRender] = []
        new_parts: list[Part] = []
        stored_files = []
        for part in parent.parts:
            source = next((s for s in sources if part.id in s.parts), None)
            export = _mesh_export(part)
            if source is None or export is None:
                new_parts.append(part)
                continue
            part_values = {k: v for k, v in chosen.items() if source.customizer.get(k) is not None}
            if source.customizer.get(PART_PARAMETER) is not None:
                part_values[PART_PARAMETER] = PurePosixPath(export.path).stem
            result = render_stl(
                folder / source.source, part_values, set_name=label, root=folder,
                openscad_path=binary,
            )  # fmt: skip
            stem = PurePosixPath(export.path).stem
            stored = store.put_bytes(result.stl, original_name=f"{stem}-variant.stl")
            stored_files.append(stored)
            geometry = load_part_geometry(store.path_for(stored.sha256), file_type="stl")
            mass = _mass(part, geometry.volume_mm3)
            ref = FileRef(
                path=export.path, role=FileRole.EXPORT, sha256=stored.sha256,
                size_bytes=stored.size_bytes,
            )  # fmt: skip
            others = tuple(r for r in part.export_files if r is not export)
            new_parts.append(
                part.model_copy(
                    update={
                        "export_files": (ref, *others),
                        "outer_dimensions": geometry.bbox,
                        "mass_g": round(mass, 1) if mass is not None else part.mass_g,
                    }
                )
            )
            renders_list.append(
                PartRender(
                    part.id,
                    export.path,
                    stored.sha256,
                    stored.size_bytes,
                    geometry.bbox,
                    mass,
                    geometry.watertight,
                )
            )
    described = "; ".join(f"{k} = {v}" for k, v in sorted(chosen.items()))
    design = parent.model_copy(
        update={
            "id": variant_id,
            "name": f"{parent.name} ({label})",
            "description": (
                f"Variant of {parent.name!r} ({parent.id}) with {described}. "
                + (parent.description or "")
            ).strip(),
            "license": terms.license or parent.license,
            "parts": tuple(new_parts),
        }
    )
    fork_of = parent.repository or f"fabnet:design/{parent.id}"
    record = VariantRecord(
        id=variant_id,
        parent_id=parent.id,
        set_name=label,
        parameters={k: list(v) if isinstance(v, tuple) else v for k, v in chosen.items()},
        part_files={
            r.part_id: {
                "path": r.path,
                "sha256": r.sha256,
                "size_bytes": r.size_bytes,
                "dimensions": [r.dimensions.x_mm, r.dimensions.y_mm, r.dimensions.z_mm],
                "mass_g": r.mass_g,
                "watertight": r.watertight,
            }
            for r in renders_list
        },
        obligations=terms.obligations,
        fork_of=fork_of,
    )
    with db.transaction() as session:
        files = StoredFileRepository(session)
        for item in stored_files:
            files.record(item)
        DesignRepository(session).add_or_replace(design)
        VariantRepository(session).put(record)
    return Variant(
        design, parent, label, chosen, tuple(renders_list), terms.obligations, fork_of, True
    )


def _render_from_record(record: VariantRecord) -> list[PartRender]:
    out = []
    for part_id, info in record.part_files.items():
        x, y, z = info["dimensions"]
        out.append(
            PartRender(
                part_id,
                info["path"],
                info["sha256"],
                int(info["size_bytes"]),
                Dimensions(x_mm=x, y_mm=y, z_mm=z),
                info.get("mass_g"),
                bool(info["watertight"]),
            )
        )
    return out


def get_variant(db: Database, variant_ref: str) -> tuple[Design, VariantRecord]:
    """A variant's design and lineage record (NotFoundError when the design is no variant)."""
    design = resolve_design(db, variant_ref)
    with db.read() as session:
        record = VariantRepository(session).get(design.id)
    if record is None:
        raise NotFoundError(f"design {design.id} is not a variant")
    return design, record


def list_variants(db: Database, design_ref: str) -> list[VariantRecord]:
    parent = resolve_design(db, design_ref)
    with db.read() as session:
        return VariantRepository(session).of_parent(parent.id)


def variant_manifest(db: Database, variant_ref: str, fmt: str = "toml") -> str:
    """The variant's OKH 2.x manifest with ``fork-of`` (its parent) and, under
    ``[fabnet.variant]``, the parent id, the parameter set and the licence obligations."""
    if fmt not in ("toml", "json"):
        raise InputError(f"unknown export format {fmt!r}", field="format", hint="use toml or json")
    design, record = get_variant(db, variant_ref)
    doc = design_document(design)
    out: dict[str, Any] = {}
    for key, value in doc.items():
        out[key] = value
        if key == "repo":
            out["fork-of"] = record.fork_of
    extension = dict(out.get("fabnet", {}))
    extension["variant"] = {
        "parent": record.parent_id,
        "parameter-set": record.set_name,
        "parameters": record.parameters,
        "obligations": list(record.obligations),
    }
    out["fabnet"] = extension
    if fmt == "json":
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    return tomli_w.dumps(out)


def _joined(ref: str, base_dir: Path | None) -> str:
    if base_dir is not None and not Path(ref).is_absolute():
        joined = base_dir / ref
        if joined.suffix and joined.is_file():
            return str(joined)
    return ref


def expand_order_variants(
    db: Database,
    spec: OrderSpec,
    *,
    base_dir: Path | None = None,
    store: FileStore | None = None,
) -> OrderSpec:
    """``spec`` with every requested variant made and named by its own product key.

    A product with ``parameters`` (or a ``parameter_set``) becomes its variant. A delivery
    point's ``parameters`` for a product key ask for that product with those values on top:
    the point's demand moves to a product ``<key>@<variant id prefix>`` whose design is the
    variant, shared by every point that asks for the same values. The planner then treats each
    variant as a part of its own, with the parent's processes and materials (the variant copies
    them) and its own measured dimensions and mass. A base product nobody demands any more is
    dropped. A spec without parameters is returned unchanged.
    """
    if not any(p.parameters or p.parameter_set for p in spec.products) and not any(
        dp.parameters for dp in spec.delivery_points
    ):
        return spec
    products: dict[str, ProductSpec] = {}
    base: dict[str, ProductSpec] = {}
    for product in spec.products:
        design = product.design
        if product.parameters or product.parameter_set:
            made = create_variant(
                db, _joined(design, base_dir), dict(product.parameters),
                parameter_set=product.parameter_set, store=store,
            )  # fmt: skip
            design = made.design.id
        plain = ProductSpec(design=design, key=product.ref, kits=product.kits)
        products[product.ref] = plain
        base[product.ref] = product
    points: list[DeliveryPointSpec] = []
    for dp in spec.delivery_points:
        demand = dict(dp.demand)
        for key, values in dp.parameters.items():
            product = base[key]
            merged = {**product.parameters, **values}
            made = create_variant(
                db, _joined(product.design, base_dir), merged,
                parameter_set=product.parameter_set,
                name=", ".join(f"{k}={v}" for k, v in sorted(values.items())), store=store,
            )  # fmt: skip
            new_key = f"{key}@{made.design.id[:8]}"
            products.setdefault(
                new_key, ProductSpec(design=made.design.id, key=new_key, kits=product.kits)
            )
            demand[new_key] = demand.get(new_key, 0) + demand.pop(key)
        points.append(dp.model_copy(update={"demand": demand, "parameters": {}}))
    wanted = {k for dp in points for k, qty in dp.demand.items()}
    kept = tuple(p for k, p in products.items() if k in wanted)
    return spec.model_copy(update={"products": kept, "delivery_points": tuple(points)})
