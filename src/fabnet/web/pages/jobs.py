"""The manufacturer's job board (invitations with their terms, licence obligations and expiry:
accept, decline with a reason, counter-offer on price and/or date; my lots by state; money held,
released and pending) and every user's notifications, which the open page refreshes every 5 s
(htmx polling).

A lot's page (``/jobs/lots/{id}``) takes it through the contract (sign), the first article
(photos and measurements uploaded as evidence files, their SHA-256 recorded), production,
submission for inspection and shipping (carrier, tracking reference, packages, the waybill),
and shows the delivery confirmation and the lot's money. After a rejection (at inspection or of
the first article) it offers to open a dispute with a reason while the manufacturer's dispute
window is open and says when the window closes; it shows every dispute of the lot (also the
buyer's, e.g. a delivery refused) and how it ended, and the manufacturer may withdraw its own.
Another organisation's lot is 404."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from fabnet.domain.orders.currency import format_minor, to_minor
from fabnet.domain.orders.licensing import check_licence
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import FabnetError, InputError, NotFoundError
from fabnet.web import services, sessions
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import is_htmx, render
from fabnet.web.uploads import stored_files

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
                    "lot": lot, "order": order, "licence": _licence(db, lot.design_id, order),
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
        totals[code]["value"] += row.value_minor
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


# --- licence obligations --------------------------------------------------------------------------


def _licence(db: Db, design_id: str, order: Any) -> dict[str, Any]:
    """What the design's licence asks of a paid order (the obligations the contract will carry)."""
    try:
        design = services.get_design(db, design_id)
        check = check_licence(
            design.license or "",
            paid_order=True,
            licensor_permission=order.terms.licensor_permission is not None,
        )
    except FabnetError as error:
        return {"expression": "", "allowed": False, "reason": error.message, "obligations": ()}
    return {
        "expression": check.expression,
        "chosen": check.chosen,
        "allowed": check.allowed,
        "reason": check.reason,
        "obligations": check.obligations,
    }


# --- one lot --------------------------------------------------------------------------------------

#: What the manufacturer does next, by the lot's state (the forms the lot page shows).
NEXT_STEP = {
    LotState.CONTRACTED: "first_article",
    LotState.PROTOTYPE_REJECTED: "first_article",
    LotState.PROTOTYPE_APPROVED: "start_production",
    LotState.IN_PRODUCTION: "submit_for_inspection",
    LotState.REWORK: "submit_for_inspection",
    LotState.LOT_ACCEPTED: "ship",
    LotState.PARTIALLY_ACCEPTED: "ship",
}


def _lot_context(db: Db, user: CurrentUser, lot_id: str) -> dict[str, Any]:
    lot = services.get_lot(db, user.principal, lot_id)
    if lot.manufacturer_org_id != user.principal.org_id and not user.principal.is_platform_admin:
        # a buyer or inspector of the lot has their own pages; this one is the manufacturer's
        raise NotFoundError(f"no lot of yours with id {lot_id}")
    order = services.get_order(db, user.principal, lot.order_id)
    history = services.lot_history(db, user.principal, lot_id)
    contracts = services.list_lot_contracts(db, user.principal, lot_id)
    mine = [c for c in contracts if any(p.org_id == user.principal.org_id for p in c.terms.parties)]
    money = [row for row, _ in services.supplier_escrow(db, user.principal) if row.lot_id == lot_id]
    step = NEXT_STEP.get(lot.state)
    if step == "first_article" and not order.terms.quality.prototype_required:
        step = "start_production"
    delivered = [t for t in history if t.action == "confirm_delivery"]
    return {
        "lot": lot,
        "order": order,
        "history": history,
        "contracts": mine,
        "signed_by_me": {
            c.id: any(s.signer_id == user.principal.user_id for s in c.signatures) for c in mine
        },
        "my_signer": {
            c.id: any(p.signer_id == user.principal.user_id for p in c.terms.parties) for c in mine
        },
        "licence": _licence(db, lot.design_id, order),
        "money": money[0] if money else None,
        "step": step,
        "shipment": services.lot_shipment(db, user.principal, lot_id),
        "disputes": services.lot_disputes(db, user.principal, lot_id),
        "delivered": delivered[-1] if delivered else None,
        "price": format_minor(lot.unit_price_minor, lot.currency),
        "value": format_minor(lot.unit_price_minor * lot.quantity, lot.currency),
        "errors": {},
        "form": {},
    }


def _lot_page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    lot = context["lot"]
    return render(
        request,
        "jobs/lot.html",
        context,
        status_code=status_code,
        title=f"Lot {lot.id[:8]}: {lot.quantity} x {lot.item_id}",
    )


