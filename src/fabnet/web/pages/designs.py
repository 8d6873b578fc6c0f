"""The design library: search and filter, and a page per design."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.domain.design import Design
from fabnet.domain.orders.licensing import check_licence
from fabnet.errors import InputError
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
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


@router.get("/designs/{design_id}")
def design_page(
    request: Request, user: CurrentUser, db: Db, near: str = "", quantity: int = 1
) -> Response:
    design = services.get_design(db, request.path_params["design_id"])
    licence = None
    licence_error = None
    try:
        licence = check_licence(design.license or "", source="design")
    except InputError as error:
        licence_error = error.message + (f" ({error.hint})" if error.hint else "")
    errors: dict[str, str] = {}
    result = None
    if quantity < 1:
        errors["quantity"] = "The quantity must be at least 1."
    else:
        params = services.MatchParams(quantity=quantity, near=(near,) if near.strip() else ())
        try:
            result = services.match(db, design.id, params)
        except InputError as error:
            errors[error.field or "near"] = error.message + (
                f" ({error.hint})" if error.hint else ""
            )
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    context = {
        "design": design,
        "bom": bom_tree(design),
        "licence": licence,
        "licence_error": licence_error,
        "result": result,
        "near": near,
        "quantity": quantity,
        "errors": errors,
        "process_label": lambda p: taxonomy.node(p).label if p in taxonomy else p,
        "material_label": lambda m: materials.node(m).label if m in materials else m,
    }
    return render(request, "designs/page.html", context, title=design.name)
