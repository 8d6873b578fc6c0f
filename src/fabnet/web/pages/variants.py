"""Variants of a parametric design: a parameter form (sliders, choices) and a 3D preview that is
re-rendered with OpenSCAD as the parameters change (each preview is stored as a variant: the same
values give the same variant)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from fabnet.errors import FabnetError, NotFoundError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.render import render

router = APIRouter()


@router.get("/designs/{design_id}/variants")
def variants_page(
    request: Request, design_id: str, user: CurrentUser, db: Db, settings: WebSettings
) -> Response:
    store = services.open_file_store(settings)
    found = services.design_parameters(db, design_id, store=store)
    design = services.get_design(db, found.design_id)
    context = {
        "design": design,
        "found": found,
        "params": found.to_json()["parameters"],
        "result": None,
        "error": "",
    }
    return render(request, "variants/page.html", context, title=f"Variants of {design.name}")


@router.post("/designs/{design_id}/variants")
async def variant_preview(
    request: Request, design_id: str, user: CurrentUser, db: Db, settings: WebSettings
) -> Response:
    store = services.open_file_store(settings)
    found = services.design_parameters(db, design_id, store=store)
    form = await request.form()
    values = {}
    for param in found.to_json()["parameters"]:
        raw = form.get(param["name"])
        if param["kind"] == "boolean":
            raw = "true" if raw is not None else "false"
        if raw is not None and str(raw) != _shown(param["default"]):
            values[param["name"]] = str(raw)
    context: dict[str, Any] = {"design_id": found.design_id, "result": None, "error": ""}
    if not values:
        context["error"] = (
            "These are the design's own values: change a parameter to make a variant."
        )
        return render(request, "variants/_preview.html", context)
    try:
        made = services.create_variant(db, found.design_id, values, store=store)
    except FabnetError as exc:  # bad values (InputError) or a failed render: said on the page
        context["error"] = str(exc)
        return render(request, "variants/_preview.html", context, status_code=422)
    context["result"] = made.to_json()
    return render(request, "variants/_preview.html", context)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@router.get("/designs/{design_id}/parts/{part_id}/stl")
def part_stl(
    design_id: str, part_id: str, user: CurrentUser, db: Db, settings: WebSettings
) -> FileResponse:
    """The STL export of one part of a design (the preview loads it)."""
    design = services.get_design(db, design_id)
    part = next((p for p in design.parts if p.id == part_id), None)
    ref = (
        None
        if part is None
        else next(
            (r for r in part.export_files if r.path.lower().endswith(".stl") and r.sha256), None
        )
    )
    store = services.open_file_store(settings)
    if ref is None or ref.sha256 is None or not store.exists(ref.sha256):
        raise NotFoundError(f"design {design.id} has no stored STL for part {part_id!r}")
    return FileResponse(store.path_for(ref.sha256), media_type="model/stl")
