"""``fabnet orders``: list and inspect orders, their lots and the order's ledger (local operator),
and run the invitation timer."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._common import JSON_OPTION, console, emit_json, new_app, open_db
from fabnet.domain.orders.currency import format_minor
from fabnet.errors import InputError
from fabnet.services.lots import expire_invitations
from fabnet.services.orders import allocation, get_order, list_lots, list_orders
from fabnet.services.payments import order_ledger

app = new_app("Orders across many manufacturers: orders, lots, money.")


@app.command("list")
def orders_list(
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    cursor: str | None = typer.Option(None, "--cursor", help="Continue from a previous page."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every order, oldest first, a page at a time."""
    page = list_orders(open_db(), None, limit=limit, cursor=cursor)
    if as_json:
        emit_json({"items": page.items, "next_cursor": page.next_cursor})
        return
    table = Table("id", "name", "state", "mode", "quantity")
    for o in page.items:
        table.add_row(o.id, escape(o.name), o.state.value, o.mode.value, str(o.quantity))
    console.print(table)
    if page.next_cursor:
        console.print(f"more: fabnet orders list --cursor {page.next_cursor}")


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


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="orders")
