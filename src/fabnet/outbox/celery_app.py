"""The Celery app of fabnet: one task, ``fabnet.run_job``, that runs a recorded job by id.

Start a worker with ``celery -A fabnet.outbox.celery_app worker`` and ``FABNET_JOB_BACKEND=celery``.
The worker reads ``FABNET_*`` settings (database and Redis URLs) like every other process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from celery import Celery

from fabnet.outbox.execution import run_attempt
from fabnet.settings import Settings, get_settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import aware

app = Celery("fabnet")

_databases: dict[str, Database] = {}
_lock = threading.Lock()


def configure(settings: Settings) -> None:
    """Point the app at ``settings``' broker. A process that changes broker (tests, a CLI call
    after a worker was configured) must not keep sending through connections to the old one:
    Celery caches its connection and producer pools on first use, so they are dropped here."""
    if app.conf.broker_url != settings.redis_url:
        _drop_connection_pools()
    app.conf.update(
        broker_url=settings.redis_url,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        enable_utc=True,
    )


def _drop_connection_pools() -> None:
    # Celery keeps the pools in private attributes and resets them the same way after a fork.
    pool = app.__dict__.get("_pool")
    if pool is not None:
        pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


configure(get_settings())


#: Set by the Celery queue when it is built: the database and settings of the process's installed
#: queue, if it is a Celery queue (so this module need not import the queue module).
_context_provider: Callable[[], tuple[Database, Settings] | None] | None = None


def set_context_provider(provider: Callable[[], tuple[Database, Settings] | None]) -> None:
    global _context_provider
    _context_provider = provider


def _worker_context() -> tuple[Database, Settings]:
    found = _context_provider() if _context_provider is not None else None
    if found is not None:
        return found
    settings = get_settings()
    url = settings.resolved_database_url
    with _lock:
        if url not in _databases:
            _databases[url] = Database(url)
        return _databases[url], settings


def send_job(job_id: str, run_at: datetime) -> None:
    """Hand ``job_id`` to a worker, to run at ``run_at``."""
    delay = (run_at - utc_now()).total_seconds()
    if delay > 0:
        run_job.apply_async((job_id,), countdown=delay)
    else:
        run_job.apply_async((job_id,))


@app.task(name="fabnet.run_job")  # type: ignore[untyped-decorator]
def run_job(job_id: str) -> None:
    db, settings = _worker_context()
    outcome = run_attempt(db, job_id, settings)
    if outcome is not None:
        if outcome.retry_at is not None:
            send_job(job_id, outcome.retry_at)
        return
    # Not claimed: either finished/taken, or its retry time has not come yet (early delivery).
    with db.read() as session:
        row = session.get(job_store.JobRow, job_id)
        if row is not None and row.status == job_store.JobStatus.QUEUED:
            send_job(job_id, aware(row.next_run_at))
