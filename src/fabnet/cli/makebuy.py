"""``fabnet makebuy``: print a design at home, or buy it?

    fabnet makebuy DESIGN --printer prusa-mk4 --filament petg [--retail 12.50] [--near PLACE]
                   [--filament-price 18] [--electricity 0.30] [--failures 0.10]
                   [--printer-price 900] [--power-w 90] [--life-hours 8000] [--json]

Exit 0 with the comparison; exit 1 when the design cannot be printed on that printer with that
filament (the reasons are printed, as matching words them); exit 2 for bad input.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from fabnet.cli._common import (
    EXIT_FAILURE,
    JSON_OPTION,
    console,
    emit_json,
    format_amount,
    open_db,
)
from fabnet.cli._common import handle_errors as _handle_errors
from fabnet.services.sourcing.makebuy import ProfileIn, make_or_buy


@_handle_errors
def makebuy_command(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design or variant id, or manifest."),
    printer: str = typer.Option(..., "--printer", help="Printer id (data/makebuy/printers.toml)."),
    filament: str = typer.Option(..., "--filament", help="Filament id, e.g. pla, recyclebot-pla."),
    retail: float | None = typer.Option(None, "--retail", help="Price to buy it in a shop."),
    near: str | None = typer.Option(None, "--near", help="Compare with network quotes near here."),
    filament_price: float | None = typer.Option(None, "--filament-price", help="Per kg."),
    electricity: float = typer.Option(0.30, "--electricity", help="Price per kWh."),
    failures: float = typer.Option(0.10, "--failures", help="Share of prints that fail (0-0.9)."),
    printer_price: float | None = typer.Option(None, "--printer-price", help="What it cost."),
    power_w: float | None = typer.Option(None, "--power-w", help="Average draw while printing."),
    life_hours: float | None = typer.Option(None, "--life-hours", help="Expected printer life."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Home cost per unit (filament + energy + printer wear + failures) against retail and the
    network; printability on your printer explained as in matching."""
    given = ProfileIn(
        printer=printer, filament=filament, printer_price=printer_price, power_w=power_w,
        life_hours=life_hours, filament_price_per_kg=filament_price,
        electricity_per_kwh=electricity, failure_allowance=failures,
    )  # fmt: skip
    db = open_db()
    try:
        result = make_or_buy(db, design, given, retail=retail, near=near)
    finally:
        db.dispose()
    data = result.to_json()
    if json_output:
        emit_json(data)
    else:
        _print(data)
    if not result.printable:
        raise typer.Exit(EXIT_FAILURE)


def _print(data: dict[str, object]) -> None:
    profile = data["profile"]
    assert isinstance(profile, dict)
    cur = data["currency"]
    console.print(
        f"[bold]{escape(str(data['design_name']))}[/bold] on a {escape(profile['printer_name'])}"
        f" with {profile['filament']} at {profile['filament_price_per_kg']:g} {cur}/kg"
    )
    if not data["printable"]:
        console.print("[bold red]cannot be printed at home[/bold red]:")
        for reason in data["reasons"]:  # type: ignore[attr-defined]
            console.print(f"  {escape(reason)}")
        return
    for part in data["parts"]:  # type: ignore[attr-defined]
        console.print(
            f"  {part['part_id']} x{part['per_product']}: {part['filament_g']:.1f} g, "
            f"{part['print_hours']:.2f} h -> filament {part['filament']:.2f} + energy "
            f"{part['energy']:.2f} + wear {part['wear']:.2f} + failures {part['failures']:.2f}"
            f" = {part['total']:.2f} {cur}"
        )
    money = format_amount
    console.print(
        f"home cost per unit: [bold]{money(float(str(data['home_cost'])), str(cur))}[/bold]"
    )
    for c in data["comparisons"]:  # type: ignore[attr-defined]
        payback = "never" if c["payback_units"] is None else f"{c['payback_units']} units"
        console.print(
            f"vs {escape(c['against'])} {money(c['buy_price'], str(cur))}: "
            f"saving {money(c['saving'], str(cur))}"
            f" ({c['saving_pct']:.0f} %), printer pays back after {payback}"
        )
    for note in data["notes"]:  # type: ignore[attr-defined]
        console.print(f"note: {escape(note)}")


def register(root: typer.Typer) -> None:
    root.command("makebuy")(makebuy_command)
