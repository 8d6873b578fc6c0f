"""``fabnet worker``: a Celery worker running fabnet's background jobs.

It reads the ``FABNET_*`` settings like every other process (``FABNET_DATABASE_URL``,
``FABNET_REDIS_URL``); the API processes dispatch to it when they run with
``FABNET_JOB_BACKEND=celery``.
"""

from __future__ import annotations

import typer

from fabnet.cli._common import handle_errors
from fabnet.errors import InputError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
POOLS = ("prefork", "threads", "solo")


@handle_errors
def worker(
    concurrency: int = typer.Option(
        2, "--concurrency", "-c", min=1, max=64, help="Jobs run at the same time"
    ),
    pool: str = typer.Option("prefork", "--pool", help=", ".join(POOLS)),
    log_level: str = typer.Option("info", "--log-level", help=", ".join(LOG_LEVELS)),
) -> None:
    """Run a Celery worker for fabnet's background jobs (FABNET_REDIS_URL, FABNET_DATABASE_URL)."""
    if log_level.casefold() not in LOG_LEVELS:
        raise InputError(
            f"unknown log level {log_level!r}",
            field="--log-level",
            hint=f"use {', '.join(LOG_LEVELS)}",
        )
    if pool not in POOLS:
        raise InputError(f"unknown pool {pool!r}", field="--pool", hint=f"use {', '.join(POOLS)}")
    from fabnet.outbox import celery_app  # Celery loads only for this command
    from fabnet.settings import get_settings

    celery_app.configure(get_settings())
    celery_app.app.worker_main(
        ["worker", f"--concurrency={concurrency}", f"--pool={pool}",
         f"--loglevel={log_level.upper()}", "--without-gossip", "--without-mingle"]
    )  # fmt: skip


def register(root: typer.Typer) -> None:
    root.command("worker")(worker)
