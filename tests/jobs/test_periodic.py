"""Housekeeping runs exactly once per period however many processes schedule it: two schedulers
(each its own connection pool and job runner, as two API replicas) start together on one
database, and every period's round runs once, none skipped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from fabnet.jobs import housekeeping
from fabnet.outbox.queue import InProcessQueue, install_queue, period_of
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow, JobStatus

INTERVAL = 1.0


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The clock of every housekeeping round that ran, whichever process ran it."""
    seen: list[datetime] = []
    lock = threading.Lock()
    real = housekeeping.expire_invitations

    def counting(db: Database, now: datetime | None = None) -> list[str]:
        with lock:
            seen.append(now or utc_now())
        return real(db, now=now)

    monkeypatch.setattr(housekeeping, "expire_invitations", counting)
    yield seen


def _succeeded_periods(db: Database) -> list[int]:
    with db.read() as session:
        rows = session.scalars(
            select(JobRow).where(
                JobRow.name == housekeeping.HOUSEKEEPING_JOB, JobRow.status == JobStatus.SUCCEEDED
            )
        )
        results: list[dict[str, Any]] = [row.result or {} for row in rows]
    return sorted(int(result["period"]) for result in results)


def test_two_schedulers_in_parallel_run_each_period_once(
    db: Database, rounds: list[datetime]
) -> None:
    replicas = [Database(db.url.render_as_string(hide_password=False)) for _ in range(2)]
    queues = [InProcessQueue(r, Settings(), poll_seconds=0.05) for r in replicas]
    previous = install_queue(queues[0])
    start = threading.Barrier(2)
    submitted: list[str | None] = []

    def replica_starts(queue: InProcessQueue) -> None:
        queue.start()
        start.wait()
        submitted.append(housekeeping.ensure_housekeeping(queue.db, interval_seconds=INTERVAL))

    try:
        threads = [threading.Thread(target=replica_starts, args=(q,)) for q in queues]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        first_period = period_of(utc_now(), INTERVAL)
        time.sleep(4.2 * INTERVAL)
        last_period = period_of(utc_now(), INTERVAL)
    finally:
        for queue in queues:
            queue.stop()
        install_queue(previous)
        for replica in replicas:
            replica.dispose()

    assert len([s for s in submitted if s is not None]) == 1  # one replica queued the first round
    periods = _succeeded_periods(db)
    assert len(rounds) == len(periods)  # every round that ran is one recorded period's round
    assert len(set(periods)) == len(periods), f"a period ran twice: {periods}"
    # none skipped: every period from the first to the one before the last ran
    assert set(range(first_period, last_period)) <= set(periods), periods
    assert len(periods) >= 4
