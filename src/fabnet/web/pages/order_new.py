"""A new draft order: a design, a quantity, a delivery place and a due date.

The form builds the same order specification as an order file (:class:`OrderSpec`) and calls the
service that ``POST /v1/orders`` calls; the new DRAFT order's page follows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from fabnet.errors import FabnetError, InputError
from fabnet.standards.order_file import DeliveryPointSpec, OrderSpec, ProductSpec
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.pages.designs import all_designs
from fabnet.web.render import render

router = APIRouter()


def _form(
    request: Request, db: Db, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    designs = [(d.id, d.name) for d in all_designs(db)]
    context = {"designs": designs, "values": values, "errors": errors}
    return render(request, "orders/new.html", context, status_code=status, title="New order")


@router.get("/orders/new")
def new_order_form(request: Request, user: CurrentUser, db: Db, design: str = "") -> Response:
    return _form(request, db, {"design": design, "quantity": "1"}, {})


@router.post("/orders/new")
def create_order(
    request: Request,
    user: CurrentUser,
    db: Db,
    name: Annotated[str, Form()] = "",
    design: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
) -> Response:
    values = {"name": name, "design": design, "quantity": quantity, "place": place, "due": due}
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the order a name your colleagues will recognise."
    if not design.strip():
        errors["design"] = "Choose the design to order."
    units = 0
    try:
        units = int(quantity)
        if units < 1:
            raise ValueError
    except ValueError:
        errors["quantity"] = "The quantity must be a whole number of at least 1."
    if not place.strip():
        errors["place"] = "Name the delivery place, e.g. Nairobi, KE."
    due_date = None
    if due.strip():
        try:
            due_date = dt.date.fromisoformat(due.strip())
        except ValueError:
            errors["due"] = f"{due!r} is not a date; use YYYY-MM-DD."
    if errors:
        return _form(request, db, values, errors, 422)
    try:
        spec = OrderSpec(
            name=name.strip(),
            products=(ProductSpec(design=design.strip()),),
            delivery_points=(
                DeliveryPointSpec(
                    id="delivery-1", place=place.strip(), due=due_date,
                    demand={design.strip(): units},
                ),
            ),
        )  # fmt: skip
        order = services.create_order(db, user.principal, spec)
    except ValidationError as error:
        first = error.errors()[0]
        where = "due" if "due" in str(first.get("loc", "")) else "name"
        return _form(request, db, values, {where: str(first.get("msg", "not valid"))}, 422)
    except InputError as error:
        text = error.message + (f" ({error.hint})" if error.hint else "")
        field = "place" if "place" in text or error.field == "place" else "design"
        if error.field in values:
            field = error.field
        return _form(request, db, values, {field: text}, 422)
    except FabnetError as error:
        if error.http_status not in (404, 422):
            raise
        text = error.message + (f" ({error.hint})" if error.hint else "")
        return _form(request, db, values, {"design": text}, 422)
    return RedirectResponse(f"/orders/{order.id}", status_code=303)
