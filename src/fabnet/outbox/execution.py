"""Running one attempt of a recorded job; shared by the in-process and the Celery runner."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from fabnet.outbox.registry import JobContext, get_spec
from fabnet.outbox.retry import backoff_seconds
from fabnet.settings import Settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database

log = logging.getLogger(__name__)


def lease_of(settings: Settings) -> timedelta:
    """How long a claimed job stays its runner's without a heartbeat (``job_lease_seconds``):
    a running job whose runner vanished is claimed again once its lease has lapsed."""
    return timedelta(seconds=settings.job_lease_seconds)


@dataclass(frozen=True)
class AttemptOutcome:
    job_id: str
    status: str  # succeeded, queued (will retry) or dead
    attempt: int
    retry_at: datetime | None = None
    error: str | None = None


def run_attempt(
    db: Database, job_id: str, settings: Settings, *, now: datetime | None = None
) -> AttemptOutcome | None:
    """Claim ``job_id`` if it is due and run it once; None when it was not due or is taken."""
    at = now or utc_now()
    lease = lease_of(settings)
    with db.transaction() as session:
        if not job_store.claim(session, job_id, at, at + lease):
            return None
        row = session.get(job_store.JobRow, job_id)
        assert row is not None
        name, payload, attempt, max_attempts = row.name, row.payload, row.attempts, row.max_attempts
    context = JobContext(
        db=db, settings=settings, job_id=job_id, attempt=attempt, max_attempts=max_attempts, now=at
    )
    try:
        with _heartbeat(db, job_id, attempt, started=at, lease=lease):
            result = get_spec(name).handler(context, dict(payload))
    except Exception as exc:  # a failed attempt of any kind is recorded, then retried or dead
        error = f"{type(exc).__name__}: {exc}"
        log.warning("job %s (%s) attempt %d failed: %s", job_id, name, attempt, error)
        log.debug("%s", traceback.format_exc())
        retry_at = None
        failed_at = utc_now()
        if attempt < max_attempts:
            delay = backoff_seconds(
                attempt,
                base=settings.job_retry_base_seconds,
                maximum=settings.job_retry_max_seconds,
            )
            retry_at = failed_at + timedelta(seconds=delay)
        with db.transaction() as session:
            job_store.fail(session, job_id, error=error, retry_at=retry_at, now=failed_at)
        status = job_store.JobStatus.QUEUED if retry_at else job_store.JobStatus.DEAD
        return AttemptOutcome(job_id, status, attempt, retry_at=retry_at, error=error)
    with db.transaction() as session:
        job_store.finish(session, job_id, result=result)
    return AttemptOutcome(job_id, job_store.JobStatus.SUCCEEDED, attempt)


@contextmanager
def _heartbeat(
    db: Database, job_id: str, attempt: int, *, started: datetime, lease: timedelta
) -> Iterator[None]:
    """While the block runs, renew the attempt's lease every third of it (on the attempt's
    clock, ``started`` plus the time elapsed), so a job longer than its lease is not taken
    over while its runner lives, and one whose runner died is taken over a lease later."""
    stop = threading.Event()
    begun = time.monotonic()

    def beat() -> None:
        while not stop.wait(lease.total_seconds() / 3):
            until = started + timedelta(seconds=time.monotonic() - begun) + lease
            try:
                with db.transaction() as session:
                    if not job_store.renew_lease(session, job_id, attempt, until):
                        return
            except Exception:  # the database may be briefly unavailable; beat again later
                log.warning("job %s: could not renew its lease", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"fabnet-lease-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
