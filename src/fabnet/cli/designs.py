"""``fabnet designs``: import, list, show and export OKH designs."""

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
from fabnet.domain.design import Design
from fabnet.services.catalogue.designs import (
    export_design,
    get_design,
    import_designs,
    list_designs,
)

app = new_app("Open Know-How designs: import manifests, list, show, export.")


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(
        ..., help="Manifest files or folders (searched recursively).", parser=path_argument
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Import OKH manifests (v1 YAML, OKH-LOSH TOML, 2.x TOML/JSON) and their local CAD files.

    Exits 0 when at least one design was imported (refused files are listed), 2 when none was.
    """
    db = open_db()
    try:
        bar, advance = progress_bar()
        with bar:
            tally = import_designs(db, paths, on_progress=advance)
    finally:
        db.dispose()
    report(
        tally, kind="Design", json_output=json_output, extra={"stored_files": tally.stored_files}
    )


@app.command("list")
def list_(
    limit: int = limit_option(),
    cursor: str | None = cursor_option(),
    json_output: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List designs by id."""
    db = open_db()
    try:
        page = list_designs(db, limit=limit, cursor=cursor)
    finally:
        db.dispose()
    if json_output:
        emit_page([_summary(d) for d in page.items], page.next_cursor)
        return
    columns = [Column("id"), Column("name"), Column("version"), Column("parts"),
               Column("license", wide=True)]  # fmt: skip
    rows = [[d.id, d.name, d.version or "", str(len(d.parts)), d.license or ""] for d in page.items]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    if not page.items:
        console.print("no designs yet; run `fabnet designs import PATH`")
    print_more(page.next_cursor, "fabnet designs list")


@app.command("show")
def show(
    design_id: str = typer.Argument(..., metavar="ID", help="A design id or a unique prefix."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Show one design: its parts, assemblies and files."""
    db = open_db()
    try:
        design = get_design(db, design_id)
    finally:
        db.dispose()
    if json_output:
        emit_json(design)
        return
    console.print(f"[bold]{escape(design.name)}[/bold] {escape(design.version or '')}")
    for label, value in (
        ("id", design.id),
        ("license", design.license),
        ("repository", design.repository),
        ("function", design.function),
        ("readiness", design.technology_readiness_level),
    ):
        if value:
            console.print(f"  {label}: {escape(value)}")
    table = Table(title="parts", show_header=True)
    for column in ("part", "qty", "processes", "materials", "size (mm)", "files"):
        table.add_column(column)
    quantities = _quantities(design)
    for part in design.parts:
        dims = part.outer_dimensions
        table.add_row(
            escape(f"{part.name} ({part.id})"),
            str(quantities.get(part.id, "")),
            escape(", ".join(part.processes) or ("purchased" if part.purchased else "")),
            escape(", ".join(part.materials) or (part.material_text or "")),
            f"{dims.x_mm:g} x {dims.y_mm:g} x {dims.z_mm:g}" if dims else "",
            str(len(part.source_files) + len(part.export_files)),
        )
    console.print(table)
    for assembly in design.assemblies:
        lines = ", ".join(f"{line.quantity} x {line.item_id}" for line in assembly.lines)
        console.print(f"  assembly {escape(assembly.id)}: {escape(lines)}")


@app.command("export")
def export(
    design_id: str = typer.Argument(..., metavar="ID", help="A design id or a unique prefix."),
    fmt: str = typer.Option("toml", "--format", "-f", help="toml (OKH 2.x) or json."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default stdout)."
    ),
) -> None:
    """Export a design as an OKH 2.x manifest."""
    check_output_path(output, "--output")
    db = open_db()
    try:
        text = export_design(db, design_id, fmt)
    finally:
        db.dispose()
    write_output(text, output)


def _quantities(design: Design) -> dict[str, int]:
    try:
        return design.part_quantities()
    except ValueError:
        return {}


def _summary(design: Design) -> dict[str, object]:
    return {
        "id": design.id,
        "name": design.name,
        "version": design.version,
        "license": design.license,
        "parts": len(design.parts),
        "dialect": design.dialect.value if design.dialect else None,
    }


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="designs")
