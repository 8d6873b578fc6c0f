"""The Celery app of fabnet: one task, ``fabnet.run_job``, that runs a recorded job by id.

Start a worker with ``fabnet worker`` (or ``celery -A fabnet.outbox.celery_app worker``) and
``FABNET_JOB_BACKEND=celery``. The worker reads ``FABNET_*`` settings (database and Redis URLs)
like every other process.

A message in Redis is not the job: the ``jobs`` table is. Every worker also runs a sweeper
(:class:`Sweeper`) that sends again, through Redis, the jobs no worker holds: a running job
whose lease lapsed (its worker was killed in the middle of it) and a queued job overdue by more
than :data:`QUEUED_GRACE` (its message was lost with a killed worker that held it, or Redis was
down when it was recorded). A job sent twice still runs once: an attempt starts only by claiming
its row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import Celery, signals

from fabnet.outbox.execution import lease_of, run_attempt
from fabnet.settings import Settings, get_settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import aware

log = logging.getLogger(__name__)

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


QUEUED_GRACE = timedelta(minutes=5)
"""A queued job due for longer than this is sent again (below it, workers are just busy)."""
SWEEP_LIMIT = 200
"""At most this many jobs are sent again per sweep."""


class Sweeper:
    """Sends again the jobs no worker holds (see the module docstring), every half lease.

    A job it sent is not sent again for a lease or :data:`QUEUED_GRACE`, whichever is longer,
    so jobs waiting behind busy workers are not multiplied in Redis."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.lease = lease_of(settings)
        self.interval = min(30.0, max(0.5, self.lease.total_seconds() / 2))
        self._sent: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self, now: datetime | None = None) -> list[str]:
        """Send the stalled jobs once; their ids."""
        at = now or utc_now()
        with self.db.read() as session:
            stalled = job_store.stalled_job_ids(
                session, at, queued_before=at - QUEUED_GRACE, limit=SWEEP_LIMIT
            )
        quiet = max(self.lease, QUEUED_GRACE).total_seconds()
        clock = time.monotonic()
        self._sent = {k: t for k, t in self._sent.items() if clock - t < quiet}
        sent = [job_id for job_id in stalled if job_id not in self._sent]
        for job_id in sent:
            send_job(job_id, at)
            self._sent[job_id] = clock
        if sent:
            log.warning("sent %d stalled job(s) again: %s", len(sent), ", ".join(sent))
        return sent

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fabnet-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # the database or Redis may be briefly unavailable
                log.warning("the job sweeper could not run", exc_info=True)


_sweeper: Sweeper | None = None


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start_sweeper(**_: Any) -> None:
    # A database of its own: a prefork worker's main process forks new pool processes later,
    # which must not inherit the connections of the one their tasks use (``_databases``).
    global _sweeper
    settings = get_settings()
    _sweeper = Sweeper(Database(settings.resolved_database_url), settings)
    _sweeper.start()


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop_sweeper(**_: Any) -> None:
    global _sweeper
    if _sweeper is not None:
        _sweeper.stop()
        _sweeper.db.dispose()
        _sweeper = None
