"""``fabnet match``: who can make each part of a design, why a facility cannot, and what a
facility can make.

    fabnet match DESIGN [--qty N] [--near PLACE]... [--radius-km R] [--country CC]...
                        [--exclude-country CC]... [--require-cert CERT]... [--top K] [--json]
    fabnet match why-not DESIGN PART FACILITY_ID [--json]
    fabnet match facility FACILITY_ID [--json]

DESIGN is a design id (or unique prefix) or an OKH manifest file, imported on the fly.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from fabnet.cli._common import (
    JSON_OPTION,
    console,
    emit_json,
    format_amount,
    new_app,
    open_db,
)
from fabnet.domain.facility import AccessType, FacilityStatus
from fabnet.engine.matching import MatchResult, PartMatch
from fabnet.errors import InputError
from fabnet.services.sourcing.matching import (
    MatchParams,
    designs_for_facility,
    explain_non_match,
)
from fabnet.services.sourcing.matching import match as match_service


class _DesignByDefault(TyperGroup):
    """``fabnet match DESIGN ...`` runs the ``design`` command; named subcommands win."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["design", *args]
        return super().parse_args(ctx, args)


app = new_app(
    "Match a design to facilities. `fabnet match DESIGN [OPTIONS]` ranks candidates for every "
    "part (options: `fabnet match design --help`); `why-not` explains one facility; `facility` "
    "lists what a facility can make.",
    cls=_DesignByDefault,
)

QTY = typer.Option(1, "--qty", help="Finished products wanted.")
NEAR = typer.Option([], "--near", help='Delivery place, e.g. "Nairobi, KE" (repeatable).')
RADIUS = typer.Option(None, "--radius-km", help="Only facilities within R km of a --near place.")
COUNTRY = typer.Option([], "--country", help="Allowed country, ISO code (repeatable).")
EXCLUDE = typer.Option([], "--exclude-country", help="Excluded country, ISO code (repeatable).")
CERT = typer.Option([], "--require-cert", help='Required certification, e.g. "ISO 13485".')
TOP = typer.Option(10, "--top", help="Candidates listed per part.")
STATUS = typer.Option([], "--status", help="Allowed facility status (repeatable; default: Active).")
ACCESS = typer.Option([], "--access", help="Allowed access type (repeatable; default: any).")
NO_SYNTHETIC = typer.Option(
    False, "--no-synthetic", help="Leave out facilities whose data are synthetic."
)
CURRENCY = typer.Option("EUR", "--currency", help="Compare unit costs in this currency.")


def _enum_values(kind: str, enum: Any, values: list[str]) -> tuple[Any, ...]:
    out = []
    for text in values:
        found = [m for m in enum if m.value.casefold() == text.strip().casefold()]
        if not found:
            allowed = ", ".join(m.value for m in enum)
            raise InputError(f"unknown {kind} {text!r}", field=f"--{kind}", hint=f"use {allowed}")
        out.append(found[0])
    return tuple(out)


def _params(
    qty: int,
    near: list[str],
    radius_km: float | None,
    country: list[str],
    exclude_country: list[str],
    require_cert: list[str],
    top: int,
    status: list[str] | None = None,
    access: list[str] | None = None,
    no_synthetic: bool = False,
    currency: str = "EUR",
) -> MatchParams:
    return MatchParams(
        quantity=qty,
        near=tuple(near),
        radius_km=radius_km,
        countries=tuple(country),
        exclude_countries=tuple(exclude_country),
        certifications=tuple(require_cert),
        top_k=top,
        statuses=_enum_values("status", FacilityStatus, status)
        if status
        else (FacilityStatus.ACTIVE,),
        access_types=_enum_values("access", AccessType, access) if access else None,
        include_synthetic=not no_synthetic,
        currency=currency,
    )


@app.command("design", hidden=True)
def design_command(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design id or OKH manifest file."),
    qty: int = QTY,
    near: list[str] = NEAR,
    radius_km: float | None = RADIUS,
    country: list[str] = COUNTRY,
    exclude_country: list[str] = EXCLUDE,
    require_cert: list[str] = CERT,
    top: int = TOP,
    status: list[str] = STATUS,
    access: list[str] = ACCESS,
    no_synthetic: bool = NO_SYNTHETIC,
    currency: str = CURRENCY,
    json_output: bool = JSON_OPTION,
) -> None:
    """Candidates for every part of DESIGN and its final assembly, ranked and explained."""
    params = _params(
        qty,
        near,
        radius_km,
        country,
        exclude_country,
        require_cert,
        top,
        status,
        access,
        no_synthetic,
        currency,
    )
    db = open_db()
    try:
        result = match_service(db, design, params)
    finally:
        db.dispose()
    if json_output:
        emit_json(result.to_json())
        return
    _print_result(result)


