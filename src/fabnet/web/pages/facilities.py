"""Facility pages: equipment and envelopes, capacity, rates, lead times, provenance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.errors import InputError
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render

router = APIRouter()


@router.get("/facilities")
def facility_list(
    request: Request,
    user: CurrentUser,
    db: Db,
    country: str = "",
    process: str = "",
    cursor: str | None = None,
) -> Response:
    taxonomy = get_process_taxonomy()
    errors: dict[str, str] = {}
    process_id = ""
    if process.strip():
        process_id = taxonomy.resolve(process.strip()) or ""
        if not process_id:
            suggestions = ", ".join(taxonomy.suggest(process.strip())) or "fdm, laser-cutting"
            errors["process"] = f"fabnet knows no process {process!r}; try {suggestions}"
    items: list[object] = []
    next_cursor = None
    if not errors:
        try:
            page = services.list_facilities(
                db,
                country=country.strip().upper() or None,
                process=process_id or None,
                limit=100,
                cursor=cursor,
            )
        except InputError as error:
            # e.g. "Kenya" for the country: said at the field, with the fix.
            errors[error.field or "country"] = error.message + (
                f" ({error.hint})" if error.hint else ""
            )
        else:
            items, next_cursor = list(page.items), page.next_cursor
    context = {
        "facilities": items,
        "next_cursor": next_cursor,
        "country": country,
        "process": process,
        "errors": errors,
        "process_label": lambda p: taxonomy.node(p).label if p in taxonomy else p,
    }
    return render(request, "facilities/list.html", context, title="Facilities")


@router.get("/facilities/{facility_id}")
def facility_page(request: Request, facility_id: str, user: CurrentUser, db: Db) -> Response:
    facility = services.get_facility(db, facility_id)
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    prov = facility.provenance
    provenance = [
        ("Identity", prov.identity),
        ("Location", prov.location),
        ("Processes and equipment", prov.capabilities),
        ("Equipment details", prov.equipment or prov.capabilities),
        ("Materials", prov.materials),
        ("Certifications", prov.certifications),
        ("Capacity", prov.capacity),
        ("Rates", prov.rates),
    ]
    context = {
        "facility": facility,
        "provenance": provenance,
        "process_label": lambda p: taxonomy.node(p).label if p in taxonomy else p,
        "material_label": lambda m: materials.node(m).label if m in materials else m,
    }
    return render(request, "facilities/page.html", context, title=facility.name)
