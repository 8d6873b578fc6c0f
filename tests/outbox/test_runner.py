"""The in-process runner: retries survive a restart, lost runners' jobs are taken over."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from fabnet.outbox.queue import InProcessQueue, install_queue
from fabnet.outbox.registry import JobContext, job_handler
from fabnet.outbox.retry import backoff_seconds
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow

CALLS: list[tuple[str, int]] = []


@job_handler("tests.flaky", max_attempts=3)
def flaky(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    CALLS.append((context.job_id, context.attempt))
    if context.attempt < int(payload["succeed_on"]):
        raise RuntimeError(f"attempt {context.attempt} fails")
    return {"value": payload["value"] * 2}


@dataclass(frozen=True)
class Snapshot:
    status: str
    attempts: int
    last_error: str | None
    result: dict[str, Any] | None


def _wait_status(
    db: Database, job_id: str, status: str, *, min_attempts: int = 0, timeout: float = 15
) -> Snapshot:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as session:
            row = session.get(JobRow, job_id)
            if row is not None and row.status == status and row.attempts >= min_attempts:
                return Snapshot(row.status, row.attempts, row.last_error, row.result)
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never became {status}")


def test_a_retry_scheduled_before_a_restart_runs_after_it(db: Database) -> None:
    settings = Settings(job_retry_base_seconds=1.0, job_retry_max_seconds=1.0)
    first = InProcessQueue(db, settings, poll_seconds=0.05)
    previous = install_queue(first)
    try:
        job_id = first.submit("tests.flaky", {"succeed_on": 2, "value": 21})
        row = _wait_status(db, job_id, "queued", min_attempts=1)
        assert row.attempts == 1 and row.last_error == "RuntimeError: attempt 1 fails"
        first.stop()  # the process "restarts" while the retry waits

        second = InProcessQueue(db, settings, poll_seconds=0.05)
        install_queue(second)
        second.start()
        try:
            done = _wait_status(db, job_id, "succeeded")
        finally:
            second.stop()
        assert (done.attempts, done.result) == (2, {"value": 42})
        assert [a for j, a in CALLS if j == job_id] == [1, 2]
    finally:
        first.stop()
        install_queue(previous)


def test_a_job_whose_runner_died_is_claimed_again_after_its_lease(db: Database) -> None:
    queue = InProcessQueue(db, Settings(), poll_seconds=0.05)
    previous = install_queue(queue)
    try:
        with db.transaction() as session:
            job_id = queue.submit("tests.flaky", {"succeed_on": 1, "value": 1}, session=session)
            session.flush()
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(status="running", attempts=1, locked_until=utc_now() - timedelta(seconds=1))
            )
        done = _wait_status(db, job_id, "succeeded")
        assert done.attempts == 2
    finally:
        queue.stop()
        install_queue(previous)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    class Fixed:
        def __init__(self, value: float) -> None:
            self.value = value

        def random(self) -> float:
            return self.value

    low, high = Fixed(0.0), Fixed(1.0)
    assert [backoff_seconds(n, base=10, maximum=60, rng=low) for n in (1, 2, 3, 4, 5)] == [  # type: ignore[arg-type]
        5,
        10,
        20,
        30,
        30,
    ]
    assert [backoff_seconds(n, base=10, maximum=60, rng=high) for n in (1, 2, 3, 4)] == [  # type: ignore[arg-type]
        10,
        20,
        40,
        60,
    ]


def test_the_process_wide_queue_built_for_lack_of_one_stops_between_tests(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queue ``current_queue`` builds when none is installed (a CLI command submitting a job)
    stops with the others: left running, it took the next test's jobs with its own settings (a
    webhook secret sealed under another key could not be opened)."""
    import threading

    from fabnet.outbox.queue import current_queue, installed_queue, stop_all_queues
    from fabnet.settings import get_settings

    def schedulers() -> int:
        return sum(t.name == "fabnet-job-scheduler" and t.is_alive() for t in threading.enumerate())

    monkeypatch.setenv("FABNET_DATABASE_URL", db.url_text)
    get_settings.cache_clear()
    previous = install_queue(None)
    before = schedulers()
    try:
        built = current_queue()
        built.start()
        assert schedulers() == before + 1
        stop_all_queues()
        assert schedulers() == before
        assert installed_queue() is None
    finally:
        install_queue(previous)
        get_settings.cache_clear()
