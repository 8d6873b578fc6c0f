"""``fabnet audit``: check the hash-chained audit log."""

from __future__ import annotations

import typer
from rich.markup import escape

from fabnet.cli._common import EXIT_FAILURE, JSON_OPTION, console, emit_json, new_app, open_db
from fabnet.services.orders.audit import verify_audit_chain

app = new_app("The audit log: every order, lot, contract and ledger event, hash-chained.")


@app.command("verify")
def verify(as_json: bool = JSON_OPTION) -> None:
    """Walk the chain; exit 1 naming the first broken event when it does not verify."""
    result = verify_audit_chain(open_db())
    if as_json:
        emit_json(result)
    elif result.ok:
        console.print(f"audit chain OK: {result.checked} events verified")
    else:
        console.print(
            f"[red]audit chain BROKEN[/red] at event {result.first_broken_seq}: "
            f"{escape(result.reason or '')} ({result.checked} events verified before it)"
        )
    if not result.ok:
        raise typer.Exit(EXIT_FAILURE)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="audit")
