"""``fabnet plan ORDER_FILE``: split an order across facilities, assembly sites and delivery
points at least cost, time and CO2 (the network planner on HiGHS)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._actor import AS_OPTION, TOKEN_OPTION, acting_user
from fabnet.cli._common import (
    JSON_OPTION,
    check_output_path,
    console,
    emit_json,
    err_console,
    format_amount,
    format_number,
    handle_errors,
    open_db,
    path_argument,
)
from fabnet.errors import InputError
from fabnet.services.sourcing.planning import PlanOverrides, PlanRecord, plan_order
from fabnet.standards.order_file import load_order_file

CLI_JSON_KEYS = ("status", "objective", "bound", "gap", "flows", "cost", "co2e_kg", "baselines")


@handle_errors
def plan(
    order_file: Path = typer.Argument(
        ..., help="Order file (YAML or JSON), see docs/orders.md.", parser=path_argument
    ),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Solver time limit in seconds (best plan and gap returned)."
    ),
    gap: float | None = typer.Option(
        None, "--gap", help="Relative optimality gap to stop at, e.g. 0.01 for 1 %."
    ),
    co2_price: float | None = typer.Option(
        None, "--co2-price", help="Price per tonne CO2e added to the objective."
    ),
    max_facilities: int | None = typer.Option(
        None, "--max-facilities", help="Use at most this many facilities."
    ),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    json_output: bool = JSON_OPTION,
    geojson: Path | None = typer.Option(
        None, "--geojson", help="Write facilities, sites, delivery points and flows as GeoJSON."
    ),
) -> None:
    """Plan an order: who makes how many of each part, where products are assembled, what ships
    where and how, with costs, CO2e, lead times and the savings against two baselines."""
    overrides = PlanOverrides(
        time_limit_s=time_limit, gap=gap, co2_price_per_t=co2_price, max_facilities=max_facilities
    )
    spec = load_order_file(order_file)
    check_output_path(geojson, "--geojson")
    if geojson is not None and str(geojson) == "-" and json_output:
        raise InputError(
            "--geojson - and --json would both write to stdout",
            field="--geojson",
            hint="give --geojson a file name",
        )
    db = open_db()
    try:
        owner = acting_user(db, as_user, token).org_id if (as_user or token) else None
        with err_console.status(f"planning [bold]{escape(spec.name)}[/bold] ..."):
            record = plan_order(db, spec, base_dir=order_file.parent, overrides=overrides,
                                owner_org_id=owner)  # fmt: skip
    finally:
        db.dispose()
    if geojson is not None and str(geojson) == "-":
        emit_json(record.geojson)
        return
    if geojson is not None:
        try:
            geojson.write_text(json.dumps(record.geojson, indent=1), encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot write the file: {exc.strerror} (the plan is stored as {record.id})",
                source=str(geojson),
            ) from exc
    if json_output:
        out = {key: record.result_json.get(key) for key in CLI_JSON_KEYS}
        out |= {"plan_id": record.id, "lots": [lot.model_dump(mode="json") for lot in record.lots]}
        out |= {k: v for k, v in record.result_json.items() if k not in out}
        emit_json(out)
        return
    _print(record)
    who = "your organisation" if owner else "platform admins (use --as EMAIL to own it)"
    console.print(f"stored: GET /v1/plans/{record.id} (readable by {who})")
    if geojson is not None:
        console.print(f"GeoJSON written to {escape(str(geojson))}")


def _money(value: float | None, currency: str) -> str:
    return "-" if value is None else format_amount(value, currency, grouped=True)


def _print(record: PlanRecord) -> None:
    r = record.result_json
    cur = record.currency
    gap = r.get("gap")
    console.print(
        f"plan [bold]{record.id}[/bold]: {r['status']}, objective "
        f"{_money(r.get('objective'), cur)}, bound {_money(r.get('bound'), cur)}, gap "
        f"{'-' if gap is None else f'{gap:.2%}'}, {r['seconds']:.1f} s"
    )
    for line in r.get("diagnosis", []):
        console.print(f"[red]- {escape(line)}[/red]")
    if not record.lots:
        return
    cost = r["cost"]
    table = Table(title=f"Cost ({cur})", show_header=True)
    for col in ("production", "setup", "transport", "duties", "landed", "co2e kg"):
        table.add_column(col, justify="right")
    table.add_row(
        *(
            format_number(cost[k], cur, grouped=True)
            for k in ("production", "setup", "transport", "duties", "landed")
        ),
        f"{r['co2e_kg']:,.1f}",
    )
    console.print(table)
    base = Table(title="Against the baselines (positive = this plan is better)")
    for col in (
        "baseline",
        f"cost {cur}",
        f"saved {cur}",
        "co2e kg",
        "co2e saved",
        "max lead time d",
        "over capacity",
        "late at",
    ):
        base.add_column(col, justify="right")
    savings = {s["baseline"]: s for s in r.get("savings", [])}
    for b in r.get("baselines", []):
        s = savings.get(b["name"], {})
        base.add_row(
            b["name"],
            format_number(b["cost"], cur, grouped=True),
            f"{format_number(s.get('cost', 0), cur, grouped=True)} ({s.get('cost_pct', 0):.1f} %)",
            f"{b['co2e_kg']:,.1f}",
            f"{s.get('co2e_kg', 0):,.1f} ({s.get('co2e_pct', 0):.1f} %)",
            f"{b['max_lead_time_days']:.1f}",
            f"{b.get('units_over_capacity', 0):,.0f} units",
            ", ".join(b.get("late_delivery_points", [])) or "-",
        )
    console.print(base)
    names = r.get("facility_names", {})
    kits = {k["product"] for k in r.get("kits", [])}
    for kit in r.get("kits", []):
        console.print(
            f"[bold]{escape(kit['product'])}[/bold] is delivered as a kit and assembled by the "
            f"recipient at {escape(', '.join(kit['delivery_points']))} (no assembly site)"
        )
    lots = Table(title=f"Lots ({len(record.lots)})")
    columns = (
        "facility",
        "kind",
        "item",
        "qty",
        f"unit {cur} (incl. setup)",
        "due (days)",
        "ships to",
    )
    for col in columns:
        lots.add_column(col)
    for lot in sorted(record.lots, key=lambda x: (x.product_key, x.kind != "assembly", x.item_id)):
        lots.add_row(
            escape(lot.facility_name),
            "kit part" if lot.product_key in kits else lot.kind,
            f"{lot.product_key}/{lot.item_id}",
            str(lot.quantity),
            format_number(lot.unit_price + lot.setup_cost / lot.quantity, cur),
            "-" if lot.due_days is None else f"{lot.due_days:.1f}",
            ", ".join(f"{d.quantity} to {escape(names.get(d.id, d.id))}" for d in lot.destinations),
        )
    console.print(lots)
    for note in r.get("notes", []):
        console.print(f"note: {escape(note)}")


def register(root: typer.Typer) -> None:
    root.command("plan")(plan)
