"""``fabnet variants``: a design's OpenSCAD parameters, and variants rendered from them.

fabnet variants params DESIGN [--json]
fabnet variants create DESIGN --set finger_diameter=16 [--set ...] [--parameter-set NAME]
                              [--name LABEL] [--json]
fabnet variants list DESIGN [--json]
fabnet variants export VARIANT [--format toml|json] [-o FILE]
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from fabnet.cli._common import (
    JSON_OPTION,
    check_output_path,
    console,
    emit_json,
    new_app,
    open_db,
    write_output,
)
from fabnet.errors import InputError
from fabnet.services.catalogue.variants import (
    create_variant,
    design_parameters,
    list_variants,
    variant_manifest,
)

app = new_app("Variants of parametric (OpenSCAD) designs: parameters, create, list, export.")


def _range(param: dict[str, object]) -> str:
    if param["choices"]:
        return ", ".join(str(c["value"]) for c in param["choices"])  # type: ignore[attr-defined]
    if param["max"] is not None:
        step = f":{param['step']:g}" if param["step"] is not None else ""
        return f"{param['min']:g}{step}:{param['max']:g}"
    return ""


@app.command("params")
def params(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design id or OKH manifest file."),
    json_output: bool = JSON_OPTION,
) -> None:
    """The Customizer parameters (group, default, range or choices) and parameter sets."""
    db = open_db()
    try:
        found = design_parameters(db, design)
    finally:
        db.dispose()
    data = found.to_json()
    if json_output:
        emit_json(data)
        return
    console.print(f"[bold]{escape(found.design_name)}[/bold] ({found.design_id})")
    allowed = "variants allowed" if found.derivatives.allowed else "NO variants"
    console.print(f"{allowed}: {escape(found.derivatives.reason)}")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("group", "parameter", "default", "range / choices", "description"):
        table.add_column(column)
    for param in data["parameters"]:
        table.add_row(
            escape(str(param["group"])), param["name"], escape(repr(param["default"])),
            escape(_range(param)), escape(str(param["description"])),
        )  # fmt: skip
    console.print(table)
    for name, values in data["parameter_sets"].items():
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        console.print(f"parameter set [bold]{escape(name)}[/bold]: {escape(shown)}")


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"expected name=value, got {item!r}", field="--set")
        out[key.strip()] = value.strip()
    return out


@app.command("create")
def create(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design id or OKH manifest file."),
    set_: list[str] = typer.Option([], "--set", help="name=value (repeat for several)."),
    parameter_set: str | None = typer.Option(
        None, "--parameter-set", "-P", help="One of the design's OpenSCAD parameter sets."
    ),
    name: str | None = typer.Option(None, "--name", help="Label of the variant."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Render a variant with OpenSCAD and store it as a design of its own."""
    values = _pairs(set_)
    db = open_db()
    try:
        variant = create_variant(db, design, values, parameter_set=parameter_set, name=name)
    finally:
        db.dispose()
    data = variant.to_json()
    if json_output:
        emit_json(data)
        return
    state = "created" if variant.created else "already stored"
    console.print(
        f"[bold]{escape(variant.design.name)}[/bold] {variant.design.id} ({state}), "
        f"variant of {variant.parent.id}"
    )
    for part in data["parts"]:
        dims = part["outer_dimensions_mm"]
        mass = "-" if part["mass_g"] is None else f"{part['mass_g']:.1f} g"
        console.print(
            f"  {part['part_id']}: {dims['width']:g} x {dims['depth']:g} x {dims['height']:g} mm,"
            f" {mass}, {part['file']} sha256 {part['sha256'][:12]}"
        )
    for obligation in variant.obligations:
        console.print(f"  obligation: {escape(obligation)}")


@app.command("list")
def list_(
    design: str = typer.Argument(..., metavar="DESIGN", help="Parent design id."),
    json_output: bool = JSON_OPTION,
) -> None:
    """The variants made of a design."""
    db = open_db()
    try:
        records = list_variants(db, design)
    finally:
        db.dispose()
    rows = [{"id": r.id, "parameter_set": r.set_name, "parameters": r.parameters} for r in records]
    if json_output:
        emit_json(rows)
        return
    for row in rows:
        console.print(f"{row['id']}  {escape(str(row['parameter_set']))}")


@app.command("export")
def export(
    variant: str = typer.Argument(..., metavar="VARIANT", help="Variant design id."),
    fmt: str = typer.Option("toml", "--format", help="toml or json."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write."),
) -> None:
    """The variant's OKH 2.x manifest, with fork-of and its parameter set."""
    check_output_path(output, "--output")
    db = open_db()
    try:
        text = variant_manifest(db, variant, fmt)
    finally:
        db.dispose()
    write_output(text, output)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="variants")
