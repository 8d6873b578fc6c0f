"""``fabnet orders``: list and inspect orders, their lots and the order's ledger (local operator),
and run the invitation timer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._actor import AS_OPTION, TOKEN_OPTION, acting_user, optional_actor
from fabnet.cli._common import (
    JSON_OPTION,
    QUIET_OPTION,
    WIDE_OPTION,
    Column,
    console,
    cursor_option,
    emit_json,
    emit_page,
    limit_option,
    new_app,
    open_db,
    print_list,
    print_more,
)
from fabnet.domain.orders.currency import format_minor
from fabnet.errors import InputError
from fabnet.services.orders import OrderTerms
from fabnet.services.orders.escrow import EscrowSummary, escrow_summary
from fabnet.services.orders.lots import expire_invitations
from fabnet.services.orders.orders import allocation, get_order, list_lots, list_orders
from fabnet.services.orders.payments import order_ledger

app = new_app("Orders across many manufacturers: orders, lots, money.")


@app.command("list")
def orders_list(
    limit: int = limit_option(),
    cursor: str | None = cursor_option(),
    as_json: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Every order, oldest first, a page at a time."""
    page = list_orders(open_db(), None, limit=limit, cursor=cursor)
    if as_json:
        emit_page(page.items, page.next_cursor)
        return
    columns = [Column("id"), Column("name"), Column("state"), Column("mode", wide=True),
               Column("quantity", wide=True)]  # fmt: skip
    rows = [[o.id, o.name, o.state.value, o.mode.value, str(o.quantity)] for o in page.items]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    print_more(page.next_cursor, "fabnet orders list")


