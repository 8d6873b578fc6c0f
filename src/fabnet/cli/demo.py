"""``fabnet demo``: build the demo database (world of facilities plus demo designs)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fabnet.cli._common import JSON_OPTION, console, emit_json, err_console, handle_errors
from fabnet.demo.world import DEFAULT_SEED
from fabnet.services.demo import FABLAB, WORKSHOP, DemoProgress, DemoSummary, create_demo

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
    json_output: bool = JSON_OPTION,
) -> None:
    """Create a fresh demo database: every fab lab of the fablabs.io snapshot with synthetic
    machines, rates and capacity, dozens of synthetic workshops, and the demo designs.

    It goes where fabnet's database is (default: <data dir>/fabnet.db), so every other command
    sees it. A database that a demo did not make and that holds data is refused without --force.
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
    if json_output:
        emit_json(summary)
        return
    _print_summary(summary)


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


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
