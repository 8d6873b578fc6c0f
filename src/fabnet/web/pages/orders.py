"""Orders: the organisation's orders, and the buyer's order page.

The order page is where the buyer runs the order after the award: every lot with its facility,
state, due date and destinations; the actions the buyer may take on it now (accept or reject a
counter-offer, approve or reject a prototype or delegate that to the lot's inspector, confirm
delivery, dispute, cancel, close...); what became of a re-planned lot; its contracts to read,
sign and download; its history; and the escrow: what is due per lot and in total before funding,
what is funded, held and released, with a funding form that says which lots a short deposit
leaves waiting. The lots region refreshes itself every 5 s (htmx polling)
so another party's action shows without a reload.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from fabnet.domain.orders.currency import format_minor, to_minor
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import FabnetError, InputError
from fabnet.web import services
from fabnet.web.deps import CurrentUser, Db, WebSettings
from fabnet.web.render import is_htmx, render

router = APIRouter()

#: How a lot action reads on a button.
ACTION_LABELS: dict[LotAction, str] = {
    LotAction.ACCEPT_COUNTER_OFFER: "Accept the counter-offer",
    LotAction.REJECT_COUNTER_OFFER: "Reject the counter-offer",
    LotAction.APPROVE_PROTOTYPE: "Approve the prototype",
    LotAction.REJECT_PROTOTYPE: "Reject the prototype",
    LotAction.ACCEPT_LOT: "Accept the lot",
    LotAction.REJECT_LOT: "Reject the lot",
    LotAction.REWORK: "Ask for rework",
    LotAction.CONFIRM_DELIVERY: "Confirm delivery",
    LotAction.DISPUTE: "Open a dispute",
    LotAction.WITHDRAW_DISPUTE: "Withdraw the dispute",
    LotAction.RESOLVE_WITH_REWORK: "Resolve with rework",
    LotAction.SETTLE: "Settle",
    LotAction.TERMINATE: "Terminate the lot",
    LotAction.CANCEL: "Cancel the lot",
    LotAction.CLOSE: "Close the lot",
    LotAction.RECORD_PAYMENT: "Record the payment",
}

#: How an action that must wait reads ("Terminate available after ...: why").
_AFTER_LABELS: dict[LotAction, tuple[str, str]] = {
    LotAction.TERMINATE: ("Terminate", "until then the manufacturer may dispute the rejection"),
    LotAction.CLOSE: ("Closing the lot", "until then the delivery may be disputed; fabnet "
                      "closes the lot itself once that window has passed"),
}

#: Actions with their own pages (the manufacturer's job board, the inspector's checklist).
ELSEWHERE = frozenset(
    {
        LotAction.ACCEPT,
        LotAction.DECLINE,
        LotAction.COUNTER_OFFER,
        LotAction.ACCEPT_PARTIALLY,
    }
)


@router.get("/orders")
def order_list(request: Request, user: CurrentUser, db: Db, cursor: str | None = None) -> Response:
    page = services.list_orders(db, user.principal, limit=50, cursor=cursor)
    return render(
        request, "orders/list.html", {"orders": page.items, "next_cursor": page.next_cursor},
        title="Orders",
    )  # fmt: skip


def _cards(db: Db, user: CurrentUser, order_id: str) -> list[dict[str, Any]]:
    lots = services.list_lots(db, user.principal, order_id)
    names = services.facility_names(db, [lot.facility_id for lot in lots])
    cards = []
    for lot in lots:
        contracts = services.list_lot_contracts(db, user.principal, lot.id)
        choices = [choice for choice in services.available_actions(db, user.principal, lot.id)
                   if choice.action not in ELSEWHERE]  # fmt: skip
        cards.append({
            "lot": lot,
            "facility": names[lot.facility_id],
            "price": format_minor(lot.unit_price_minor, lot.currency),
            "value": format_minor(lot.unit_price_minor * lot.quantity, lot.currency),
            "offer": None if lot.counter_offer is None
            or lot.counter_offer.unit_price_minor is None
            else format_minor(lot.counter_offer.unit_price_minor, lot.currency),
            "actions": [
                (choice, ACTION_LABELS.get(choice.action, choice.action.value))
                for choice in choices if choice.available_after is None
            ],
            # e.g. terminating a rejected lot while the manufacturer may still dispute it
            "waiting": [
                (choice, *_AFTER_LABELS.get(choice.action, (choice.action.value, "")))
                for choice in choices if choice.available_after is not None
            ],
            "contracts": [
                {
                    "contract": c,
                    "signed_by": {s.signer_id for s in c.signatures},
                    "my_turn": any(p.signer_id == user.principal.user_id for p in c.terms.parties)
                    and user.principal.user_id not in {s.signer_id for s in c.signatures},
                }
                for c in contracts
            ],
            "history": services.lot_history(db, user.principal, lot.id),
            "disputes": services.lot_disputes(db, user.principal, lot.id).disputes,
            "inspector": services.inspector_assignment(db, user.principal, lot.id),
            "approval": services.prototype_approval(db, user.principal, lot.id)
            if lot.inspector_org_id else None,
            "replan": services.replan_outcome(db, user.principal, lot.id)
            if lot.state in _GONE or lot.accepted_quantity is not None else None,
        })  # fmt: skip
    return cards


#: Lot states past delivery (the bar is done) and states that left the plan (the bar is struck).
_DONE = frozenset({LotState.DELIVERED, LotState.PAID, LotState.CLOSED})
_GONE = frozenset({LotState.DECLINED, LotState.EXPIRED, LotState.TERMINATED,
                   LotState.CANCELLED})  # fmt: skip


def _timeline(cards: list[dict[str, Any]], today: date | None = None) -> dict[str, Any] | None:
    """Each lot as a bar from its creation to its due date on one shared scale, with today
    marked: late (due before today, not delivered), delivered, dropped or running. Widths are
    percentages so the bars fit any screen (360 px phones included)."""
    if not cards:
        return None
    today = today or datetime.now(UTC).date()
    lots = [c["lot"] for c in cards]
    start = min(lot.created_at.date() for lot in lots)
    end = max(max(lot.due_date for lot in lots), today)
    span = max((end - start).days, 1)

    def pct(day: date) -> float:
        return float(round(100 * (day - start).days / span, 1))

    rows = []
    for c in cards:
        lot = c["lot"]
        begin = lot.created_at.date()
        if lot.state in _DONE:
            status = "delivered"
        elif lot.state in _GONE:
            status = "dropped"
        elif lot.due_date < today:
            status = "late"
        else:
            status = "running"
        days = (lot.due_date - today).days
        when = (f"due in {days} day(s)" if days > 0 else "due today" if days == 0
                else f"{-days} day(s) past due")  # fmt: skip
        rows.append({
            "lot": lot, "facility": c["facility"], "status": status,
            "left": pct(begin), "width": max(pct(lot.due_date) - pct(begin), 1.0),
            "when": when if status in ("running", "late") else status,
        })  # fmt: skip
    return {"rows": rows, "start": start, "end": end, "today": today, "today_pct": pct(today)}


def _escrow(db: Db, user: CurrentUser, order_id: str) -> dict[str, Any] | None:
    try:
        summary = services.escrow_summary(db, user.principal, order_id)
    except FabnetError as error:
        if error.http_status == 404:  # a manufacturer or inspector: not theirs to see
            return None
        raise
    code = summary.currency

    def money(minor: int) -> str:
        return format_minor(minor, code)

    lot_fields = ("value", "funded", "held", "released", "due", "expected")
    total_fields = ("due", "expected", "available", "shortfall", "held", "released")
    return {
        "summary": summary,
        "rows": [
            (row, {k: money(getattr(row, k + "_minor")) for k in lot_fields})
            for row in summary.lots
        ],
        "totals": {k: money(getattr(summary, k + "_minor")) for k in total_fields},
        "message": services.funding_message(summary),
        "shortfall_major": format_minor(summary.shortfall_minor, code).split(" ")[0],
    }


def _report(db: Db, user: CurrentUser, order_id: str) -> dict[str, Any] | None:
    """The order's report once a lot is delivered, with bars for the comparison chart."""
    report = services.order_report(db, user.principal, order_id)
    if not any(lot.delivered_on is not None for lot in report.lots):
        return None
    code = report.currency
    widest = max([report.cost_minor, *(c.cost_minor for c in report.comparisons)]) or 1
    bars = [("this order", report.cost_minor, format_minor(report.cost_minor, code))]
    bars += [(c.baseline, c.cost_minor, format_minor(c.cost_minor, code))
             for c in report.comparisons]  # fmt: skip
    return {
        "report": report,
        "cost": format_minor(report.cost_minor, code),
        "manufacturing": format_minor(report.manufacturing_minor, code),
        "logistics": format_minor(report.logistics_minor, code),
        "rows": [
            (c, format_minor(c.cost_minor, code), format_minor(c.saved_minor, code))
            for c in report.comparisons
        ],
        "bars": [(label, round(300 * minor / widest), text) for label, minor, text in bars],
    }


