"""Instant quote: a design or an uploaded part, a quantity, a material, near a place -> price
per unit and in total at every facility that can make it, with machine time, lead time and
distance.

The form posts to ``/quote``; the request is checked at once (errors at their field) and the
quote runs as a background job (``quotes.instant``: slicing with PrusaSlicer, cached by file
hash, then matching and pricing). ``/quote/jobs/{id}`` shows the job: while it runs, an htmx
region polls itself every second (a page refresh without JavaScript) and swaps in the result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from fabnet.errors import FileTooLargeError, InputError
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.pages.designs import all_designs
from fabnet.web.render import is_htmx, render

router = APIRouter()

MESH_SUFFIXES = (".stl", ".3mf")
SORTS = {
    "price": "lowest price",
    "distance": "nearest",
    "lead": "shortest lead time",
}


def _labels() -> dict[str, object]:
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    return {
        "process_label": lambda p: taxonomy.node(p).label if p and p in taxonomy else (p or ""),
        "material_label": lambda m: materials.node(m).label if m and m in materials else (m or ""),
    }


def _form(
    request: Request,
    db: Db,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    taxonomy = get_process_taxonomy()
    materials = get_material_vocabulary()
    context = {
        "designs": [(d.id, d.name) for d in all_designs(db)],
        "processes": [(p, taxonomy.node(p).label) for p in services.QUOTE_PROCESSES],
        "materials": sorted(
            ((m, materials.node(m).label) for m in materials.ids()), key=lambda o: o[1].casefold()
        ),
        "values": values,
        "errors": errors or {},
    }
    return render(request, "quote/page.html", context, status_code=status, title="Instant quote")


@router.get("/quote")
def quote_page(
    request: Request,
    user: CurrentUser,
    db: Db,
    design: str = "",
    quantity: str = "1",
    material: str = "",
    near: str = "",
) -> Response:
    values = {"design": design, "quantity": quantity, "material": material, "near": near}
    return _form(request, db, values)


def _text(error: InputError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.post("/quote")
async def start_quote(
    request: Request,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    source: Annotated[str, Form()] = "design",
    design: Annotated[str, Form()] = "",
    mesh: Annotated[UploadFile | None, File()] = None,
    process: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    material: Annotated[str, Form()] = "",
    near: Annotated[str, Form()] = "",
) -> Response:
    """Check the request and start the quote job; its page follows."""
    values = {
        "source": source, "design": design, "process": process, "quantity": quantity,
        "material": material, "near": near,
    }  # fmt: skip
    errors: dict[str, str] = {}
    count = 0
    try:
        count = int(quantity)
    except ValueError:
        errors["quantity"] = "The quantity must be a whole number, e.g. 100."
    store = services.open_file_store(settings)
    sha = name = None
    if source == "upload":
        if mesh is None or not mesh.filename:
            errors["mesh"] = "Choose the STL or 3MF file of the part."
        elif not mesh.filename.lower().endswith(MESH_SUFFIXES):
            errors["mesh"] = f"{mesh.filename} is not an STL or 3MF file; export the part as one."
        else:
            data = await mesh.read(settings.max_file_bytes + 1)
            try:
                if len(data) > settings.max_file_bytes:
                    raise FileTooLargeError(
                        f"{mesh.filename} is larger than {settings.max_file_bytes:,} bytes"
                    )
                stored = await run_in_threadpool(store.put_bytes, data, original_name=mesh.filename)
                sha, name = stored.sha256, mesh.filename
            except InputError as error:
                errors["mesh"] = _text(error)
    if errors:
        return _form(request, db, values, errors, 422)
    ask = services.QuoteRequest(
        quantity=count,
        design_id=(design.strip() or None) if source != "upload" else None,
        mesh_sha256=sha,
        mesh_name=name,
        process=process or None,
        material=material or None,
        near=near.strip() or None,
    )
    try:
        job_id = await run_in_threadpool(
            services.start_instant_quote, db, user.principal, ask, store=store
        )
    except InputError as error:
        field = error.field if error.field in values or error.field == "mesh" else "design"
        return _form(request, db, values, {field or "design": _text(error)}, 422)
    return RedirectResponse(f"/quote/jobs/{job_id}", status_code=303)


def _sorted(quote: services.InstantQuote, sort: str) -> list[services.FacilityQuote]:
    inf = float("inf")
    keys = {
        "price": lambda f: (
            not f.complete,
            f.total if f.total is not None else (f.priced_subtotal or inf),
            f.distance_km if f.distance_km is not None else inf,
        ),
        "distance": lambda f: (f.distance_km if f.distance_km is not None else inf, not f.complete),
        "lead": lambda f: (f.lead_time_days if f.lead_time_days is not None else inf,),
    }
    return sorted(quote.facilities, key=keys[sort])[:12]


@router.get("/quote/jobs/{job_id}")
def quote_job(
    request: Request, job_id: str, user: CurrentUser, db: Db, sort: str = "price"
) -> Response:
    job = services.instant_quote_job(db, user.principal, job_id)
    sort = sort if sort in SORTS else "price"
    context = {
        "job": job,
        "quote": job.quote,
        "facilities": _sorted(job.quote, sort) if job.quote else [],
        "sort": sort,
        "sorts": SORTS,
        **_labels(),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "quote-job":
        return render(request, "quote/_job.html", context)
    return render(request, "quote/job.html", context, title="Instant quote")
