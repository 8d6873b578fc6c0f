"""Instant quote: a design and a quantity, optionally priced at one facility's rate card.

The quote is made by the same service function as ``fabnet quote`` and the API; geometry and
slicer results are cached by file hash there, so a second quote of the same part is immediate.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fabnet.errors import FabnetError, InputError
from fabnet.vocab.processes import get_process_taxonomy
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.pages.designs import all_designs
from fabnet.web.render import render

router = APIRouter()


@router.get("/quote")
def quote_page(
    request: Request,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    design: str = "",
    quantity: str = "1",
    facility: str = "",
) -> Response:
    errors: dict[str, str] = {}
    quote = None
    count = 1
    try:
        count = int(quantity)
    except ValueError:
        errors["quantity"] = "The quantity must be a whole number, e.g. 100."
    if design.strip() and not errors:
        field = "design"
        try:
            chosen = services.get_design(db, design.strip())
            field = "facility"
            facility_id = None
            if facility.strip():
                facility_id = services.get_facility(db, facility.strip()).id
            quote = services.quote_design(
                db,
                chosen.id,
                facility_id=facility_id,
                quantity=count,
                store=services.open_file_store(settings),
            )
        except InputError as error:
            errors[error.field if error.field in ("quantity", "facility") else field] = (
                error.message + (f" ({error.hint})" if error.hint else "")
            )
        except FabnetError as error:
            if error.http_status != 404:
                raise
            errors[field] = (
                f"fabnet knows no {field} {(design if field == 'design' else facility)!r}; "
                "pick one from the list or paste its id"
            )
    taxonomy = get_process_taxonomy()
    designs = all_designs(db)
    status = 422 if errors else 200
    context = {
        "designs": [(d.id, d.name) for d in designs],
        "design": design,
        "quantity": quantity,
        "facility": facility,
        "errors": errors,
        "quote": quote,
        "process_label": lambda p: taxonomy.node(p).label if p and p in taxonomy else (p or ""),
    }
    return render(request, "quote/page.html", context, status_code=status, title="Instant quote")
