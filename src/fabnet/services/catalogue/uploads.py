"""Designs from uploaded files: an OKH manifest with the files it names, or a bare STL/3MF from
which fabnet drafts the manifest.

Both end in :func:`~fabnet.services.catalogue.designs.import_designs`, the same import as
``fabnet designs import`` and ``POST /v1/designs/import``: the upload is written to a private
temporary folder laid out as the manifest expects (an uploaded ``duct.stl`` goes where the
manifest names ``stl/duct.stl``), imported, and the folder removed. Importing the same upload
again changes nothing (designs have stable ids).

Every problem is an :class:`~fabnet.errors.InputError` whose ``field`` names the form field to
fix (``manifest``, ``files``, ``mesh``, ``name``, ``process``, ``material``, ``license``, ...); a
manifest's own error keeps the manifest field it is about in the message, with the fix.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fabnet.domain.common import Dimensions
from fabnet.domain.design import Design, FileRef, FileRole, Part, design_id_for
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.licensing import check_licence
from fabnet.engine.quoting.density import density_for
from fabnet.errors import InputError
from fabnet.quoting_tools.geometry import MESH_SUFFIXES, load_part_geometry
from fabnet.services.catalogue.designs import get_design, import_designs
from fabnet.services.catalogue.licensors import claim_added_design
from fabnet.services.platform.database import open_file_store
from fabnet.standards.okh import dump_design_okh_toml, load_design
from fabnet.standards.order_file import slugify
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy

MANIFEST_NAMES = (".toml", ".yml", ".yaml", ".json")
DRAFT_MESH_SUFFIXES = (".stl", ".3mf")
DRAFT_PROCESSES = (
    "fdm", "sla", "sls", "mjf", "cnc-milling", "cnc-routing", "five-axis-milling",
    "cnc-turning", "laser-cutting", "vinyl-cutting", "injection-moulding",
)  # fmt: skip
"""Processes a drafted manifest may name: those that make a part from its mesh and that fabnet
quotes from geometry."""

DRAFT_LICENCES = (
    "CERN-OHL-S-2.0", "CERN-OHL-W-2.0", "CERN-OHL-P-2.0", "CC-BY-SA-4.0", "CC-BY-4.0",
    "CC0-1.0", "TAPR-OHL-1.0", "MIT", "Apache-2.0", "GPL-3.0-or-later",
)  # fmt: skip
"""Open licences offered for a drafted manifest (any SPDX expression is accepted)."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file: the name the browser sent and its bytes."""

    name: str
    data: bytes

    @property
    def safe_name(self) -> str:
        base = PurePosixPath(self.name.replace("\\", "/")).name
        return _SAFE.sub("_", base).lstrip(".") or "upload"


@dataclass(frozen=True)
class DesignUpload:
    """What an upload did: the design, whether it is new, and what to know about it."""

    design: Design
    outcome: str
    """created, updated or unchanged."""
    manifest: str
    """The manifest as imported (the drafted one for a bare mesh)."""
    warnings: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    """Local files the manifest names that were not uploaded (imported without them)."""
    unused_files: list[str] = field(default_factory=list)
    """Uploaded files the manifest does not name (not stored)."""


def _require_writer(actor: Principal | None) -> None:
    if actor is not None:
        actor.require(Scope.WRITE)


def _local_paths(design: Design) -> list[str]:
    refs = [r for p in design.parts for r in (*p.source_files, *p.export_files)]
    refs += [*design.files, *([design.bom_file] if design.bom_file else [])]
    return list(
        dict.fromkeys(
            r.path for r in refs if "://" not in r.path and not r.path.startswith(("/", "mailto:"))
        )
    )


def _write(folder: Path, relative: str, data: bytes) -> bool:
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def _manifest_error(error: InputError, name: str) -> InputError:
    """The manifest's error at the manifest field, naming the manifest's own field."""
    where = f"{name}, field '{error.field}'" if error.field else name
    return InputError(f"{where}: {error.message}", field="manifest", hint=error.hint)


