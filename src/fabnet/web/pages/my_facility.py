"""A manufacturer's own facilities: ``/facilities/mine`` lists them; ``/facilities/{id}/edit``
edits one's Open Know-Where record — place, processes, equipment with envelopes and materials,
and fabnet's ``x-fabnet`` extension: rate card, capacity, lead times — as YAML (or JSON), with
an example of every section beside it, and checks the rates with a live quote of a sample design
priced with the record as edited, before it is saved. Another organisation's facility is 404."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.facility import (
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    LeadTimes,
    ProcessRate,
    RateCard,
)
from fabnet.errors import FabnetError, InputError
from fabnet.standards.okw import dump_facility_okw
from fabnet.web import services, sessions
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import is_htmx, render

router = APIRouter()

#: An example record with every section the editor takes (shown beside the editor).
# fmt: off
EXAMPLE = Facility(
    id="your-facility-id",
    name="Fab Lab Example",
    location=Location(latitude=-1.2921, longitude=36.8219, country="KE", city="Nairobi",
                      address="Mombasa Road 12"),
    processes=("fdm", "laser-cutting"),
    equipment=(
        Equipment(id="mk4", equipment_type="3D printer", processes=("fdm",), make="Prusa",
                  model="MK4", quantity=2, envelope=Dimensions(x_mm=250, y_mm=210, z_mm=220),
                  materials=("pla", "petg")),
    ),
    typical_materials=("pla", "petg"),
    extension=FabnetExtension(
        rate_card=RateCard(
            currency="EUR",
            rates=(ProcessRate(process="fdm", hourly_rate=12.0, setup_cost=5.0,
                               material_cost_per_kg=25.0, minimum_lot=1),),
            minimum_order_value=20.0,
        ),
        capacity=Capacity(hours_per_week=60, units_per_week=300, max_batch_size=500),
        lead_times=LeadTimes(quote_days=1, production_start_days=3),
    ),
)
# fmt: on


def _example_yaml() -> str:
    record = dump_facility_okw(EXAMPLE)
    record.get("x-fabnet", {}).pop("provenance", None)  # set by fabnet, not by you
    return yaml.safe_dump(record, sort_keys=False, allow_unicode=True)


def _designs(db: Db) -> list[tuple[str, str]]:
    return [(d.id, d.name) for d in services.list_designs(db, limit=200).items]


@router.get("/facilities/mine")
def my_facilities(request: Request, user: CurrentUser, db: Db) -> Response:
    facilities = services.my_facilities(db, user.principal)
    return render(request, "facilities/mine.html", {"facilities": facilities},
                  title="My facilities")  # fmt: skip


def _editor(
    request: Request,
    db: Db,
    facility: Any,
    record: str,
    *,
    design: str = "",
    quantity: str = "10",
    errors: dict[str, str] | None = None,
    quote: Any = None,
    status_code: int = 200,
) -> Response:
    context = {
        "facility": facility, "record": record, "example": _example_yaml(),
        "designs": _designs(db), "design": design, "quantity": quantity,
        "errors": errors or {}, "quote": quote,
    }  # fmt: skip
    if is_htmx(request) and request.headers.get("HX-Target") == "quote-check":
        return render(request, "facilities/_quote_check.html", context, status_code=status_code)
    return render(request, "facilities/edit.html", context, title=f"Edit {facility.name}",
                  status_code=status_code)  # fmt: skip


@router.get("/facilities/{facility_id}/edit")
def edit_page(request: Request, facility_id: str, user: CurrentUser, db: Db) -> Response:
    facility = services.get_own_facility(db, user.principal, facility_id)
    record = services.export_facility(db, facility.id, "yaml")
    return _editor(request, db, facility, record)


def _message(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.post("/facilities/{facility_id}/edit")
def save(
    request: Request, facility_id: str, user: CurrentUser, db: Db, record: str = Form("")
) -> Response:
    facility = services.get_own_facility(db, user.principal, facility_id)
    try:
        edited = services.parse_facility_record(record, facility.id)
        services.update_facility(db, user.principal, edited)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _editor(request, db, facility, record, status_code=422,
                       errors={"record": _message(error)})  # fmt: skip
    return RedirectResponse(f"/facilities/{facility.id}", status_code=303)


@router.post("/facilities/{facility_id}/edit/quote")
def check_quote(
    request: Request,
    facility_id: str,
    user: CurrentUser,
    db: Db,
    record: str = Form(""),
    design: str = Form(""),
    quantity: str = Form("10"),
) -> Response:
    """A quote of a sample design priced with the record as edited (nothing is saved)."""
    facility = services.get_own_facility(db, user.principal, facility_id)
    field = "record"
    try:
        edited = services.parse_facility_record(record, facility.id)
        field = "design"
        if not design.strip():
            raise InputError("choose a design to quote", field="design")
        field = "quantity"
        if not quantity.strip().isdigit() or int(quantity) < 1:
            raise InputError(f"{quantity!r} is not a number of products", field="quantity",
                             hint="1 or more")  # fmt: skip
        field = "design"
        settings = sessions.settings_of(request)
        quote = services.quote_design_at(db, design.strip(), edited, quantity=int(quantity),
                                         store=services.open_file_store(settings),
                                         slicer_path=settings.slicer_path)  # fmt: skip
    except FabnetError as error:
        if error.http_status == 404 and field != "design":
            raise
        return _editor(request, db, facility, record, design=design, quantity=quantity,
                       errors={field: _message(error)}, status_code=422)  # fmt: skip
    return _editor(request, db, facility, record, design=design, quantity=quantity, quote=quote)
