"""The platform's timers: unanswered invitations expire; the housekeeping job runs them and
queues its next round. Attempts run at a time the test chooses (no wall-clock polling)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fabnet.domain.orders.states import LotState
from fabnet.jobs.housekeeping import HOUSEKEEPING_JOB, ensure_housekeeping
from fabnet.outbox.execution import run_attempt
from fabnet.outbox.queue import JobQueue, install_queue, period_of
from fabnet.services.orders import lots
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.identity import aware
from fabnet.storage.jobs import JobRow, JobStatus

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def test_an_unanswered_invitation_expires_on_time_and_not_before(world: World) -> None:
    db = world.db
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    assert lots.expire_invitations(db) == []
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.INVITED
    later = utc_now() + timedelta(days=30)
    assert lots.expire_invitations(db, now=later) == [lot_id]
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.EXPIRED


class _HeldQueue(JobQueue):
    """Records jobs and runs none by itself: the test runs each attempt at a time it chooses."""

    def dispatch(self, job_id: str, run_at: datetime) -> None:
        pass


@pytest.fixture
def held_queue(world: World) -> Iterator[_HeldQueue]:
    queue = _HeldQueue(world.db, Settings())
    previous = install_queue(queue)
    try:
        yield queue
    finally:
        install_queue(previous)


def _housekeeping_jobs(world: World) -> list[tuple[str, str, datetime]]:
    """(id, status, next_run_at) of every housekeeping job."""
    with world.db.read() as session:
        rows = session.scalars(select(JobRow).where(JobRow.name == HOUSEKEEPING_JOB))
        return [(j.id, j.status, aware(j.next_run_at)) for j in rows]


def test_housekeeping_runs_and_queues_its_next_round_once(
    world: World, held_queue: _HeldQueue
) -> None:
    db = world.db
    first = ensure_housekeeping(db, interval_seconds=3600)
    assert first is not None
    assert ensure_housekeeping(db, interval_seconds=3600) is None  # already queued
    at = utc_now() + timedelta(seconds=5)
    outcome = run_attempt(db, first, held_queue.settings, now=at)
    assert outcome is not None and outcome.status == JobStatus.SUCCEEDED
    assert run_attempt(db, first, held_queue.settings, now=at) is None  # exactly once
    waiting = [j for j in _housekeeping_jobs(world) if j[1] == JobStatus.QUEUED]
    assert len(waiting) == 1
    following = (period_of(at, 3600) + 1) * 3600  # due when the next period starts
    assert waiting[0][2] == datetime.fromtimestamp(following, tz=UTC)
    assert ensure_housekeeping(db, interval_seconds=3600) is None  # this period's round ran


def test_a_housekeeping_round_expires_invitations_by_its_own_clock(
    world: World, held_queue: _HeldQueue
) -> None:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    first = ensure_housekeeping(world.db, interval_seconds=3600)
    assert first is not None
    on_time = run_attempt(world.db, first, held_queue.settings, now=utc_now())
    assert on_time is not None and on_time.status == JobStatus.SUCCEEDED
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.INVITED
    [second] = [j[0] for j in _housekeeping_jobs(world) if j[1] == JobStatus.QUEUED]
    later = utc_now() + timedelta(days=30)
    assert run_attempt(world.db, second, held_queue.settings, now=later) is not None
    with world.db.read() as session:
        row = session.get(JobRow, second)
        assert row is not None and row.result is not None
        assert row.result["expired_lots"] == [lot_id]
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.EXPIRED
