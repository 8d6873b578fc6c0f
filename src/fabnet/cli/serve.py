"""``fabnet serve``: the REST API under uvicorn."""

from __future__ import annotations

import typer

from fabnet.cli._common import handle_errors
from fabnet.errors import InputError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    log_level: str = typer.Option("info", "--log-level", help=", ".join(LOG_LEVELS)),
) -> None:
    """Serve the web interface at / and the REST API at /v1 (OpenAPI at /openapi.json)."""
    if log_level.casefold() not in LOG_LEVELS:
        choices = ", ".join(LOG_LEVELS)
        raise InputError(
            f"unknown log level {log_level!r}", field="--log-level", hint=f"use {choices}"
        )
    log_level = log_level.casefold()
    import uvicorn

    # By import string: the CLI adapter does not import the API or web adapters (import-linter).
    uvicorn.run("fabnet.server:serve_app", factory=True, host=host, port=port, log_level=log_level)


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
