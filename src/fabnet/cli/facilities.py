"""``fabnet facilities``: import, list, show and export OKW facilities."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._common import (
    JSON_OPTION,
    QUIET_OPTION,
    WIDE_OPTION,
    Column,
    check_output_path,
    console,
    cursor_option,
    emit_json,
    emit_page,
    limit_option,
    new_app,
    open_db,
    path_argument,
    print_list,
    print_more,
    write_output,
)
from fabnet.cli._tally import progress_bar, report
from fabnet.domain.facility import Facility
from fabnet.errors import InputError
from fabnet.services.catalogue.facilities import (
    FacilityFormat,
    export_facility,
    get_facility,
    import_facilities,
    list_facilities,
)

app = new_app("Open Know-Where facilities: import, list, show, export.")


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(
        ..., help="OKW YAML/JSON or fablabs.io CSV files, or folders.", parser=path_argument
    ),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="okw or fablabs (default: by file suffix; .csv is fablabs)."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Import facilities. Exits 0 when at least one was imported, 2 when none was."""
    chosen = _format(fmt)
    db = open_db()
    try:
        bar, advance = progress_bar()
        with bar:
            tally = import_facilities(db, paths, fmt=chosen, on_progress=advance)
    finally:
        db.dispose()
    report(tally, kind="Facility", json_output=json_output, extra={})


@app.command("list")
def list_(
    country: str | None = typer.Option(None, "--country", help="ISO country code, e.g. BE."),
    process: str | None = typer.Option(None, "--process", help="A process term, e.g. fdm."),
    status: str | None = typer.Option(None, "--status", help="Active, Planned, Closed, ..."),
    material: str | None = typer.Option(None, "--material", help="A material term, e.g. petg."),
    certification: str | None = typer.Option(
        None, "--certification", help="A certification, e.g. ISO 13485."
    ),
    near: str | None = typer.Option(None, "--near", help='A place, e.g. "Nairobi, KE".'),
    radius_km: float | None = typer.Option(
        None, "--radius-km", help="With --near: at most this far (km)."
    ),
    limit: int = limit_option(),
    cursor: str | None = cursor_option(),
    json_output: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List facilities by id, filtered by country, process, material, certification, status or
    distance from a place (the same filters as the web map)."""
    db = open_db()
    try:
        page = list_facilities(
            db, country=country, process=process, status=status, material=material,
            certification=certification, near=near, radius_km=radius_km, limit=limit,
            cursor=cursor,
        )  # fmt: skip
    finally:
        db.dispose()
    if json_output:
        emit_page([_summary(f) for f in page.items], page.next_cursor)
        return
    columns = [Column("id"), Column("name"), Column("place"), Column("status", wide=True),
               Column("processes", wide=True)]  # fmt: skip
    rows = [
        [
            facility.id,
            facility.name,
            ", ".join(p for p in (facility.location.city, facility.location.country) if p),
            facility.status.value,
            ", ".join(sorted(facility.all_processes())),
        ]
        for facility in page.items
    ]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    if not page.items:
        console.print("no facilities match")
    print_more(page.next_cursor, "fabnet facilities list (same filters)")


@app.command("show")
def show(
    facility_id: str = typer.Argument(..., metavar="ID", help="A facility id or a unique prefix."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Show one facility: place, processes, equipment, rates."""
    db = open_db()
    try:
        facility = get_facility(db, facility_id)
    finally:
        db.dispose()
    if json_output:
        emit_json(facility)
        return
    loc = facility.location
    console.print(f"[bold]{escape(facility.name)}[/bold] ({facility.status.value})")
    place = ", ".join(
        p for p in (loc.address, loc.postal_code, loc.city, loc.region, loc.country) if p
    )
    for label, value in (
        ("id", facility.id),
        ("place", place),
        ("coordinates", f"{loc.latitude}, {loc.longitude}" if loc.has_coordinates else None),
        ("url", facility.url),
        ("processes", ", ".join(sorted(facility.all_processes()))),
        ("materials", ", ".join(facility.typical_materials)),
        ("certifications", ", ".join(facility.certifications)),
        ("source", facility.source),
    ):
        if value:
            console.print(f"  {label}: {escape(value)}")
    if facility.equipment:
        table = Table(title="equipment", show_header=True)
        for column in ("id", "type", "make / model", "qty", "processes", "envelope (mm)"):
            table.add_column(column)
        for eq in facility.equipment:
            env = eq.envelope
            table.add_row(
                escape(eq.id),
                escape(eq.equipment_type),
                escape(" ".join(p for p in (eq.make, eq.model) if p)),
                str(eq.quantity),
                escape(", ".join(eq.processes)),
                f"{env.x_mm:g} x {env.y_mm:g} x {env.z_mm:g}" if env else "",
            )
        console.print(table)
    card = facility.extension.rate_card
    if card and card.rates:
        for rate in card.rates:
            console.print(
                f"  rate {escape(rate.process)}: {rate.hourly_rate:g} {card.currency}/h, "
                f"setup {rate.setup_cost:g}"
            )
    if facility.provenance.any_synthetic:
        console.print("  [yellow]some fields are synthetic (generated by fabnet)[/yellow]")


@app.command("export")
def export(
    facility_id: str = typer.Argument(..., metavar="ID", help="A facility id or a unique prefix."),
    fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json (OKW)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default stdout)."
    ),
) -> None:
    """Export a facility as an Open Know-Where record."""
    check_output_path(output, "--output")
    db = open_db()
    try:
        text = export_facility(db, facility_id, fmt)
    finally:
        db.dispose()
    write_output(text, output)


def _format(fmt: str | None) -> FacilityFormat | None:
    if fmt is None:
        return None
    if fmt == "okw":
        return "okw"
    if fmt == "fablabs":
        return "fablabs"
    raise InputError(f"unknown format {fmt!r}", field="--format", hint="use okw or fablabs")


def _summary(facility: Facility) -> dict[str, object]:
    loc = facility.location
    return {
        "id": facility.id,
        "name": facility.name,
        "country": loc.country,
        "city": loc.city,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "status": facility.status.value,
        "processes": sorted(facility.all_processes()),
        "equipment": len(facility.equipment),
    }


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="facilities")
