"""``fabnet lots`` and ``fabnet inspections``: a lot's life cycle acting as a named user
(``--as EMAIL`` or ``--token``), with ``--json`` for scripts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from fabnet.cli._actor import AS_OPTION, TOKEN_OPTION, acting_user, optional_actor
from fabnet.cli._common import JSON_OPTION, console, emit_json, new_app, open_db
from fabnet.domain.orders.currency import format_minor, to_minor
from fabnet.errors import InputError
from fabnet.services.orders import CounterOffer, LotView

if TYPE_CHECKING:
    from fabnet.services.orders.lots import PrototypeApproval, ReplanOutcome

app = new_app("Lots: accept, decline, counter-offer, ship, deliver... as a named user.")
inspections_app = new_app("Inspections: assign an inspector, the AQL plan, record the result.")

EVIDENCE = typer.Option([], "--evidence", help="SHA-256 of a stored file (repeat).")
REASON = typer.Option(None, "--reason", help="Why (required for decline and rejections).")


def _print(lot: LotView, as_json: bool) -> None:
    if as_json:
        emit_json(lot)
        return
    console.print(f"lot {lot.id}: {lot.state.value} (v{lot.version}), {lot.quantity} x "
                  f"{escape(lot.item_id)} at {format_minor(lot.unit_price_minor, lot.currency)}, "
                  f"due {lot.due_date.isoformat()}")  # fmt: skip
    if lot.counter_offer is not None:
        offer = lot.counter_offer
        price = ("" if offer.unit_price_minor is None
                 else format_minor(offer.unit_price_minor, lot.currency))  # fmt: skip
        when = "" if offer.due_date is None else offer.due_date.isoformat()
        console.print(f"  counter-offer: {price} {when} {escape(offer.note)}".rstrip())


def _print_approval(approval: PrototypeApproval) -> None:
    who = escape(approval.inspector_name or str(approval.inspector_org_id))
    if approval.delegated:
        when = "" if approval.delegated_at is None else f" on {approval.delegated_at:%Y-%m-%d}"
        console.print(f"  prototype approval: delegated to the inspector {who}{when}")
    elif approval.can_change:
        console.print(f"  prototype approval: the buyer's (delegate it to {who} with "
                      f"fabnet lots delegate-prototype {approval.lot_id[:8]})")  # fmt: skip


def _print_replan(outcome: ReplanOutcome) -> None:
    status = "re-planned" if outcome.status == "replanned" else "re-plan failed"
    console.print(f"  {status} ({outcome.occurred_at:%Y-%m-%d}): {escape(outcome.message)}")
    if outcome.new_lot_ids:
        console.print("  new lots: " + ", ".join(i[:8] for i in outcome.new_lot_ids))


@app.command("show")
def lots_show(
    lot_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A lot as the acting user sees it (the local operator without --as): who approves its
    prototype (the buyer, or the inspector by delegation) and what became of its quantity when
    it was re-planned (declined, counter-offer rejected, expired, terminated)."""
    from fabnet.services.orders.lots import get_lot, prototype_approval, replan_outcome

    db = open_db()
    actor = optional_actor(db, as_user, token)
    lot = get_lot(db, actor, lot_id.strip())
    approval = prototype_approval(db, actor, lot.id)
    outcome = replan_outcome(db, actor, lot.id)
    if as_json:
        data: dict[str, Any] = lot.model_dump(mode="json")
        data["prototype_approval"] = approval.model_dump(mode="json")
        data["replan"] = None if outcome is None else outcome.model_dump(mode="json")
        emit_json(data)
        return
    _print(lot, as_json)
    if approval.inspector_org_id is not None:
        _print_approval(approval)
    if outcome is not None:
        _print_replan(outcome)