def _import_folder(
    db: Database, store: FileStore, manifest_path: Path, folder: str
) -> tuple[str, str, list[str]]:
    tally = import_designs(db, [manifest_path], store=store)
    if tally.refused:
        message = tally.refused[0].message.replace(folder + "/", "").replace(folder, "")
        raise InputError(message, field="manifest")
    for outcome, ids in (
        ("created", tally.created),
        ("updated", tally.updated),
        ("unchanged", tally.unchanged),
    ):
        if ids:
            warnings = [f"{w.field}: {w.message}" if w.field else w.message for w in tally.warnings]
            return ids[0], outcome, [w.replace(folder + "/", "") for w in warnings]
    raise InputError("the manifest holds no design", field="manifest")


def import_uploaded_manifest(
    db: Database,
    actor: Principal | None,
    manifest: UploadedFile,
    files: Sequence[UploadedFile] = (),
    *,
    store: FileStore | None = None,
) -> DesignUpload:
    """Import an uploaded OKH manifest (v1 YAML, OKH-LOSH or 2.x TOML, JSON) with the files it
    names; an uploaded file is put where the manifest names a file of the same name."""
    _require_writer(actor)
    store = store or open_file_store()
    name = manifest.safe_name
    if not manifest.data.strip():
        raise InputError(
            "choose the manifest file (okh.toml, okh.yml or okh.json)", field="manifest"
        )
    if not name.lower().endswith(MANIFEST_NAMES):
        raise InputError(
            f"{name} is not a manifest: an OKH manifest is a .toml, .yml, .yaml or .json file",
            field="manifest",
            hint="for a bare STL or 3MF, use 'Draft a design from a mesh' instead",
        )
    uploads = [f for f in files if f.data]
    with tempfile.TemporaryDirectory(prefix="fabnet-design-upload-") as folder:
        root = Path(folder)
        path = root / name
        path.write_bytes(manifest.data)
        try:
            parsed = load_design(path)
        except InputError as error:
            raise _manifest_error(error, name) from None
        wanted = _local_paths(parsed.value)
        by_name: dict[str, list[str]] = {}
        for relative in wanted:
            by_name.setdefault(PurePosixPath(relative).name.casefold(), []).append(relative)
        placed: set[str] = set()
        unused: list[str] = []
        for upload in uploads:
            targets = by_name.get(upload.safe_name.casefold(), [])
            written = [t for t in targets if _write(root, t, upload.data)]
            if not written:
                unused.append(upload.safe_name)
            placed.update(written)
        design_id, outcome, warnings = _import_folder(db, store, path, folder)
    if outcome == "created":
        claim_added_design(db, actor, design_id)
    missing = [p for p in wanted if p not in placed]
    return DesignUpload(
        design=get_design(db, design_id),
        outcome=outcome,
        manifest=manifest.data.decode("utf-8-sig", errors="replace"),
        warnings=warnings,
        missing_files=missing,
        unused_files=unused,
    )


@dataclass(frozen=True)
class MeshDraft:
    """What the buyer tells fabnet about a bare mesh; the rest is measured from the mesh."""

    name: str
    process: str
    material: str
    license: str
    licensor: str
    function: str = ""
    repository: str = ""
    version: str = "1.0.0"


def _check_draft(draft: MeshDraft) -> list[InputError]:
    errors: list[InputError] = []
    if not draft.name.strip():
        errors.append(InputError("give the part a name, e.g. 'Fan duct'", field="name"))
    taxonomy = get_process_taxonomy()
    if draft.process not in DRAFT_PROCESSES:
        known = ", ".join(taxonomy.node(p).label for p in DRAFT_PROCESSES)
        errors.append(
            InputError(f"choose the process that makes the part (one of: {known})", field="process")
        )
    materials = get_material_vocabulary()
    if draft.material not in materials:
        found = materials.resolve(draft.material) if draft.material.strip() else None
        hint = f"did you mean {found}?" if found else "pick one from the list"
        errors.append(InputError("choose the part's material", field="material", hint=hint))
    if not draft.licensor.strip():
        errors.append(
            InputError("name who licenses the design (a person or organisation)", field="licensor")
        )
    try:
        check_licence(draft.license, source="licence")
    except InputError as error:
        errors.append(InputError(error.message, field="license", hint=error.hint))
    if draft.repository.strip() and "://" not in draft.repository:
        errors.append(
            InputError(
                "the source must be a web address",
                field="repository",
                hint="e.g. https://github.com/you/part, or leave it empty",
            )
        )
    return errors