def _page(
    request: Request,
    db: Db,
    user: CurrentUser,
    order_id: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    # Every question of the page reads one snapshot, and what each lot card asks about (seven
    # services per lot) is read for all lots at once first.
    with services.read_snapshot(db):
        # Another organisation's order is not found (the service decides; the page says 404).
        order = services.get_order(db, user.principal, order_id)
        services.preload_lot_views(db, user.principal, order.id)
        cards = _cards(db, user, order.id)
        escrow = _escrow(db, user, order.id)
        context = {
            "order": order,
            "cards": cards,
            "timeline": _timeline(cards),
            "escrow": escrow,
            "fingerprint": _fingerprint(order, [c["lot"] for c in cards], cards, escrow),
            "order_history": services.order_history(db, user.principal, order.id),
            "news": services.list_notifications(
                db, user.principal, order_id=order.id, limit=10
            ),
            "report": _report(db, user, order.id),
            "errors": errors or {},
            "notice": notice or request.query_params.get("notice"),
        }
    if is_htmx(request) and request.headers.get("HX-Target") == "lots":
        return render(request, "orders/_lots.html", context, status_code=status_code)
    return render(request, "orders/page.html", context, title=order.name,
                  status_code=status_code)  # fmt: skip


def _fingerprint(order: Any, lots: list[Any], cards: list[dict[str, Any]],
                 escrow: dict[str, Any] | None) -> str:  # fmt: skip
    """Changes when anything the page shows changes: the order's and lots' versions, the
    contracts' signatures and the escrow's figures."""
    parts = [f"{order.id}:{order.version}"]
    parts += [f"{lot.id}:{lot.version}" for lot in lots]
    parts += [f"{k['contract'].id}:{len(k['contract'].signatures)}"
              for c in cards for k in c["contracts"]]  # fmt: skip
    if escrow is not None:
        summary = escrow["summary"]
        parts.append(f"{summary.available_minor}:{summary.held_minor}:{summary.released_minor}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _current_fingerprint(db: Db, user: CurrentUser, order_id: str) -> str:
    with services.read_snapshot(db):
        order = services.get_order(db, user.principal, order_id)
        services.preload_lot_views(db, user.principal, order.id)
        lots = services.list_lots(db, user.principal, order_id)
        cards = [{"contracts": [{"contract": c} for c in services.list_lot_contracts(
            db, user.principal, lot.id)]} for lot in lots]  # fmt: skip
        return _fingerprint(order, lots, cards, _escrow(db, user, order_id))


@router.get("/orders/{order_id}/changes")
def order_changes(order_id: str, user: CurrentUser, db: Db, seen: str = "") -> Response:
    """Polled every 5 s by the open order page: 204 while nothing changed; when another party
    acted, ``HX-Refresh`` reloads the page (so typed input is kept until there is news)."""
    if _current_fingerprint(db, user, order_id) == seen:
        return Response(status_code=204)
    return Response(status_code=200, headers={"HX-Refresh": "true"})


@router.get("/orders/{order_id}")
def order_page(request: Request, order_id: str, user: CurrentUser, db: Db) -> Response:
    return _page(request, db, user, order_id)


def _refused(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


@router.post("/orders/{order_id}/funding")
def fund(
    request: Request,
    order_id: str,
    user: CurrentUser,
    db: Db,
    amount: str = Form(""),
    reference: str = Form(""),
) -> Response:
    order = services.get_order(db, user.principal, order_id)
    try:
        if not amount.strip():
            raise InputError("give the amount received", field="amount",
                             hint=f"in {order.currency}, e.g. 1234.50")  # fmt: skip
        minor = to_minor(amount.strip(), order.currency)
        if minor <= 0:
            raise InputError("the amount must be more than zero", field="amount")
        if not reference.strip():
            raise InputError("give the payment's reference (bank or provider id)",
                             field="reference")  # fmt: skip
        funding = services.fund_order(db, user.principal, order.id, minor,
                                      reference=reference.strip())  # fmt: skip
    except FabnetError as error:
        if error.http_status == 404:
            raise
        field = getattr(error, "field", None) or "amount"
        return _page(request, db, user, order.id, status_code=422,
                     errors={"funding": {field: _refused(error)}})  # fmt: skip
    notice = f"Deposit of {format_minor(minor, order.currency)} recorded. {funding.message}"
    return _page(request, db, user, order.id, notice=notice)


@router.post("/orders/{order_id}/lots/{lot_id}/act")
async def act(
    request: Request,
    order_id: str,
    lot_id: str,
    user: CurrentUser,
    db: Db,
    settings: WebSettings,
    action: str = Form(...),
    reason: str = Form(""),
    evidence: list[UploadFile] | None = None,
) -> Response:
    lot = services.get_lot(db, user.principal, lot_id)
    if lot.order_id != order_id:
        return _page(request, db, user, order_id, status_code=422,
                     errors={lot_id: {"action": "this lot belongs to another order"}})  # fmt: skip
    try:
        try:
            chosen = LotAction(action)
        except ValueError:
            raise InputError(f"{action!r} is not a lot action", field="action") from None
        hashes: list[str] = []
        files = [f for f in (evidence or []) if f.filename]
        if files:
            store = services.open_file_store(settings)
            for upload in files:
                data = await upload.read()
                name = upload.filename or "evidence"
                stored = services.store_bytes(db, store, data, original_name=name)
                hashes.append(stored.sha256)
        services.act_on_lot(db, user.principal, lot_id, chosen,
                            reason=reason.strip() or None, evidence_sha256=hashes)  # fmt: skip
    except FabnetError as error:
        if error.http_status == 404:
            raise
        field = getattr(error, "field", None) or "action"
        return _page(request, db, user, order_id, status_code=422,
                     errors={lot_id: {field if field in ("reason", "evidence") else "action":
                                      _refused(error)}})  # fmt: skip
    label = ACTION_LABELS.get(chosen, chosen.value)
    return RedirectResponse(f"/orders/{order_id}?notice={label}: done.#lot-{lot_id}",
                            status_code=303)  # fmt: skip


@router.post("/orders/{order_id}/lots/{lot_id}/inspector")
def assign_inspector(
    request: Request,
    order_id: str,
    lot_id: str,
    user: CurrentUser,
    db: Db,
    inspector_org_id: str = Form(""),
) -> Response:
    """The buyer assigns an independent inspection body to the lot (or changes it), at any state
    before the inspection result: an open inspection task moves to the new body."""
    lot = services.get_lot(db, user.principal, lot_id)
    if lot.order_id != order_id:
        wrong = {lot_id: {"inspector": "this lot belongs to another order"}}
        return _page(request, db, user, order_id, status_code=422, errors=wrong)
    choice = inspector_org_id.strip()
    try:
        offered = services.inspector_assignment(db, user.principal, lot_id)
        if not choice:
            raise InputError("choose the inspection body from the list", field="inspector")
        if offered.may_assign and choice not in {b.org_id for b in offered.bodies}:
            raise InputError(
                "that organisation is not an inspection body on the platform: choose one from "
                "the list", field="inspector",
                hint="a platform admin adds inspection bodies as organisations",
            )  # fmt: skip
        if choice == offered.inspector_org_id:
            raise InputError(f"{offered.inspector_name} already inspects this lot",
                             field="inspector")  # fmt: skip
        services.assign_inspector(db, user.principal, lot_id, choice)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _page(request, db, user, order_id, status_code=422,
                     errors={lot_id: {"inspector": _refused(error)}})  # fmt: skip
    name = next((b.name for b in offered.bodies if b.org_id == choice), choice)
    notice = f"{name} now inspects the lot"
    return RedirectResponse(f"/orders/{order_id}?notice={notice}.#lot-{lot_id}", status_code=303)


@router.post("/orders/{order_id}/lots/{lot_id}/prototype-approval")
def prototype_approval(
    request: Request,
    order_id: str,
    lot_id: str,
    user: CurrentUser,
    db: Db,
    delegated: str = Form(""),
) -> Response:
    """The buyer delegates the approval of the lot's prototype to the lot's inspector (or takes
    it back)."""
    lot = services.get_lot(db, user.principal, lot_id)
    if lot.order_id != order_id:
        return _page(request, db, user, order_id, status_code=422,
                     errors={lot_id: {"action": "this lot belongs to another order"}})  # fmt: skip
    try:
        if delegated not in ("yes", "no"):
            raise InputError("choose whether to delegate (yes or no)", field="delegated")
        view = services.delegate_prototype_approval(db, user.principal, lot_id,
                                                    delegated=delegated == "yes")  # fmt: skip
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _page(request, db, user, order_id, status_code=422,
                     errors={lot_id: {"action": _refused(error)}})  # fmt: skip
    notice = (
        f"Prototype approval delegated to {view.inspector_name}: the inspector approves or "
        "rejects the first article."
        if view.delegated
        else "Prototype approval taken back: you approve or reject the first article."
    )
    return RedirectResponse(f"/orders/{order_id}?notice={notice}#lot-{lot_id}", status_code=303)


@router.post("/contracts/{contract_id}/sign")
def sign(
    request: Request, contract_id: str, user: CurrentUser, db: Db, settings: WebSettings
) -> Response:
    contract = services.get_contract(db, user.principal, contract_id)
    try:
        services.sign_contract(db, user.principal, contract_id, settings=settings)
    except FabnetError as error:
        if error.http_status == 404:
            raise
        return _page(request, db, user, contract.order_id, status_code=422,
                     errors={contract.lot_id: {"contract": _refused(error)}})  # fmt: skip
    return RedirectResponse(
        f"/orders/{contract.order_id}?notice=Contract signed.#lot-{contract.lot_id}",
        status_code=303,
    )


@router.get("/contracts/{contract_id}.pdf")
def contract_pdf(contract_id: str, user: CurrentUser, db: Db, settings: WebSettings) -> Response:
    pdf = services.contract_pdf(db, user.principal, contract_id,
                                store=services.open_file_store(settings))  # fmt: skip
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="contract-{contract_id}.pdf"'},
    )
