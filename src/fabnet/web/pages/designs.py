"""The design library: search and filter, and a page per design."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.domain.design import Design
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
    after: str | None = None
    while True:
        page = services.list_designs(db, limit=200, after_id=after)
        designs.extend(page.items)
        if page.next_after is None:
            return designs
        after = page.next_after


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
