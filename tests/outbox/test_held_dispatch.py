"""A job recorded inside a held transaction (an idempotent API request, ADR 0014) is handed to
its runner only after the held transaction commits, and never when it rolls back: SQLAlchemy
also signals ``after_commit`` when the savepoint of each joined block is released."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fabnet.outbox.queue import JobQueue
from fabnet.outbox.registry import JobContext, job_handler
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow


@job_handler("tests.held_noop")
def held_noop(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {}


class _Recording(JobQueue):
    """The real submission path; dispatch records whether the job row is committed by then."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, Settings())
        self.dispatched: list[tuple[str, bool]] = []

    def dispatch(self, job_id: str, run_at: datetime) -> None:
        with self.db.engine.connect() as other:  # what a runner's own connection sees
            seen = other.execute(JobRow.__table__.select().where(JobRow.id == job_id)).first()
        self.dispatched.append((job_id, seen is not None))


def test_jobs_of_a_held_transaction_are_dispatched_after_its_commit(db: Database) -> None:
    queue = _Recording(db)
    with db.held_transaction() as held:
        with db.transaction() as session:
            in_session = queue.submit("tests.held_noop", {}, session=session)
        on_its_own = queue.submit("tests.held_noop", {})
        assert queue.dispatched == []  # both blocks ended, nothing committed yet
        held.commit()
    assert sorted(queue.dispatched) == sorted([(in_session, True), (on_its_own, True)])


def test_jobs_of_a_rolled_back_held_transaction_are_never_dispatched(db: Database) -> None:
    queue = _Recording(db)
    with db.held_transaction(), db.transaction() as session:
        job_id = queue.submit("tests.held_noop", {}, session=session)
    assert queue.dispatched == []
    with db.read() as session:
        assert session.get(JobRow, job_id) is None


def test_a_job_outside_a_held_transaction_is_dispatched_once_committed(db: Database) -> None:
    queue = _Recording(db)
    job_id = queue.submit("tests.held_noop", {})
    assert queue.dispatched == [(job_id, True)]
