"""``fabnet db``: the database schema."""

from __future__ import annotations

from dataclasses import asdict

import typer

from fabnet.cli._common import console, emit_json, handle_errors, new_app, open_db
from fabnet.services.platform.database import upgrade_database
from fabnet.services.platform.rotation import reseal as reseal_secrets

app = new_app(
    "The database: migrate it to the newest schema; re-seal secrets after a key rotation."
)


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


@app.command("reseal")
@handle_errors
def reseal(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Re-seal every stored secret (users' signing keys, webhook secrets) under FABNET_SECRET_KEY.

    Run once after rotating the key, with the old key in FABNET_SECRET_KEY_PREVIOUS; then drop
    FABNET_SECRET_KEY_PREVIOUS. All or nothing: a value no key opens stops it unchanged."""
    db = open_db()
    try:
        report = reseal_secrets(db)
    finally:
        db.dispose()
    if json_output:
        emit_json(asdict(report))
        return
    console.print(
        f"re-sealed {report.signing_keys_resealed} signing keys and "
        f"{report.webhook_secrets_resealed} webhook secrets under FABNET_SECRET_KEY "
        f"({report.signing_keys_current} and {report.webhook_secrets_current} already were)"
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
