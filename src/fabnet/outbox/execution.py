"""Running one attempt of a recorded job; shared by the in-process and the Celery runner."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from fabnet.outbox.registry import JobContext, get_spec
from fabnet.outbox.retry import backoff_seconds
from fabnet.settings import Settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""A running job whose runner vanished is claimed again after this long."""


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
    with db.transaction() as session:
        if not job_store.claim(session, job_id, at, at + LEASE):
            return None
        row = session.get(job_store.JobRow, job_id)
        assert row is not None
        name, payload, attempt, max_attempts = row.name, row.payload, row.attempts, row.max_attempts
    context = JobContext(
        db=db, settings=settings, job_id=job_id, attempt=attempt, max_attempts=max_attempts, now=at
    )
    try:
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
