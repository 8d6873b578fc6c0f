"""Table and queries of background jobs (both runners record every job here).

A job is ``queued`` until a runner claims it (``running`` with a lease in ``locked_until``), then
``succeeded``, or back to ``queued`` with a later ``next_run_at`` after a failed attempt, or
``dead`` once ``max_attempts`` attempts failed. A runner that dies leaves a lease that expires, and
the job is claimed again: retries survive restarts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, TimestampMixin, utc_now


class JobStatus:
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DEAD = "dead"


class JobRow(TimestampMixin, Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    progress: Mapped[float | None] = mapped_column(Float)
    """How far the running attempt is, 0..1, as its handler reports it (None: not reported)."""
    progress_message: Mapped[str | None] = mapped_column(String(200))
    """What the running attempt is doing now, in the user's words."""


def due_job_ids(session: Session, now: datetime, limit: int) -> list[str]:
    """Queued jobs whose time has come, and running jobs whose lease expired (runner died)."""
    query = (
        select(JobRow.id)
        .where(
            or_(
                (JobRow.status == JobStatus.QUEUED) & (JobRow.next_run_at <= now),
                (JobRow.status == JobStatus.RUNNING) & (JobRow.locked_until < now),
            )
        )
        .order_by(JobRow.next_run_at, JobRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim(session: Session, job_id: str, now: datetime, lease_until: datetime) -> bool:
    """Compare-and-set a due job to ``running``; False when another runner got it first."""
    result: Any = session.execute(
        update(JobRow)
        .where(
            JobRow.id == job_id,
            or_(
                (JobRow.status == JobStatus.QUEUED) & (JobRow.next_run_at <= now),
                (JobRow.status == JobStatus.RUNNING) & (JobRow.locked_until < now),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            locked_until=lease_until,
            attempts=JobRow.attempts + 1,
            updated_at=now,
        ),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)


def renew_lease(session: Session, job_id: str, attempt: int, until: datetime) -> bool:
    """Extend the lease of a running attempt to ``until`` (its runner's heartbeat); False when
    the attempt no longer holds the job (it finished, or another runner took it over)."""
    result: Any = session.execute(
        update(JobRow)
        .where(
            JobRow.id == job_id,
            JobRow.status == JobStatus.RUNNING,
            JobRow.attempts == attempt,
        )
        .values(locked_until=until),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)


def stalled_job_ids(
    session: Session, now: datetime, *, queued_before: datetime, limit: int
) -> list[str]:
    """Jobs no runner holds though they should run: running ones whose lease expired (their
    runner died) and queued ones due since before ``queued_before`` (their dispatch was lost)."""
    query = (
        select(JobRow.id)
        .where(
            or_(
                (JobRow.status == JobStatus.RUNNING) & (JobRow.locked_until < now),
                (JobRow.status == JobStatus.QUEUED) & (JobRow.next_run_at < queued_before),
            )
        )
        .order_by(JobRow.next_run_at, JobRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def next_due_at(session: Session) -> datetime | None:
    """When the earliest queued job is due (None when nothing is queued)."""
    value = session.scalar(
        select(JobRow.next_run_at)
        .where(JobRow.status == JobStatus.QUEUED)
        .order_by(JobRow.next_run_at)
        .limit(1)
    )
    return value


def finish(
    session: Session, job_id: str, *, result: dict[str, Any] | None, now: datetime | None = None
) -> None:
    at = now or utc_now()
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(
            status=JobStatus.SUCCEEDED,
            result=result,
            progress=1.0,
            locked_until=None,
            finished_at=at,
            last_error=None,
            updated_at=at,
        ),
        execution_options={"synchronize_session": False},
    )


def report_progress(session: Session, job_id: str, fraction: float, message: str) -> None:
    """Record how far a running job is (``fraction`` clamped to 0..1) and what it does now."""
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(progress=min(1.0, max(0.0, float(fraction))), progress_message=message[:200]),
        execution_options={"synchronize_session": False},
    )


def fail(
    session: Session, job_id: str, *, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """Record a failed attempt: queue it again at ``retry_at``, or mark it dead when None."""
    values: dict[str, Any] = {"last_error": error[:4000], "locked_until": None, "updated_at": now}
    if retry_at is None:
        values.update(status=JobStatus.DEAD, finished_at=now)
    else:
        values.update(status=JobStatus.QUEUED, next_run_at=retry_at)
    session.execute(
        update(JobRow).where(JobRow.id == job_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def pending_job_exists(session: Session, name: str) -> bool:
    """Whether a job called ``name`` is queued or running."""
    found = session.scalar(
        select(JobRow.id)
        .where(JobRow.name == name, JobRow.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .limit(1)
    )
    return found is not None
