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

from fabnet.domain.identity import Principal, Scope
from fabnet.errors import NotFoundError
from fabnet.storage import jobs as job_store
from fabnet.storage.db import Database

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
        created_at, finished_at, name = row.created_at, row.finished_at, row.name
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
