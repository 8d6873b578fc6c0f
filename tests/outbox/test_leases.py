"""Leases and take-over: a running job renews its lease, so it is not taken over while its runner
lives however long it runs; a Celery worker's sweeper sends again the jobs nobody holds (a
killed worker's running job, a queued job whose message was lost), and they run once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from fabnet.outbox import celery_app
from fabnet.outbox.celery_app import QUEUED_GRACE, Sweeper
from fabnet.outbox.execution import AttemptOutcome, run_attempt
from fabnet.outbox.queue import CeleryQueue, install_queue
from fabnet.outbox.registry import JobContext, job_handler
from fabnet.settings import Settings, get_settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow, JobStatus

RUNS: list[str] = []


@job_handler("tests.slow", max_attempts=2)
def slow(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    RUNS.append(context.job_id)
    time.sleep(float(payload["seconds"]))
    return {"ran": context.attempt}


def _row(db: Database, job_id: str) -> JobRow:
    with db.read() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        session.expunge(row)
        return row


def _record(db: Database, seconds: float, **values: Any) -> str:
    """A ``tests.slow`` job recorded without being dispatched, then given ``values``."""
    job_id = f"lease{time.monotonic_ns()}"
    with db.transaction() as session:
        session.add(JobRow(id=job_id, name="tests.slow", payload={"seconds": seconds},
                           status=JobStatus.QUEUED, attempts=0, max_attempts=2,
                           next_run_at=utc_now()))  # fmt: skip
        session.flush()
        if values:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
    return job_id


def test_a_job_longer_than_its_lease_is_not_taken_over_while_it_runs(db: Database) -> None:
    settings = Settings(job_lease_seconds=2.0)  # renewed every 0.67 s
    job_id = _record(db, seconds=4.5)
    outcome: list[AttemptOutcome | None] = []
    runner = threading.Thread(target=lambda: outcome.append(run_attempt(db, job_id, settings)))
    runner.start()
    while _row(db, job_id).status != JobStatus.RUNNING:
        time.sleep(0.01)
    others: list[AttemptOutcome | None] = []
    while runner.is_alive():  # a second runner keeps trying to take the job over
        others.append(run_attempt(db, job_id, settings))
        time.sleep(0.05)
    runner.join()
    assert len(others) > 30 and others == [None] * len(others)
    assert outcome and outcome[0] is not None and outcome[0].status == JobStatus.SUCCEEDED
    row = _row(db, job_id)
    assert (row.status, row.attempts, row.result) == (JobStatus.SUCCEEDED, 1, {"ran": 1})
    assert RUNS.count(job_id) == 1


def test_the_lease_of_a_runner_that_stopped_renewing_lapses(db: Database) -> None:
    settings = Settings(job_lease_seconds=30)
    at = utc_now()
    job_id = _record(db, seconds=0, status=JobStatus.RUNNING, attempts=1,
                     locked_until=at + timedelta(seconds=30))  # fmt: skip
    assert run_attempt(db, job_id, settings, now=at + timedelta(seconds=29)) is None
    taken = run_attempt(db, job_id, settings, now=at + timedelta(seconds=31))
    assert taken is not None and (taken.status, taken.attempt) == (JobStatus.SUCCEEDED, 2)
    with db.transaction() as session:  # the first runner's heartbeat no longer extends it
        assert not job_store.renew_lease(session, job_id, 1, at + timedelta(hours=1))


@pytest.fixture
def celery_worker(sqlite_db: Database, redis_db: Callable[[int], str]) -> Iterator[CeleryQueue]:
    """A real Celery worker (threads) over Redis database 10, running ``sqlite_db``'s jobs."""
    from celery.contrib.testing.worker import start_worker

    settings = Settings(job_backend="celery", redis_url=redis_db(10), job_lease_seconds=2)
    queue = CeleryQueue(sqlite_db, settings)
    previous = install_queue(queue)
    try:
        with start_worker(celery_app.app, pool="threads", concurrency=2,
                          perform_ping_check=False, shutdown_timeout=10):  # fmt: skip
            yield queue
    finally:
        install_queue(previous)
        celery_app.configure(get_settings())


def _wait_succeeded(db: Database, job_id: str, timeout: float = 20) -> JobRow:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _row(db, job_id)
        if row.status == JobStatus.SUCCEEDED:
            return row
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not succeed: {_row(db, job_id).status}")


def test_the_sweeper_sends_again_the_jobs_nobody_holds(celery_worker: CeleryQueue) -> None:
    db, settings = celery_worker.db, celery_worker.settings
    now = utc_now()
    # a worker was killed while running this one: its lease lapsed a moment ago
    orphan = _record(db, seconds=0, status=JobStatus.RUNNING, attempts=1,
                     locked_until=now - timedelta(seconds=1))  # fmt: skip
    # this one's message was lost: due for longer than the grace, never run
    lost = _record(db, seconds=0, next_run_at=now - QUEUED_GRACE - timedelta(seconds=1))
    # these are held or just waiting behind busy workers: not sent again
    held = _record(db, seconds=0, status=JobStatus.RUNNING, attempts=1,
                   locked_until=now + timedelta(minutes=1))  # fmt: skip
    waiting = _record(db, seconds=0, next_run_at=now - QUEUED_GRACE + timedelta(minutes=1))

    sweeper = Sweeper(db, settings)
    assert sorted(sweeper.sweep(now)) == sorted([orphan, lost])
    assert sweeper.sweep(now) == []  # sent once, not again on the next round
    for job_id, attempts in ((orphan, 2), (lost, 1)):
        row = _wait_succeeded(db, job_id)
        assert (row.attempts, row.result) == (attempts, {"ran": attempts})
        assert RUNS.count(job_id) == 1
    assert _row(db, held).status == JobStatus.RUNNING
    assert _row(db, waiting).status == JobStatus.QUEUED