@app.command("show")
def orders_show(order_id: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """An order with its lots and whether they add up to the order."""
    db = open_db()
    order = get_order(db, None, order_id)
    lots = list_lots(db, None, order_id)
    alloc = allocation(db, None, order_id)
    if as_json:
        emit_json({"order": order, "lots": lots, "allocation": alloc})
        return
    console.print(f"{order.id}  {escape(order.name)}  {order.state.value} (v{order.version})")
    console.print(f"  allocated {alloc.allocated_quantity} of {alloc.order_quantity} units")
    table = Table("lot", "state", "facility", "item", "qty", "unit price", "value", "due")
    for lot in lots:
        table.add_row(lot.id, lot.state.value, lot.facility_id, lot.item_id, str(lot.quantity),
                      format_minor(lot.unit_price_minor, lot.currency),
                      format_minor(lot.unit_price_minor * lot.quantity, lot.currency),
                      lot.due_date.isoformat())  # fmt: skip
    console.print(table)


@app.command("ledger")
def orders_ledger(order_id: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """The order's ledger transactions and account balances (``--json``: integer minor units
    with the currency code)."""
    ledger = order_ledger(open_db(), None, order_id)
    if as_json:
        emit_json(ledger)
        return
    for b in ledger.balances:
        console.print(f"{b.account:<60} {format_minor(b.balance_minor, b.currency):>18}")


@app.command("expire-invitations")
def orders_expire(
    now: str | None = typer.Option(None, "--now", help="ISO time to expire at (default: now)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Expire unanswered invitations and re-plan their quantity (run on a timer)."""
    at = None
    if now is not None:
        try:
            at = datetime.fromisoformat(now)
        except ValueError:
            raise InputError(f"{now!r} is not an ISO date-time", field="--now") from None
        if at.tzinfo is None:
            raise InputError("give a time zone, e.g. 2027-01-05T12:00:00+00:00", field="--now")
    expired = expire_invitations(open_db(), at)
    if as_json:
        emit_json(expired)
    else:
        console.print(f"{len(expired)} invitation(s) expired")


# --- the life cycle, acting as a named user ------------------------------------------------------


def _escrow_lines(summary: EscrowSummary) -> None:
    cur = summary.currency
    table = Table("lot", "state", "value", "funded", "held", "released", "due", "expected")
    for r in summary.lots:
        table.add_row(r.lot_id, r.state.value, *(format_minor(v, cur) for v in (
            r.value_minor, r.funded_minor, r.held_minor, r.released_minor, r.due_minor,
            r.expected_minor)))  # fmt: skip
    console.print(table)
    console.print(
        f"due now {format_minor(summary.due_minor, cur)}; deposited and not yet in "
        f"escrow {format_minor(summary.available_minor, cur)}; "
        f"[bold]still to pay {format_minor(summary.shortfall_minor, cur)}[/bold]; "
        f"expected when invited lots accept {format_minor(summary.expected_minor, cur)}"
    )
    console.print(f"held {format_minor(summary.held_minor, cur)}, released or refunded "
                  f"{format_minor(summary.released_minor, cur)}")  # fmt: skip


@app.command("create")
def orders_create(
    order_file: Path = typer.Argument(..., help="Order file (YAML or JSON), see docs/orders.md."),
    incoterm: str = typer.Option("DAP", "--incoterm", help="Incoterms 2020 rule, e.g. DAP, FCA."),
    named_place: str = typer.Option(
        "each delivery point", "--named-place", help="The Incoterm's named place for the order."
    ),
    transport: str = typer.Option("road", "--transport", help="road, air, sea, courier, ..."),
    specify: bool = typer.Option(True, "--specify/--draft", help="Specify it at once."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an order from an order file as the buyer (SPECIFIED unless --draft)."""
    from pydantic import ValidationError

    from fabnet.domain.orders.incoterms import DeliveryTerms
    from fabnet.domain.orders.states import OrderAction
    from fabnet.services.orders.orders import act_on_order, create_order
    from fabnet.standards.order_file import load_order_file

    db = open_db()
    actor = acting_user(db, as_user, token)
    spec = load_order_file(order_file)
    try:
        delivery = DeliveryTerms.model_validate(
            {"rule": incoterm.strip().upper(), "named_place": named_place,
             "transport_mode": transport.strip().lower()}
        )  # fmt: skip
    except ValidationError as exc:
        raise InputError(str(exc.errors()[0]["msg"]), field="--incoterm",
                         hint="e.g. --incoterm DAP --transport road") from None  # fmt: skip
    order = create_order(db, actor, spec, terms=OrderTerms(delivery=delivery))
    if specify:
        order = act_on_order(db, actor, order.id, OrderAction.SPECIFY)
    if as_json:
        emit_json(order)
        return
    console.print(f"order {order.id} {escape(order.name)}: {order.state.value}, "
                  f"{order.quantity} units")  # fmt: skip


@app.command("plan")
def orders_plan(
    order_id: str = typer.Argument(...),
    exclude: list[str] = typer.Option([], "--exclude", help="Keep this facility out (repeat)."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Plan the order (it starts sourcing); the plan is stored, see /v1/plans/PLAN_ID."""
    from fabnet.services.orders.orders import plan

    db = open_db()
    summary = plan(db, acting_user(db, as_user, token), order_id.strip(),
                   exclude_facility_ids=exclude)  # fmt: skip
    if as_json:
        emit_json(summary)
        return
    console.print(f"plan {summary.plan_id}: {summary.status}, {len(summary.lots)} lots")
    console.print(f"award it: fabnet orders award {order_id} {summary.plan_id}")


@app.command("award")
def orders_award(
    order_id: str = typer.Argument(...),
    plan_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Award a plan: invite one lot per lot of the plan."""
    from fabnet.services.orders.orders import award

    db = open_db()
    invited = award(db, acting_user(db, as_user, token), order_id.strip(), plan_id.strip())
    if as_json:
        emit_json(invited)
        return
    for lot in invited:
        console.print(f"invited {lot.id}: {lot.quantity} x {lot.item_id} at {lot.facility_id}, "
                      f"{format_minor(lot.unit_price_minor, lot.currency)} per unit")  # fmt: skip


@app.command("escrow")
def orders_escrow(
    order_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """What escrow is due per lot and in total, funded, held and released."""
    db = open_db()
    actor = optional_actor(db, as_user, token)
    summary = escrow_summary(db, actor, order_id.strip())
    if as_json:
        emit_json(summary)
        return
    _escrow_lines(summary)


@app.command("report")
def orders_report(
    order_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """After delivery: cost, CO2e, lots on time, and the savings against the baselines and
    retail (``--json``: integer minor units with the currency code)."""
    from fabnet.services.orders.report import order_report

    db = open_db()
    report = order_report(db, optional_actor(db, as_user, token), order_id.strip())
    if as_json:
        emit_json(report)
        return
    code = report.currency
    state = "complete" if report.complete else "in progress"
    console.print(f"{escape(report.order_name)} ({state}): {report.units_delivered} of "
                  f"{report.units_ordered} units delivered; lots on time {report.lots_on_time}, "
                  f"late {report.lots_late}")  # fmt: skip
    console.print(
        f"cost {format_minor(report.cost_minor, code)} = manufacturing "
        f"{format_minor(report.manufacturing_minor, code)} + transport and duties "
        f"{format_minor(report.logistics_minor, code)}"
        + ("" if report.co2e_kg is None else f"; {report.co2e_kg:,.1f} kg CO2e")
    )
    table = Table("against", "their cost", "saved", "%", "CO2e saved (kg)", "note")
    for c in report.comparisons:
        table.add_row(
            c.baseline, format_minor(c.cost_minor, code), format_minor(c.saved_minor, code),
            f"{c.saved_pct:.1f}", "" if c.co2e_saved_kg is None else f"{c.co2e_saved_kg:,.1f}",
            "" if c.valid else "breaks: " + "; ".join(c.breaks),
        )  # fmt: skip
    console.print(table)
    for note in report.notes:
        console.print(f"note: {escape(note)}")


@app.command("fund")
def orders_fund(
    order_id: str = typer.Argument(...),
    amount: str = typer.Argument(..., help="In the order's currency, e.g. 1234.50 (or 'due')."),
    reference: str = typer.Option(..., "--reference", help="The payment provider's reference."),
    allow_short: bool = typer.Option(
        False, "--allow-short", help="Record a deposit smaller than the amount still due."
    ),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the payer's deposit. Refused when it is less than what is still due for the
    accepted lots (unless --allow-short); prints what each lot still needs."""
    from fabnet.domain.orders.currency import to_minor
    from fabnet.services.orders.payments import fund_order

    db = open_db()
    actor = acting_user(db, as_user, token)
    before = escrow_summary(db, actor, order_id.strip())
    cur = before.currency
    minor = before.shortfall_minor if amount.strip().lower() == "due" else to_minor(amount, cur)
    if minor <= 0:
        raise InputError("nothing to pay: the amount is zero", field="amount",
                         hint="see `fabnet orders escrow ORDER`")  # fmt: skip
    if minor < before.shortfall_minor and not allow_short:
        raise InputError(
            f"{format_minor(minor, cur)} is less than the "
            f"{format_minor(before.shortfall_minor, cur)} still due for the accepted lots",
            field="amount", hint="pay the amount due (or 'due'), or pass --allow-short",
        )  # fmt: skip
    funding = fund_order(db, actor, order_id.strip(), minor, reference=reference)
    if as_json:
        emit_json({**funding.escrow.model_dump(mode="json"), "message": funding.message,
                   "uncovered_lot_ids": list(funding.uncovered_lot_ids)})  # fmt: skip
        return
    console.print(f"deposited {format_minor(minor, cur)} ({escape(reference)})")
    _escrow_lines(funding.escrow)
    console.print(escape(funding.message))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="orders")