@router.get("/jobs/lots/{lot_id}")
def lot_page(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    return _lot_page(request, _lot_context(db, user, lot_id))


async def _lot_step(
    request: Request,
    lot_id: str,
    user: CurrentUser,
    db: Db,
    field: str,
    step: Callable[[FormData], Awaitable[None]],
) -> Response:
    """Run one step of the lot's form; a refused step shows the page with the field's error."""
    context = _lot_context(db, user, lot_id)
    form = await request.form()
    try:
        await step(form)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        context["errors"] = {field: error.message + (f" ({error.hint})" if error.hint else "")}
        context["form"] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return _lot_page(request, context, status_code=422)
    return RedirectResponse(f"/jobs/lots/{lot_id}", status_code=303)


@router.post("/jobs/lots/{lot_id}/sign/{contract_id}")
async def sign(
    request: Request, lot_id: str, contract_id: str, user: CurrentUser, db: Db
) -> Response:
    async def step(form: FormData) -> None:
        if contract_id not in {
            c.id for c in services.list_lot_contracts(db, user.principal, lot_id)
        }:
            raise NotFoundError(f"no contract {contract_id} for lot {lot_id}")
        services.sign_contract(
            db, user.principal, contract_id, settings=sessions.settings_of(request)
        )

    return await _lot_step(request, lot_id, user, db, "sign", step)


@router.post("/jobs/lots/{lot_id}/first-article")
async def first_article(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    async def step(form: FormData) -> None:
        photos = await stored_files(request, form, "photos")
        measurements = await stored_files(request, form, "measurements")
        if not photos and not measurements:
            raise InputError(
                "add the first article's photos and measurements",
                field="photos",
                hint="the buyer or inspector reviews them before production",
            )
        services.submit_prototype(db, user.principal, lot_id, [*photos, *measurements])

    return await _lot_step(request, lot_id, user, db, "first_article", step)


@router.post("/jobs/lots/{lot_id}/act/{action}")
async def lot_action(
    request: Request, lot_id: str, action: str, user: CurrentUser, db: Db
) -> Response:
    if action not in ("start_production", "submit_for_inspection"):
        raise NotFoundError(f"no lot action {action!r} here")

    async def step(form: FormData) -> None:
        services.act_on_lot(db, user.principal, lot_id, action)

    return await _lot_step(request, lot_id, user, db, action, step)


@router.post("/jobs/lots/{lot_id}/ship")
async def ship(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    async def step(form: FormData) -> None:
        packages = str(form.get("packages") or "").strip()
        if not packages.isdigit() or int(packages) < 1:
            raise InputError(
                f"{packages!r} is not a number of packages",
                field="packages",
                hint="1 or more parcels or pallets",
            )
        carrier = str(form.get("carrier") or "").strip()
        tracking = str(form.get("tracking_reference") or "").strip()
        if not carrier or not tracking:
            raise InputError("name the carrier and the tracking reference", field="carrier")
        waybill = await stored_files(request, form, "waybill")
        if not waybill:
            raise InputError("add the waybill or a photo of the handover", field="waybill")
        shipment = services.Shipment(
            carrier=carrier, tracking_reference=tracking, packages=int(packages)
        )
        services.ship_lot(db, user.principal, lot_id, shipment, waybill)

    return await _lot_step(request, lot_id, user, db, "ship", step)


@router.post("/jobs/lots/{lot_id}/dispute")
async def dispute(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    """The manufacturer disputes a rejection (of the lot at inspection, of its first article, or
    of the rejected part of a partial acceptance) with a reason and optional evidence files."""

    async def step(form: FormData) -> None:
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise InputError(
                "say why you dispute the rejection: the buyer and the orchestrator read it",
                field="reason",
            )
        view = services.lot_disputes(db, user.principal, lot_id)
        if not view.can_dispute and view.window_closes_at is not None:
            raise InputError(
                "the dispute window closed on "
                f"{view.window_closes_at:%Y-%m-%d %H:%M} UTC",
                field="reason",
            )
        evidence = await stored_files(request, form, "evidence")
        services.act_on_lot(db, user.principal, lot_id, LotAction.DISPUTE, reason=reason,
                            evidence_sha256=evidence)  # fmt: skip

    return await _lot_step(request, lot_id, user, db, "dispute", step)


@router.post("/jobs/lots/{lot_id}/withdraw-dispute")
async def withdraw_dispute(request: Request, lot_id: str, user: CurrentUser, db: Db) -> Response:
    """The manufacturer withdraws the dispute it opened: the lot goes back to its state before."""

    async def step(form: FormData) -> None:
        view = services.lot_disputes(db, user.principal, lot_id)
        current = view.disputes[-1] if view.disputes else None
        if current is None or current.outcome is not None:
            raise InputError("the lot has no open dispute", field="withdraw")
        if current.opened_by_org_id != user.principal.org_id:
            raise InputError("the buyer opened this dispute: only the buyer withdraws it",
                             field="withdraw")  # fmt: skip
        services.act_on_lot(db, user.principal, lot_id, LotAction.WITHDRAW_DISPUTE)

    return await _lot_step(request, lot_id, user, db, "withdraw", step)
