"""The design library: search and filter, and a page per design.

A design's page shows its parts and BOM tree, its licence with the obligations it puts on a
maker, a three.js preview (orbit and zoom; three.js is served from ``/static/vendor``) of every
part that has a stored STL or 3MF, and "who can make it": the candidates per part with the
reasons, the near-misses with what each lacks, and, for a facility the buyer names, every
criterion it meets or fails (the same ``why-not`` as ``fabnet match --why-not``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from fabnet.domain.design import Design, FileRef, Part
from fabnet.domain.orders.licensing import check_licence
from fabnet.engine.matching import CriterionResult
from fabnet.errors import FabnetError, FileTooLargeError, InputError, NotFoundError
from fabnet.storage.files import FileStore
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.render import is_htmx, render

router = APIRouter()


@dataclass(frozen=True)
class DesignFilters:
    q: str = ""
    process: str = ""
    material: str = ""
    licence: str = ""
    readiness: str = ""

    def accepts(self, design: Design) -> bool:
        if self.q:
            text = " ".join(
                filter(None, [design.name, design.function, design.description, design.id])
            ).casefold()
            if not all(word in text for word in self.q.casefold().split()):
                return False
        if self.process and not any(self.process in p.processes for p in design.parts):
            return False
        if self.material and not any(self.material in p.materials for p in design.parts):
            return False
        if self.licence and (design.license or "") != self.licence:
            return False
        return not (self.readiness and design.technology_readiness_level != self.readiness)


def all_designs(db: Db) -> list[Design]:
    designs: list[Design] = []
    cursor: str | None = None
    while True:
        page = services.list_designs(db, limit=200, cursor=cursor)
        designs.extend(page.items)
        if page.next_cursor is None:
            return designs
        cursor = page.next_cursor


def filter_options(designs: list[Design]) -> dict[str, list[tuple[str, str]]]:
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    processes = sorted({p for d in designs for part in d.parts for p in part.processes})
    mats = sorted({m for d in designs for part in d.parts for m in part.materials})
    return {
        "process": [(p, taxonomy.node(p).label if p in taxonomy else p) for p in processes],
        "material": [(m, materials.node(m).label if m in materials else m) for m in mats],
        "licence": [(x, x) for x in sorted({d.license for d in designs if d.license})],
        "readiness": [
            (x, x)
            for x in sorted(
                {d.technology_readiness_level for d in designs if d.technology_readiness_level}
            )
        ],
    }


@router.get("/designs")
def design_library(
    request: Request,
    user: CurrentUser,
    db: Db,
    q: str = "",
    process: str = "",
    material: str = "",
    licence: str = "",
    readiness: str = "",
) -> Response:
    filters = DesignFilters(q.strip(), process, material, licence, readiness)
    designs = all_designs(db)
    shown = [d for d in designs if filters.accepts(d)]
    context = {
        "designs": shown,
        "total": len(designs),
        "filters": filters,
        "options": filter_options(designs),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "results":
        return render(request, "designs/_results.html", context)
    return render(request, "designs/list.html", context, title="Design library")


def bom_tree(design: Design) -> list[tuple[int, str, int, bool]]:
    """The BOM as (depth, item name, quantity, is assembly) rows from the root assembly."""
    parts = {p.id: p.name for p in design.parts}
    assemblies = {a.id: a for a in design.assemblies}
    rows: list[tuple[int, str, int, bool]] = []

    def walk(item_id: str, quantity: int, depth: int, seen: frozenset[str]) -> None:
        if item_id in assemblies and item_id not in seen:
            rows.append((depth, assemblies[item_id].name, quantity, True))
            for line in assemblies[item_id].lines:
                walk(line.item_id, line.quantity, depth + 1, seen | {item_id})
        else:
            rows.append((depth, parts.get(item_id, item_id), quantity, False))

    if design.root_assembly_id:
        walk(design.root_assembly_id, 1, 0, frozenset())
    return rows


# --- adding a design ------------------------------------------------------------------------------


def _draft_options() -> dict[str, list[tuple[str, str]]]:
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    return {
        "process": [(p, taxonomy.node(p).label) for p in services.DRAFT_PROCESSES],
        "material": sorted(
            ((m, materials.node(m).label) for m in materials.ids()), key=lambda o: o[1].casefold()
        ),
        "license": [(x, x) for x in services.DRAFT_LICENCES],
    }


def _add_form(
    request: Request,
    user: CurrentUser,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    defaults = {"licensor": user.org_name, "license": "CERN-OHL-S-2.0", "version": "1.0.0"}
    context = {
        "values": {**defaults, **(values or {})},
        "errors": errors or {},
        "options": _draft_options(),
    }
    return render(request, "designs/new.html", context, status_code=status, title="Add a design")


async def _read(upload: UploadFile | None, limit: int, field: str) -> services.UploadedFile:
    """The upload's bytes (empty when none was chosen); FileTooLargeError at ``field``."""
    if upload is None or not upload.filename:
        return services.UploadedFile("", b"")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(
            f"{upload.filename} is larger than the {limit:,} bytes fabnet accepts",
            field=field,
            hint="upload a smaller export, or ask the operator to raise FABNET_MAX_FILE_BYTES",
        )
    return services.UploadedFile(upload.filename, data)


