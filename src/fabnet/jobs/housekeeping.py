"""The platform's timers, as a job that re-submits itself: expire unanswered invitations (their
open quantity is re-planned), close paid lots whose dispute window has passed and complete their
orders, purge expired idempotency keys and, when an SMTP server is set (``FABNET_SMTP_HOST``),
e-mail the notifications not yet sent (what ``fabnet notifications send`` does by hand).

``ensure_housekeeping(db)`` queues the first run unless one is already waiting; the API starts it
with its job runner. With Celery the same job runs on the workers.
"""

from __future__ import annotations

from typing import Any

from fabnet.errors import ExternalToolError
from fabnet.outbox.queue import submit
from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.orders.lots import close_settled, expire_invitations
from fabnet.services.platform.idempotency import purge_expired
from fabnet.services.platform.notifications import send_pending_emails
from fabnet.storage.db import Database
from fabnet.storage.jobs import pending_job_exists

HOUSEKEEPING_JOB = "fabnet.housekeeping"
INTERVAL_SECONDS = 300.0


@job_handler(HOUSEKEEPING_JOB, max_attempts=3)
def housekeeping(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """One round of the timers, then the next round is queued ``INTERVAL_SECONDS`` later."""
    expired = expire_invitations(context.db, now=context.now)
    closed, completed = close_settled(context.db, now=context.now)
    purged = purge_expired(context.db, now=context.now)
    emailed: int | None = None  # None: no SMTP server is set
    email_error: str | None = None
    if context.settings.smtp_host:
        try:
            emailed = send_pending_emails(context.db, settings=context.settings)
        except ExternalToolError as exc:  # the next round sends what was not accepted
            email_error = exc.message
    interval = float(payload.get("interval_seconds", INTERVAL_SECONDS))
    submit(HOUSEKEEPING_JOB, {"interval_seconds": interval}, db=context.db,
           delay_seconds=interval, now=context.now)  # fmt: skip
    return {
        "expired_lots": expired,
        "closed_lots": closed,
        "completed_orders": completed,
        "purged_idempotency_keys": purged,
        "emailed_notifications": emailed,
        "email_error": email_error,
    }


def ensure_housekeeping(db: Database, *, interval_seconds: float = INTERVAL_SECONDS) -> str | None:
    """Queue the first housekeeping round unless one is queued or running; its job id, or None."""
    with db.read() as session:
        if pending_job_exists(session, HOUSEKEEPING_JOB):
            return None
    return submit(HOUSEKEEPING_JOB, {"interval_seconds": interval_seconds}, db=db)
