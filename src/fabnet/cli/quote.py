"""``fabnet quote``: machine time, material and (with a facility) the price of a design.

    fabnet quote DESIGN [--facility ID] [--qty N] [--json]

DESIGN is a design id (or unique prefix) or an OKH manifest file, imported on the fly. FDM parts
are sliced with PrusaSlicer the first time (a few seconds each), then read from the cache.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._common import EXIT_FAILURE, JSON_OPTION, console, emit_json, open_db
from fabnet.cli._common import handle_errors as _handle_errors
from fabnet.engine.quoting import DesignQuote, QuoteLine
from fabnet.services.sourcing.quoting import quote_design


def _line_json(line: QuoteLine) -> dict[str, Any]:
    price = line.price
    return {
        "item_id": line.item_id,
        "item_name": line.item_name,
        "kind": line.kind,
        "per_product": line.per_product,
        "process": line.process,
        "time": line.time.to_json() if line.time else None,
        "price": None
        if price is None
        else {
            "units": price.units,
            "billed_units": price.billed_units,
            "hours_per_unit": price.hours_per_unit,
            "hours_source": price.hours_source,
            "setup_cost": price.setup_cost,
            "tooling_cost": price.tooling_cost,
            "machine_cost_per_unit": price.machine_cost_per_unit,
            "material_cost_per_unit": price.material_cost_per_unit,
            "total": price.total,
            "unit_price": price.unit_price,
            "complete": price.complete,
            "missing": price.missing,
        },
        "note": line.note,
    }


def quote_json(quote: DesignQuote) -> dict[str, Any]:
    """The quote as plain JSON values (what ``--json`` prints)."""
    return {
        "design_id": quote.design_id,
        "design_name": quote.design_name,
        "quantity": quote.quantity,
        "facility_id": quote.facility_id,
        "facility_name": quote.facility_name,
        "currency": quote.currency,
        "total": quote.total,
        "priced_subtotal": quote.priced_subtotal,
        "per_product": quote.per_product,
        "complete": quote.complete,
        "minimum_order_value_applied": quote.minimum_order_value_applied,
        "missing": list(quote.missing),
        "lines": [_line_json(line) for line in quote.lines],
    }


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)


def _print(quote: DesignQuote) -> None:
    where = (
        f" at {escape(quote.facility_name or '')} ({quote.facility_id})"
        if quote.facility_id
        else ""
    )
    console.print(f"[bold]{escape(quote.design_name)}[/bold] x {quote.quantity}{where}")
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("item", no_wrap=True)
    table.add_column("x", justify="right")
    table.add_column("process", no_wrap=True)
    for column in ("h/unit", "setup h", "material g"):
        table.add_column(column, justify="right")
    if quote.facility_id:
        table.add_column(f"price {quote.currency or ''}".strip(), justify="right")
    table.add_column("note")
    console.print("methods and details: --json")
    for line in quote.lines:
        time = line.time
        row = [
            escape(line.item_id),
            str(line.per_product),
            line.process or "-",
            _num(time.hours_per_unit if time else None, ".3f"),
            _num((time.setup_hours + time.tooling_hours) if time else None, ".2f"),
            _num(time.material_g if time else None, ".1f"),
        ]
        if quote.facility_id:
            row.append(_num(line.price.total if line.price else None))
        row.append(escape(line.note or ""))
        table.add_row(*row)
    console.print(table)
    if quote.facility_id and quote.complete:
        console.print(
            f"total {_num(quote.total)} {quote.currency or ''}, per product "
            f"{_num(quote.per_product)}"
        )
    elif quote.facility_id:
        console.print(
            f"[bold red]INCOMPLETE quote[/bold red]: no total; "
            f"{escape('; '.join(quote.missing))} (priced lines only: "
            f"{_num(quote.priced_subtotal)} {quote.currency or ''})"
        )


@_handle_errors
def quote_command(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design id or OKH manifest file."),
    facility: str | None = typer.Option(
        None, "--facility", help="Price with this facility's rates."
    ),
    qty: int = typer.Option(1, "--qty", help="Finished products wanted."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Hours per unit and material for every part and assembly step; the price with --facility.

    With --facility: exit 2 when the facility cannot make a part (the reasons are printed), exit 1
    when the quote is incomplete (an item without a rate, a time estimate or a mass)."""
    db = open_db()
    try:
        quote = quote_design(db, design, facility_id=facility, quantity=qty)
    finally:
        db.dispose()
    if json_output:
        emit_json(quote_json(quote))
    else:
        _print(quote)
    if quote.facility_id and not quote.complete:
        raise typer.Exit(EXIT_FAILURE)


def register(root: typer.Typer) -> None:
    root.command("quote")(quote_command)
