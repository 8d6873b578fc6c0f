"""``fabnet db``: the database schema."""

from __future__ import annotations

import typer

from fabnet.cli._common import console, emit_json, new_app
from fabnet.services.platform.database import upgrade_database

app = new_app("The database: migrate it to the newest schema.")


@app.command("upgrade")
def upgrade(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Migrate the database (FABNET_DATABASE_URL, default SQLite) to the newest schema."""
    result = upgrade_database()
    if json_output:
        emit_json(result)
        return
    if result.before == result.after:
        console.print(f"{result.url} is up to date (revision {result.after})")
    else:
        console.print(f"{result.url}: {result.before or 'empty'} -> {result.after}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
