"""``fabnet demo``: build the demo database (world of facilities plus demo designs)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fabnet.cli._common import (
    JSON_OPTION,
    console,
    emit_json,
    err_console,
    format_number,
    handle_errors,
)
from fabnet.demo.world import DEFAULT_SEED
from fabnet.services.demo.demo import FABLAB, WORKSHOP, DemoProgress, DemoSummary, create_demo
from fabnet.services.demo.signins import DemoSignIn, add_demo_signins
from fabnet.services.demo.story import StoryReport, StoryStep, run_story
from fabnet.services.platform.database import open_file_store
from fabnet.settings import get_settings
from fabnet.storage.db import Database

_STAGES = {
    "world": "generating the world",
    "facilities": "storing facilities",
    "designs": "importing designs",
}


@handle_errors
def demo(
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the synthetic world."),
    force: bool = typer.Option(
        False, "--force", help="Replace the database even when a demo did not make it."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="A sqlite:/// URL (default: the configured database)."
    ),
    story: bool = typer.Option(
        True, "--story/--no-story", help="Run the East Africa order story on the new world."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Create a fresh demo database: every fab lab of the fablabs.io snapshot with synthetic
    machines, rates and capacity, dozens of synthetic workshops, and the demo designs.

    It goes where fabnet's database is (default: <data dir>/fabnet.db), so every other command
    sees it. A database that a demo did not make and that holds data is refused without --force.

    Then the story: a humanitarian buyer orders face shields and solar-lamp kits for hospitals
    in East Africa; matching, planning, award, a decline and its re-plan, contracts, quality
    assurance, delivery, payments and the audit chain run through the same services as the API.
    """
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=json_output,
    )
    task = progress.add_task("starting", total=None)

    def advance(step: DemoProgress) -> None:
        progress.update(
            task, description=_STAGES.get(step.stage, step.stage), completed=step.done,
            total=step.total,
        )  # fmt: skip

    with progress:
        summary = create_demo(database_url, seed=seed, force=force, on_progress=advance)
    report: StoryReport | None = None

    def show(s: StoryStep) -> None:
        if not json_output:
            err_console.print(f"[green]{s.name}[/green]: {escape(s.detail)}")

    db = Database(summary.database_url)
    try:
        if story:
            report = run_story(db, open_file_store(), on_step=show)
        signins = add_demo_signins(db, get_settings())
    finally:
        db.dispose()
    if json_output:
        emit_json({"world": summary, "story": report, "signins": signins, "web": WEB_ADDRESS})
        return
    _print_summary(summary)
    if report is not None:
        _print_story(report)
    _print_signins(signins)


WEB_ADDRESS = "http://127.0.0.1:8000/"


def _print_signins(signins: list[DemoSignIn]) -> None:
    console.print("[bold]Sign in to the web interface[/bold] (role: email / password):")
    for s in signins:
        console.print(
            f"  {s.role}: {s.email} / {s.password}  ({escape(s.organisation)})", soft_wrap=True
        )
    console.print(
        f"web interface: run [bold]fabnet serve[/bold] and open {WEB_ADDRESS} "
        "(bash scripts/demo.sh does both)"
    )


def _print_summary(summary: DemoSummary) -> None:
    regions = Table(title=f"Facilities by region (seed {summary.seed})")
    regions.add_column("region")
    regions.add_column(FABLAB, justify="right")
    regions.add_column(WORKSHOP, justify="right")
    for region, counts in summary.facilities_by_region.items():
        regions.add_row(region, str(counts.get(FABLAB, 0)), str(counts.get(WORKSHOP, 0)))
    regions.add_row(
        "[bold]total[/bold]",
        str(summary.facilities_by_provenance.get(FABLAB, 0)),
        str(summary.facilities_by_provenance.get(WORKSHOP, 0)),
    )
    console.print(regions)
    if summary.world is not None:
        w = summary.world
        console.print(
            f"fab labs: {w.fablabs_with_coordinates} with coordinates, {w.fablabs_geolocated} "
            f"placed at their city, {w.fablabs_without_coordinates} without a place; "
            f"{w.fablabs_without_capabilities} list no capability (no machines generated)"
        )
    designs = Table(title="Designs")
    designs.add_column("id")
    designs.add_column("name")
    designs.add_column("parts", justify="right")
    designs.add_column("parts per product", justify="right")
    designs.add_column("assembly steps", justify="right")
    designs.add_column("licence")
    for d in summary.designs:
        designs.add_row(
            d.id[:8], escape(d.name), str(d.parts), str(d.parts_per_product), str(d.assemblies),
            d.license or "",
        )  # fmt: skip
    console.print(designs)
    for warning in summary.design_warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(f"demo database: {escape(summary.database_url)}")


def _print_story(report: StoryReport) -> None:
    plan = report.plan
    cur = plan.get("currency", "EUR")
    console.rule(f"[bold]{escape(report.order_name)}[/bold]")
    makers = Table(title="Who makes what, where")
    for col in ("facility", "country", "lot", "item", "qty", f"unit {cur}"):
        makers.add_column(col)
    for m in sorted(report.makers, key=lambda m: (m.kind != "assembly", m.item, m.facility)):
        makers.add_row(
            escape(m.facility),
            m.country or "",
            m.kind,
            m.item,
            str(m.quantity),
            format_number(m.unit_price, cur),
        )
    console.print(makers)
    cost = plan.get("cost") or {}
    table = Table(title="This plan against the baselines")
    for col in (
        "",
        f"landed cost {cur}",
        f"lateness {cur}",
        f"with CO2 and penalties {cur}",
        "CO2e kg",
        "max lead time d",
        "over capacity",
    ):
        table.add_column(col, justify="right")
    lead = max(plan.get("lead_time_days", {}).values(), default=0.0)
    table.add_row(
        "fabnet plan",
        format_number(cost.get("landed", 0), cur, grouped=True),
        format_number(cost.get("lateness", 0), cur, grouped=True),
        format_number(cost.get("total", 0), cur, grouped=True),
        f"{plan.get('co2e_kg') or 0:,.1f}",
        f"{lead:.1f}",
        "0 units",
    )
    for b in plan.get("baselines", []):
        table.add_row(
            b["name"],
            format_number(b["cost"], cur, grouped=True),
            format_number(b.get("lateness_cost", 0), cur, grouped=True),
            format_number(b.get("total_with_penalties", 0), cur, grouped=True),
            f"{b['co2e_kg']:,.1f}",
            f"{b['max_lead_time_days']:.1f}",
            f"{b['units_over_capacity']:,.0f} units",
        )
    console.print(table)
    console.print(
        f"declined by {escape(report.declined_facility)} and re-planned into "
        f"{report.replan_lots} lot(s); {report.contracts_verified} contracts verified; "
        f"{report.inspections} AQL inspections; lots: "
        + ", ".join(f"{n} {state}" for state, n in sorted(report.lots_by_state.items()))
    )
    console.print(
        f"audit chain: {report.audit_events} events, "
        + ("[green]verified[/green]" if report.audit_ok else "[red]BROKEN[/red]")
    )
    console.print(f"order {report.order_id}, plan {report.plan_id}")


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