@app.command("accept")
def lots_accept(
    lot_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Accept an invitation (the contract is drafted for signature)."""
    from fabnet.services.orders.lots import accept_lot

    db = open_db()
    _print(accept_lot(db, acting_user(db, as_user, token), lot_id.strip()), as_json)


@app.command("decline")
def lots_decline(
    lot_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why you decline (the buyer sees it)."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Decline an invitation with a reason; the quantity is re-planned elsewhere."""
    from fabnet.services.orders.lots import decline_lot

    db = open_db()
    _print(decline_lot(db, acting_user(db, as_user, token), lot_id.strip(), reason), as_json)


@app.command("counter")
def lots_counter(
    lot_id: str = typer.Argument(...),
    price: str | None = typer.Option(None, "--price", help="Unit price, e.g. 4.95."),
    due: str | None = typer.Option(None, "--due", help="Due date, YYYY-MM-DD."),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Counter-offer a unit price and/or a due date."""
    from fabnet.services.orders.lots import counter_offer_lot, get_lot

    db = open_db()
    actor = acting_user(db, as_user, token)
    lot = get_lot(db, actor, lot_id.strip())
    try:
        when = None if due is None else date.fromisoformat(due)
    except ValueError:
        raise InputError(f"{due!r} is not a date", field="--due", hint="YYYY-MM-DD") from None
    offer = CounterOffer(
        unit_price_minor=None if price is None else to_minor(price, lot.currency),
        due_date=when, note=note,
    )  # fmt: skip
    _print(counter_offer_lot(db, actor, lot.id, offer), as_json)


@app.command("act")
def lots_act(
    lot_id: str = typer.Argument(...),
    action: str = typer.Argument(
        ...,
        help="e.g. accept_counter_offer, reject_counter_offer, "
        "start_production, submit_for_inspection, ship, "
        "confirm_delivery, dispute, cancel",
    ),
    reason: str | None = REASON,
    evidence: list[str] = EVIDENCE,
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Take any lot action the life cycle allows your role."""
    from fabnet.services.orders.lots import act_on_lot

    db = open_db()
    lot = act_on_lot(db, acting_user(db, as_user, token), lot_id.strip(),
                     action.strip().replace("-", "_"), reason=reason,
                     evidence_sha256=evidence)  # fmt: skip
    _print(lot, as_json)


@app.command("prototype")
def lots_prototype(
    lot_id: str = typer.Argument(...),
    decision: str = typer.Argument(..., help="submit, approve or reject"),
    evidence: list[str] = EVIDENCE,
    reason: str | None = REASON,
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Submit a first article with evidence, or approve / reject it."""
    from fabnet.services.orders.lots import review_prototype, submit_prototype

    db = open_db()
    actor = acting_user(db, as_user, token)
    if decision == "submit":
        lot = submit_prototype(db, actor, lot_id.strip(), evidence)
    elif decision in ("approve", "reject"):
        lot = review_prototype(db, actor, lot_id.strip(), approve=decision == "approve",
                               evidence_sha256=evidence, reason=reason)  # fmt: skip
    else:
        raise InputError(f"unknown decision {decision!r}", field="decision",
                         hint="use submit, approve or reject")  # fmt: skip
    _print(lot, as_json)


@app.command("delegate-prototype")
def lots_delegate_prototype(
    lot_id: str = typer.Argument(...),
    undo: bool = typer.Option(False, "--undo", help="Take the approval back from the inspector."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Delegate the approval of the lot's prototype (first article) to its inspection body, as
    the buyer; --undo takes it back. Allowed until the prototype is approved."""
    from fabnet.services.orders.lots import delegate_prototype_approval

    db = open_db()
    approval = delegate_prototype_approval(db, acting_user(db, as_user, token), lot_id.strip(),
                                           delegated=not undo)  # fmt: skip
    if as_json:
        emit_json(approval)
        return
    who = escape(approval.inspector_name or str(approval.inspector_org_id))
    if approval.delegated:
        console.print(f"lot {approval.lot_id}: the inspector {who} approves or rejects the "
                      "prototype")  # fmt: skip
    else:
        console.print(f"lot {approval.lot_id}: the buyer approves or rejects the prototype "
                      f"(the inspector {who} may not)")  # fmt: skip


# --- inspections ---------------------------------------------------------------------------------


@inspections_app.command("assign")
def inspections_assign(
    lot_id: str = typer.Argument(...),
    inspector_org_id: str = typer.Argument(..., help="The inspection body's organisation id."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Assign an inspection body to a lot (at any state before the result)."""
    from fabnet.services.orders.inspections import assign_inspector

    db = open_db()
    lot = assign_inspector(db, acting_user(db, as_user, token), lot_id.strip(),
                           inspector_org_id.strip())  # fmt: skip
    _print(lot, as_json)


@inspections_app.command("list")
def inspections_list(
    lot_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A lot's inspection tasks with their ISO 2859-1 plans (sample size, Ac/Re per class)."""
    from fabnet.services.orders.inspections import lot_inspections

    db = open_db()
    actor = optional_actor(db, as_user, token)
    tasks = lot_inspections(db, actor, lot_id.strip())
    if as_json:
        emit_json(tasks)
        return
    for t in tasks:
        console.print(f"inspection {t.id}: {t.status}, lot size {t.lot_size}, draw "
                      f"{t.sample_size}, verdict {t.verdict or '-'}")  # fmt: skip
        for cls, p in t.plans.items():
            console.print(f"  {cls.value}: {p.model_dump(mode='json')}")


@inspections_app.command("record")
def inspections_record(
    inspection_id: str = typer.Argument(...),
    defects: list[str] = typer.Option(
        [], "--defects", help="CLASS=COUNT found in the sample, e.g. major=1 (repeat)."
    ),
    evidence: list[str] = EVIDENCE,
    accepted_quantity: int | None = typer.Option(None, "--accepted-quantity", min=0),
    reason: str | None = REASON,
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the defects found per class; the verdict follows from the sampling plans."""
    from fabnet.services.orders.inspections import record_inspection

    counts: dict[str, int] = {}
    for item in defects:
        cls, sep, count = item.partition("=")
        if not sep or not count.strip().isdigit():
            raise InputError(f"{item!r} is not CLASS=COUNT", field="--defects",
                             hint="e.g. --defects major=0 --defects minor=2")  # fmt: skip
        counts[cls.strip().lower()] = int(count)
    db = open_db()
    try:
        view = record_inspection(db, acting_user(db, as_user, token), inspection_id.strip(),
                                 counts, evidence_sha256=evidence,
                                 accepted_quantity=accepted_quantity, reason=reason)  # fmt: skip
    except ValueError as exc:  # an unknown defect class
        raise InputError(str(exc), field="--defects",
                         hint="classes: critical, major, minor") from None  # fmt: skip
    if as_json:
        emit_json(view)
        return
    console.print(f"inspection {view.id}: verdict {view.verdict}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lots")
    root.add_typer(inspections_app, name="inspections")
