"""``fabnet worker`` starts a real Celery worker that runs a job recorded by another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from fabnet.jobs.housekeeping import HOUSEKEEPING_JOB
from fabnet.outbox.queue import CeleryQueue
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow, JobStatus


def test_worker_command_runs_a_job_submitted_elsewhere(
    sqlite_db: Database, redis_db: Callable[[int], str]
) -> None:
    url = redis_db(14)
    env = {**os.environ, "FABNET_DATABASE_URL": sqlite_db.url_text, "FABNET_REDIS_URL": url,
           "FABNET_JOB_BACKEND": "celery"}  # fmt: skip
    settings = Settings(job_backend="celery", redis_url=url, database_url=sqlite_db.url_text)
    queue = CeleryQueue(sqlite_db, settings)
    job_id = queue.submit(HOUSEKEEPING_JOB, {"interval_seconds": 3600.0})
    proc = subprocess.Popen(
        [sys.executable, "-m", "fabnet.cli.main", "worker", "--pool", "solo", "-c", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with sqlite_db.read() as session:
                row = session.get(JobRow, job_id)
                assert row is not None
                status, result = row.status, row.result
            if status == JobStatus.SUCCEEDED:
                break
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.3)
        assert status == JobStatus.SUCCEEDED
        assert result is not None and result["expired_lots"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_worker_refuses_an_unknown_pool() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fabnet.cli.main", "worker", "--pool", "gevent"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--pool" in done.stdout + done.stderr
