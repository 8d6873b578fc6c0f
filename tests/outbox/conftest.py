"""Fixtures for the outbox (job submission and the runners): a webhook receiver to deliver to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.webhook_receiver import Receiver, serve_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as state:
        yield state
