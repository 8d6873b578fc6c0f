"""Fixtures for the job handlers: a fast retry policy, a running queue and a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.webhook_receiver import Receiver, serve_receiver

from fabnet.outbox.queue import InProcessQueue, install_queue
from fabnet.settings import Settings
from fabnet.storage.db import Database


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state


@pytest.fixture
def fast_settings() -> Settings:
    return Settings(
        secret_key="jobs-test-secret",
        job_retry_base_seconds=0.2,
        job_retry_max_seconds=0.4,
    )


@pytest.fixture
def queue(db: Database, fast_settings: Settings) -> Iterator[InProcessQueue]:
    runner = InProcessQueue(db, fast_settings, poll_seconds=0.1)
    previous = install_queue(runner)
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()
        install_queue(previous)