class DraftErrors(InputError):
    """Several fields of a draft are wrong at once; ``errors`` has one per field."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(errors[0].message, field=errors[0].field, hint=errors[0].hint)
        self.errors = errors


def draft_design_from_mesh(
    db: Database,
    actor: Principal | None,
    mesh: UploadedFile,
    draft: MeshDraft,
    *,
    store: FileStore | None = None,
) -> DesignUpload:
    """A one-part design drafted from a bare STL or 3MF: its outer dimensions and mass are
    measured from the mesh (mass from the material's density), the process and material are the
    buyer's; the drafted OKH 2.x manifest is imported like any other.

    Raises :class:`DraftErrors` listing every field to fix."""
    _require_writer(actor)
    store = store or open_file_store()
    errors = _check_draft(draft)
    file_name = mesh.safe_name
    suffix = PurePosixPath(file_name).suffix.lower()
    if not mesh.data:
        errors.insert(0, InputError("choose the STL or 3MF file of the part", field="mesh"))
    elif suffix not in DRAFT_MESH_SUFFIXES or suffix not in MESH_SUFFIXES:
        errors.insert(
            0,
            InputError(
                f"{file_name} is not an STL or 3MF file",
                field="mesh",
                hint="export the part as .stl or .3mf from your CAD program",
            ),
        )
    if errors:
        raise DraftErrors(errors)
    with tempfile.TemporaryDirectory(prefix="fabnet-mesh-draft-") as folder:
        root = Path(folder)
        mesh_path = root / file_name
        mesh_path.write_bytes(mesh.data)
        try:
            geometry = load_part_geometry(mesh_path)
        except InputError as error:
            raise DraftErrors(
                [InputError(f"{file_name}: {error.message}", field="mesh", hint=error.hint)]
            ) from None
        stored = store.put_path(mesh_path)
        density = density_for(draft.material)
        mass = None if density is None else round(geometry.volume_mm3 / 1000.0 * density, 1)
        bbox = geometry.bbox
        part = Part(
            id=slugify(draft.name),
            name=draft.name.strip(),
            processes=(draft.process,),
            materials=(draft.material,),
            mass_g=mass,
            outer_dimensions=Dimensions(
                x_mm=round(bbox.x_mm, 2), y_mm=round(bbox.y_mm, 2), z_mm=round(bbox.z_mm, 2)
            ),
            export_files=(FileRef(path=file_name, role=FileRole.EXPORT),),
        )
        repository = draft.repository.strip() or f"urn:sha256:{stored.sha256}"
        design = Design(
            id=design_id_for(repository, draft.name.strip(), draft.version),
            name=draft.name.strip(),
            version=draft.version,
            function=draft.function.strip()
            or f"{draft.name.strip()}: one part, drafted by fabnet from {file_name}",
            license=draft.license.strip(),
            licensor=(draft.licensor.strip(),),
            repository=repository,
            parts=(part,),
        )
        text = dump_design_okh_toml(design)
        manifest_path = root / "okh.toml"
        manifest_path.write_text(text, encoding="utf-8")
        design_id, outcome, warnings = _import_folder(db, store, manifest_path, folder)
    if outcome == "created":
        claim_added_design(db, actor, design_id)
    return DesignUpload(
        design=get_design(db, design_id), outcome=outcome, manifest=text, warnings=warnings
    )
