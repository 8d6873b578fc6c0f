"""Facility pages: equipment and envelopes, capacity, rates, lead times, provenance."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from fabnet.errors import InputError
from fabnet.vocab.certifications import KNOWN_CERTIFICATIONS
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render

router = APIRouter()


FILTERS = ("country", "process", "material", "certification", "near", "radius_km")
"""The facility search's fields, in the form's order (the list page and the map's JSON)."""


def _filter_args(
    country: str, process: str, material: str, certification: str, near: str, radius_km: str
) -> dict[str, Any]:
    """The service's keyword arguments (blank fields are no filter); a radius that is not a
    number is an InputError naming ``radius_km``."""
    radius = None
    if radius_km.strip():
        try:
            radius = float(radius_km.strip().replace(",", "."))
        except ValueError:
            raise InputError(
                f"{radius_km!r} is not a number of kilometres", field="radius_km", hint="e.g. 150"
            ) from None
    return {
        "country": country.strip() or None,
        "process": process.strip() or None,
        "material": material.strip() or None,
        "certification": certification.strip() or None,
        "near": near.strip() or None,
        "radius_km": radius,
    }


def _error_text(error: InputError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.get("/facilities")
def facility_list(
    request: Request,
    user: CurrentUser,
    db: Db,
    country: str = "",
    process: str = "",
    material: str = "",
    certification: str = "",
    near: str = "",
    radius_km: str = "",
    cursor: str | None = None,
) -> Response:
    taxonomy = get_process_taxonomy()
    values = {"country": country, "process": process, "material": material,
              "certification": certification, "near": near, "radius_km": radius_km}  # fmt: skip
    errors: dict[str, str] = {}
    items: list[object] = []
    next_cursor = None
    try:
        page = services.list_facilities(db, **_filter_args(**values), limit=100, cursor=cursor)
    except InputError as error:
        # e.g. "Kenya" for the country: said at the field, with the fix.
        errors[error.field if error.field in FILTERS else "country"] = _error_text(error)
    else:
        items, next_cursor = list(page.items), page.next_cursor
    query = urlencode({k: v for k, v in values.items() if v.strip()})
    context = {
        "facilities": items,
        "next_cursor": next_cursor,
        "values": values,
        "query": query,
        "errors": errors,
        "certifications": [(c, c) for c in sorted(KNOWN_CERTIFICATIONS)],
        "process_label": lambda p: taxonomy.node(p).label if p in taxonomy else p,
    }
    return render(request, "facilities/list.html", context, title="Facilities")


@router.get("/facilities.geojson")
def facility_map_json(
    user: CurrentUser,
    db: Db,
    country: str = "",
    process: str = "",
    material: str = "",
    certification: str = "",
    near: str = "",
    radius_km: str = "",
) -> Response:
    """The facilities of the list's search as GeoJSON points (all of them: the map clusters
    them); ``properties`` of the collection: how many were found, how many have no coordinates.
    A value fabnet does not know is a 422 naming its field."""
    try:
        found = services.map_facilities(
            db, **_filter_args(country, process, material, certification, near, radius_km)
        )
    except InputError as error:
        return JSONResponse(
            {"field": error.field, "message": error.message, "hint": error.hint},
            status_code=error.http_status,
        )
    near_place = found.filters.near
    collection = {
        "type": "FeatureCollection",
        "properties": {
            "total": found.total,
            "mapped": len(found.points),
            "unlocated": found.unlocated,
            "near": None
            if near_place is None
            else {
                "name": ", ".join([near_place.name, near_place.country]),
                "coordinates": [near_place.longitude, near_place.latitude],
                "radius_km": found.filters.radius_km,
            },
        },
        "features": [
            {
                "type": "Feature",
                "id": p.id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(p.longitude, 4), round(p.latitude, 4)],
                },
                "properties": {
                    "name": p.name,
                    "place": ", ".join(x for x in (p.city, p.country) if x),
                    **({"approximate": True} if p.approximate else {}),
                    **({"km": p.distance_km} if p.distance_km is not None else {}),
                },
            }
            for p in found.points
        ],
    }
    return JSONResponse(collection)


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
