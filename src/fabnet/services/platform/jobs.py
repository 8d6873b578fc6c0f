"""Background jobs as their callers see them: status, progress and what the job made.

A job started for an organisation (planning an order, an instant quote) carries that
organisation in its payload (``org_id``); only its members, platform admins and the local
operator may read it. Every other job (webhook deliveries, housekeeping) and another
organisation's job answers :class:`~fabnet.errors.NotFoundError`, so job ids do not leak.

A handler's result may name what the job made under ``ref`` (e.g. ``{"plan_id": ...}``) and
a problem the user can fix under ``error`` (in the user's words); a job whose attempts all
failed reports :data:`UNEXPECTED_FAILURE` (its traceback stays in the job row for the operator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fabnet.domain.identity import Principal, Scope
from fabnet.errors import InputError, NotFoundError, PermissionDeniedError
from fabnet.storage import jobs as job_store
from fabnet.storage.db import Database
from fabnet.storage.identity import aware, aware_or_none

UNEXPECTED_FAILURE = "the job failed unexpectedly; the error was recorded for the operator"

_STATUS = {
    job_store.JobStatus.QUEUED: "queued",
    job_store.JobStatus.RUNNING: "running",
    job_store.JobStatus.SUCCEEDED: "succeeded",
    job_store.JobStatus.DEAD: "failed",
}


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    """The job's name, e.g. ``orders.plan`` or ``quotes.instant``."""
    status: str
    """queued, running, succeeded or failed (a job that ended in a problem the user can fix
    is failed, with that problem as its error)."""
    progress: float | None
    """How far it is, 0..1, as its handler reports it (1 once succeeded; None: not reported)."""
    message: str | None
    """What it does now, in the user's words."""
    created_at: datetime
    finished_at: datetime | None
    ref: dict[str, Any] = field(default_factory=dict)
    """What a succeeded job made (e.g. ``{"plan_id": ...}``); empty otherwise."""
    error: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    """What the job was asked to do (for the service that started it)."""


def get_job(
    db: Database, actor: Principal | None, job_id: str, *, kind: str | None = None
) -> JobView:
    """The job ``job_id`` (of ``kind``, when given) for the organisation it was started for
    (see the module docstring); NotFoundError for anyone else."""
    hidden = NotFoundError(f"no job with id {job_id}")
    if actor is not None:
        actor.require(Scope.READ)
    with db.read() as session:
        row = session.get(job_store.JobRow, job_id)
        if row is None or (kind is not None and row.name != kind):
            raise hidden
        payload = dict(row.payload or {})
        owner = payload.get("org_id")
        mine = bool(owner) and owner == (actor.org_id if actor is not None else None)
        if actor is not None and not actor.is_platform_admin and not mine:
            raise hidden
        status = _STATUS.get(row.status, "queued")
        result = dict(row.result) if isinstance(row.result, dict) else {}
        progress, message = row.progress, row.progress_message
        created_at, finished_at = aware(row.created_at), aware_or_none(row.finished_at)
        name = row.name
    error = None
    ref: dict[str, Any] = {}
    if status == "failed":
        error = UNEXPECTED_FAILURE
    elif status == "succeeded":
        if "error" in result:
            status, error = "failed", str(result["error"])
        elif isinstance(result.get("ref"), dict):
            ref = dict(result["ref"])
    return JobView(
        id=job_id,
        kind=name,
        status=status,
        progress=progress,
        message=message,
        created_at=created_at,
        finished_at=finished_at,
        ref=ref,
        error=error,
        payload=payload,
    )


@dataclass(frozen=True)
class QueuedJob:
    """A row of the job queue as the operator sees it."""

    id: str
    kind: str
    status: str
    """The queue's own status: queued, running, succeeded or dead (every attempt failed)."""
    attempts: int
    max_attempts: int
    next_run_at: datetime
    created_at: datetime
    finished_at: datetime | None
    progress: float | None
    message: str | None
    last_error: str | None
    org_id: str | None
    """The organisation the job was started for (None: webhook deliveries, housekeeping)."""


def list_jobs(
    db: Database, actor: Principal | None, *, status: str | None = None, limit: int = 100
) -> list[QueuedJob]:
    """The job queue, newest first (platform admins and the local operator)."""
    if actor is not None:
        actor.require(Scope.ADMIN)
        if not actor.is_platform_admin:
            raise PermissionDeniedError("only platform admins read the job queue")
    known = (job_store.JobStatus.QUEUED, job_store.JobStatus.RUNNING,
             job_store.JobStatus.SUCCEEDED, job_store.JobStatus.DEAD)  # fmt: skip
    if status is not None and status not in known:
        raise InputError(f"unknown job status {status!r}", field="status",
                         hint="use one of " + ", ".join(known))  # fmt: skip
    query = select(job_store.JobRow)
    if status is not None:
        query = query.where(job_store.JobRow.status == status)
    query = query.order_by(job_store.JobRow.created_at.desc(), job_store.JobRow.id.desc())
    with db.read() as session:
        rows = list(session.scalars(query.limit(max(1, min(limit, 500)))))
        return [
            QueuedJob(
                id=row.id, kind=row.name, status=row.status, attempts=row.attempts,
                max_attempts=row.max_attempts, next_run_at=aware(row.next_run_at),
                created_at=aware(row.created_at), finished_at=aware_or_none(row.finished_at),
                progress=row.progress, message=row.progress_message, last_error=row.last_error,
                org_id=str((row.payload or {}).get("org_id") or "") or None,
            )
            for row in rows
        ]  # fmt: skip
