"""``fabnet contracts``: show, verify and print lot contracts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from fabnet.cli._actor import AS_OPTION, TOKEN_OPTION, acting_user
from fabnet.cli._common import (
    EXIT_FAILURE,
    JSON_OPTION,
    check_output_path,
    console,
    emit_json,
    new_app,
    open_db,
)
from fabnet.domain.orders.currency import format_minor
from fabnet.errors import InputError
from fabnet.services.orders.contracts import contract_pdf, get_contract, verify_contract
from fabnet.services.platform.database import open_file_store

app = new_app("Contracts: canonical terms, Ed25519 signatures, PDFs.")


@app.command("verify")
def verify(
    contract_id: str = typer.Argument(..., help="The contract id"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check the stored terms and every signature; exit 1 when verification fails."""
    result = verify_contract(open_db(), contract_id.strip())
    if as_json:
        emit_json(result)
    elif result.ok:
        console.print(
            f"contract {escape(contract_id)} OK: terms {result.terms_sha256}, "
            f"signed by {', '.join(result.valid_signers)}"
        )
    else:
        console.print(f"[red]contract {escape(contract_id)} does NOT verify[/red]")
        for failure in result.failures:
            console.print(f"  - {escape(failure)}")
    if not result.ok:
        raise typer.Exit(EXIT_FAILURE)


@app.command("sign")
def sign(
    contract_id: str = typer.Argument(..., help="The contract id"),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Sign the contract's terms with the acting user's Ed25519 key."""
    from fabnet.services.orders.contracts import sign_contract

    db = open_db()
    view = sign_contract(db, acting_user(db, as_user, token), contract_id.strip())
    if as_json:
        emit_json(view)
        return
    console.print(f"contract {view.id}: {view.status}, signed by "
                  f"{', '.join(s.signer_id for s in view.signatures)}")  # fmt: skip


@app.command("show")
def show(
    contract_id: str = typer.Argument(..., help="The contract id"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print a contract's terms and signatures."""
    view = get_contract(open_db(), None, contract_id.strip())
    if as_json:
        emit_json(view)
        return
    t = view.terms
    console.print(f"{view.id}  {view.kind}  {view.status}")
    console.print(f"  lot {t.lot_id}: {t.quantity} x {format_minor(t.unit_price_minor, t.currency)}"
                  f" = {format_minor(t.total_minor, t.currency)}")  # fmt: skip
    console.print(
        f"  delivery {t.delivery.rule.value} {escape(t.delivery.named_place)} "
        f"by {t.delivery.transport_mode.value}, due {t.due_date.isoformat()}"
    )
    console.print(f"  terms sha256 {view.terms_sha256}")
    for party in t.parties:
        signed = any(s.signer_id == party.signer_id for s in view.signatures)
        console.print(f"  {party.role.value:<13} {party.org_id}  {'signed' if signed else '-'}")


@app.command("pdf")
def pdf(
    contract_id: str = typer.Argument(..., help="The contract id"),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the PDF ('-': stdout)"),
) -> None:
    """Render the contract as a PDF (kept in the file store) and write it to OUTPUT."""
    check_output_path(output, "--output")
    pdf_bytes = contract_pdf(open_db(), None, contract_id.strip(), store=open_file_store())
    if str(output) == "-":
        sys.stdout.buffer.write(pdf_bytes)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(pdf_bytes)
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", source=str(output)) from exc
    console.print(f"wrote {escape(str(output))}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="contracts")