@router.get("/designs/new")
def add_design_form(request: Request, user: CurrentUser) -> Response:
    return _add_form(request, user)


def _added(request: Request, added: services.DesignUpload) -> Response:
    context = {"added": added, "design": added.design}
    return render(request, "designs/added.html", context, title=f"Added {added.design.name}")


@router.post("/designs/new/manifest")
async def add_design_manifest(
    request: Request,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    manifest: Annotated[UploadFile | None, File()] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Import an uploaded OKH manifest with the files it names."""
    try:
        upload = await _read(manifest, settings.max_file_bytes, "manifest")
        extra = [await _read(f, settings.max_file_bytes, "files") for f in files or []]
        added = await run_in_threadpool(
            services.import_uploaded_manifest,
            db,
            user.principal,
            upload,
            extra,
            store=services.open_file_store(settings),
        )
    except InputError as error:
        field = error.field if error.field in ("manifest", "files") else "manifest"
        return _add_form(request, user, errors={field: _text(error)}, status=422)
    return _added(request, added)


@router.post("/designs/new/mesh")
async def add_design_mesh(
    request: Request,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    mesh: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form()] = "",
    process: Annotated[str, Form()] = "",
    material: Annotated[str, Form()] = "",
    license: Annotated[str, Form()] = "",
    licensor: Annotated[str, Form()] = "",
    function: Annotated[str, Form()] = "",
    repository: Annotated[str, Form()] = "",
) -> Response:
    """Draft a one-part design from a bare STL or 3MF, and import it."""
    values = {
        "name": name, "process": process, "material": material, "license": license,
        "licensor": licensor, "function": function, "repository": repository,
    }  # fmt: skip
    draft = services.MeshDraft(
        name=name, process=process, material=material, license=license.strip(),
        licensor=licensor, function=function, repository=repository,
    )  # fmt: skip
    try:
        upload = await _read(mesh, settings.max_file_bytes, "mesh")
        added = await run_in_threadpool(
            services.draft_design_from_mesh,
            db,
            user.principal,
            upload,
            draft,
            store=services.open_file_store(settings),
        )
    except services.DraftErrors as errors:
        found = {e.field or "mesh": _text(e) for e in reversed(errors.errors)}
        return _add_form(request, user, values=values, errors=found, status=422)
    except InputError as error:
        return _add_form(
            request, user, values=values, errors={error.field or "mesh": _text(error)}, status=422
        )
    return _added(request, added)


# --- a design's page ------------------------------------------------------------------------------


MESH_MEDIA_TYPES = {"stl": "model/stl", "3mf": "model/3mf"}
"""The mesh formats the preview draws, by file suffix."""


def mesh_ref(part: Part, store: FileStore) -> FileRef | None:
    """The part's first stored STL or 3MF (exports before sources), or None."""
    for ref in (*part.export_files, *part.source_files):
        suffix = ref.path.rsplit(".", 1)[-1].lower()
        if suffix in MESH_MEDIA_TYPES and ref.sha256 and store.exists(ref.sha256):
            return ref
    return None


@dataclass(frozen=True)
class Preview:
    part_id: str
    name: str
    url: str
    file_format: str
    path: str


def previews(design: Design, store: FileStore) -> list[Preview]:
    """A preview for every part with a stored STL or 3MF."""
    found: list[Preview] = []
    for part in design.parts:
        ref = mesh_ref(part, store)
        if ref is not None:
            found.append(
                Preview(
                    part.id,
                    part.name,
                    f"/designs/{design.id}/parts/{part.id}/mesh",
                    ref.path.rsplit(".", 1)[-1].lower(),
                    ref.path,
                )
            )
    return found


@router.get("/designs/{design_id}/parts/{part_id}/mesh")
def part_mesh(
    design_id: str, part_id: str, user: CurrentUser, db: Db, settings: WebSettings
) -> FileResponse:
    """The STL or 3MF of one part (what its 3D preview draws)."""
    design = services.get_design(db, design_id)
    store = services.open_file_store(settings)
    part = next((p for p in design.parts if p.id == part_id), None)
    ref = None if part is None else mesh_ref(part, store)
    if ref is None or ref.sha256 is None:
        raise NotFoundError(f"design {design.id} has no stored STL or 3MF for part {part_id!r}")
    suffix = ref.path.rsplit(".", 1)[-1].lower()
    return FileResponse(
        store.path_for(ref.sha256),
        media_type=MESH_MEDIA_TYPES[suffix],
        headers={"Cache-Control": "private, max-age=3600"},
    )


@dataclass(frozen=True)
class WhyNot:
    """Every criterion of one item for the facility the buyer named."""

    item: str
    name: str
    criteria: list[CriterionResult]

    @property
    def can_make(self) -> bool:
        return all(c.passed for c in self.criteria)


def _text(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.get("/designs/{design_id}")
def design_page(
    request: Request,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    near: str = "",
    quantity: str = "1",
    facility: str = "",
) -> Response:
    design = services.get_design(db, request.path_params["design_id"])
    licence = None
    licence_error = None
    try:
        licence = check_licence(design.license or "", source="design")
    except InputError as error:
        licence_error = _text(error)
    errors: dict[str, str] = {}
    result = None
    count = 0
    try:
        count = int(quantity)
    except ValueError:
        errors["quantity"] = "The quantity must be a whole number, e.g. 100."
    if not errors and count < 1:
        errors["quantity"] = "The quantity must be at least 1."
    params = services.MatchParams(
        quantity=max(count, 1), near=(near.strip(),) if near.strip() else ()
    )
    if not errors:
        try:
            result = services.match(db, design.id, params)
        except InputError as error:
            errors[error.field if error.field == "quantity" else "near"] = _text(error)
    why_not: list[WhyNot] = []
    chosen = None
    if facility.strip() and result is not None:
        try:
            chosen = services.get_facility(db, facility.strip())
            why_not = [
                WhyNot(
                    pm.part,
                    pm.name,
                    services.explain_non_match(db, design.id, pm.part, chosen.id, params),
                )
                for pm in result.parts
            ]
        except FabnetError as error:
            if error.http_status not in (404, 422):
                raise
            errors["facility"] = (
                f"fabnet knows no facility {facility.strip()!r}; paste a facility id (or its "
                "first characters) from the lists above or the facilities page"
                if error.http_status == 404
                else _text(error)
            )
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    context = {
        "design": design,
        "bom": bom_tree(design),
        "licence": licence,
        "licence_error": licence_error,
        "previews": previews(design, services.open_file_store(settings)),
        "result": result,
        "near": near,
        "quantity": quantity,
        "facility": facility,
        "chosen": chosen,
        "why_not": why_not,
        "errors": errors,
        "process_label": lambda p: taxonomy.node(p).label if p in taxonomy else p,
        "material_label": lambda m: materials.node(m).label if m in materials else m,
    }
    status = 422 if errors else 200
    return render(request, "designs/page.html", context, status_code=status, title=design.name)
