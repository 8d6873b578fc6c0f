"""The manufacturer's job board (invitations with their terms and expiry: accept, decline with a
reason, counter-offer on price and/or date; my lots by state) and every user's notifications,
which the open page refreshes every 5 s (htmx polling)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.domain.orders.currency import format_minor, to_minor
from fabnet.errors import FabnetError, InputError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import is_htmx, render

router = APIRouter()

OPEN_STATES = ("INVITED", "COUNTER_OFFERED")


def _my_lots(db: Db, user: CurrentUser) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = services.list_orders(db, user.principal, limit=200, cursor=cursor)
        for order in page.items:
            for lot in services.list_lots(db, user.principal, order.id):
                if lot.manufacturer_org_id != user.principal.org_id:
                    continue
                terms = order.terms
                rows.append({
                    "lot": lot, "order": order,
                    "price": format_minor(lot.unit_price_minor, lot.currency),
                    "value": format_minor(lot.unit_price_minor * lot.quantity, lot.currency),
                    "offer": None if lot.counter_offer is None
                    or lot.counter_offer.unit_price_minor is None
                    else format_minor(lot.counter_offer.unit_price_minor, lot.currency),
                    "delivery": terms.delivery,
                    "quality": terms.quality,
                    "milestones": terms.payment_milestones,
                })  # fmt: skip
        if not page.next_cursor:
            return rows
        cursor = page.next_cursor


def _board(request: Request, db: Db, user: CurrentUser, errors: dict[str, dict[str, str]],
           status_code: int = 200) -> Response:  # fmt: skip
    rows = _my_lots(db, user)
    invitations = [r for r in rows if r["lot"].state.value in OPEN_STATES]
    by_state: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["lot"].state.value not in OPEN_STATES:
            by_state[r["lot"].state.value].append(r)
    money = services.supplier_escrow(db, user.principal)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, code in money:
        totals[code]["held"] += row.held_minor
        totals[code]["released"] += row.released_minor
        totals[code]["pending"] += row.due_minor
    context = {
        "invitations": invitations, "by_state": dict(by_state), "errors": errors,
        "money": [(row, {k: format_minor(getattr(row, k + "_minor"), code)
                         for k in ("value", "held", "released", "due")}) for row, code in money],
        "money_totals": {code: {k: format_minor(v, code) for k, v in t.items()}
                         for code, t in totals.items()},
    }  # fmt: skip
    if is_htmx(request) and request.headers.get("HX-Target") == "board":
        return render(request, "jobs/_board.html", context, status_code=status_code)
    return render(request, "jobs/board.html", context, title="Job board",
                  status_code=status_code)  # fmt: skip


@router.get("/jobs")
def job_board(request: Request, user: CurrentUser, db: Db) -> Response:
    return _board(request, db, user, {})


def _after(request: Request, db: Db, user: CurrentUser, lot_id: str, error: FabnetError | None,
           field: str) -> Response:  # fmt: skip
    if error is None:
        return RedirectResponse("/jobs", status_code=303)
    message = error.message + (f" ({error.hint})" if error.hint else "")
    return _board(request, db, user, {lot_id: {field: message}}, status_code=422)


@router.post("/jobs/{lot_id}/accept")
def accept(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    try:
        services.accept_lot(db, user.principal, lot_id)
    except InputError as error:
        return _after(request, db, user, lot_id, error, "accept")
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _after(request, db, user, lot_id, error, "accept")
    return _after(request, db, user, lot_id, None, "")


@router.post("/jobs/{lot_id}/decline")
def decline(
    request: Request, lot_id: str, user: CurrentUser, db: Db, reason: str = Form("")
) -> Response:
    try:
        if not reason.strip():
            raise InputError("say why you decline: the buyer reads it", field="reason")
        services.decline_lot(db, user.principal, lot_id, reason.strip())
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _after(request, db, user, lot_id, error, "reason")
    return _after(request, db, user, lot_id, None, "")


@router.post("/jobs/{lot_id}/counter")
def counter(
    request: Request,
    lot_id: str,
    user: CurrentUser,
    db: Db,
    price: str = Form(""),
    due: str = Form(""),
    note: str = Form(""),
) -> Response:
    field = "price"
    try:
        lot = services.get_lot(db, user.principal, lot_id)
        minor = to_minor(price.strip(), lot.currency) if price.strip() else None
        field = "due"
        try:
            when = date.fromisoformat(due) if due.strip() else None
        except ValueError:
            raise InputError(f"{due!r} is not a date", field="due", hint="YYYY-MM-DD") from None
        field = "price"
        offer = services.CounterOffer(unit_price_minor=minor, due_date=when, note=note.strip())
        services.counter_offer_lot(db, user.principal, lot_id, offer)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _after(request, db, user, lot_id, error, field)
    return _after(request, db, user, lot_id, None, "")


# --- notifications -------------------------------------------------------------------------------


@router.get("/notifications")
def notifications_page(request: Request, user: CurrentUser, db: Db) -> Response:
    items = services.list_notifications(db, user.principal, limit=100)
    context = {"items": items, "unread": services.unread_count(db, user.principal)}
    if is_htmx(request) and request.headers.get("HX-Target") == "notifications":
        return render(request, "notifications/_items.html", context)
    return render(request, "notifications/list.html", context, title="Notifications")


@router.post("/notifications/read")
def notifications_read(user: CurrentUser, db: Db) -> Response:
    services.mark_read(db, user.principal)
    return RedirectResponse("/notifications", status_code=303)