def _print_result(result: MatchResult) -> None:
    console.print(f"design {result.design_id}")
    for part in result.parts:
        _print_part(part)
    if result.uncovered_parts:
        names = ", ".join(escape(p) for p in result.uncovered_parts)
        console.print(f"\n[red]uncovered:[/red] {names}")
    else:
        console.print("\n[green]every part has at least one candidate[/green]")


def _print_part(part: PartMatch) -> None:
    kind = "final assembly" if part.is_assembly else "part"
    console.print(
        f"\n[bold]{escape(part.part)}[/bold] ({kind}, qty {part.quantity}): "
        f"{part.candidate_count} candidate(s)"
    )
    if part.note:
        console.print(f"  {escape(part.note)}")
    if part.candidates:
        table = Table(show_edge=False, pad_edge=False)
        for column in ("facility id", "name", "score", "km", "unit cost", "equipment"):
            table.add_column(column)
        for c in part.candidates:
            table.add_row(
                c.facility_id,
                escape(c.facility_name),
                f"{c.score:.3f}",
                "" if c.distance_km is None else f"{c.distance_km:.1f}",
                "unknown" if c.unit_cost is None else format_amount(c.unit_cost, c.currency),
                escape(c.equipment_id or "-"),
            )
        console.print(table)
    for miss in part.near_misses:
        console.print(
            f"  near-miss {miss.facility_id} ({escape(miss.facility_name)}): {escape(miss.lacks)}"
        )


@app.command("why-not")
def why_not_command(
    design: str = typer.Argument(..., metavar="DESIGN", help="Design id or OKH manifest file."),
    part: str = typer.Argument(..., metavar="PART", help="Part id, or 'assembly'."),
    facility_id: str = typer.Argument(..., metavar="FACILITY_ID"),
    qty: int = QTY,
    near: list[str] = NEAR,
    radius_km: float | None = RADIUS,
    country: list[str] = COUNTRY,
    exclude_country: list[str] = EXCLUDE,
    require_cert: list[str] = CERT,
    json_output: bool = JSON_OPTION,
) -> None:
    """Every criterion for PART at FACILITY_ID, met or not, with the reason."""
    params = _params(qty, near, radius_km, country, exclude_country, require_cert, 10)
    db = open_db()
    try:
        results = explain_non_match(db, design, part, facility_id, params)
    finally:
        db.dispose()
    failed = [r for r in results if not r.passed]
    if json_output:
        emit_json(
            {
                "part": part,
                "facility_id": facility_id,
                "qualifies": not failed,
                "criteria": [r.to_json() for r in results],
                "failed": [r.to_json() for r in failed],
            }
        )
        return
    for r in results:
        mark = "[green]ok  [/green]" if r.passed else "[red]FAIL[/red]"
        console.print(f"{mark} {r.criterion:<15} {escape(r.detail)}")
    console.print("qualifies" if not failed else f"{len(failed)} failed criterion(s)", style="bold")


@app.command("facility")
def facility_command(
    facility_id: str = typer.Argument(..., metavar="FACILITY_ID"),
    qty: int = QTY,
    json_output: bool = JSON_OPTION,
) -> None:
    """Reverse match: the designs in the library that FACILITY_ID can make, wholly or in part."""
    db = open_db()
    try:
        coverage = designs_for_facility(db, facility_id, quantity=qty)
    finally:
        db.dispose()
    if json_output:
        emit_json({"facility_id": facility_id, "designs": [c.to_json() for c in coverage]})
        return
    if not coverage:
        console.print("no design in the library has a part this facility can make")
    for c in coverage:
        share = f"{len(c.makeable)}/{len(c.makeable) + len(c.not_makeable)} parts"
        label = "whole design" if c.whole else share
        console.print(f"{c.design_id}  {escape(c.design_name)}  ({label})")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="match")
