"""The platform's timers: unanswered invitations expire; the housekeeping job runs them and
queues its next round."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from fabnet.domain.orders.states import LotState
from fabnet.jobs.housekeeping import HOUSEKEEPING_JOB, ensure_housekeeping
from fabnet.services.orders import lots
from fabnet.storage.base import utc_now
from fabnet.storage.jobs import JobRow

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


def test_housekeeping_runs_and_queues_its_next_round_once(world: World) -> None:
    """The first round is run by the database's job runner; it queues exactly one next round."""
    db = world.db
    first = ensure_housekeeping(db, interval_seconds=60)
    assert first is not None
    assert ensure_housekeeping(db) is None  # already queued or running
    deadline = time.monotonic() + 30
    while True:
        with db.read() as session:
            jobs = [(j.id, j.status, j.next_run_at) for j in session.scalars(select(JobRow))
                    if j.name == HOUSEKEEPING_JOB]  # fmt: skip
        done = [j for j in jobs if j[0] == first and j[1] == "succeeded"]
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert done, jobs
    waiting = [j for j in jobs if j[1] == "queued"]
    assert len(waiting) == 1
    delay = (waiting[0][2].replace(tzinfo=utc_now().tzinfo) - utc_now()).total_seconds()
    assert 30 < delay <= 60
