"""The platform's timers, as a job that re-submits itself: expire unanswered invitations (their
open quantity is re-planned), close paid lots whose dispute window has passed and complete their
orders, purge expired idempotency keys and, when an SMTP server is set (``FABNET_SMTP_HOST``),
e-mail the notifications not yet sent (what ``fabnet notifications send`` does by hand).

Exactly once per period across processes: every round belongs to a period of
``INTERVAL_SECONDS`` counted from the Unix epoch, and its job id is derived from that period
(:func:`fabnet.outbox.queue.submit_periodic`). Every API replica calls ``ensure_housekeeping(db)``
at start and every round queues the next period's round; however many processes do so, each
period's round is recorded once (the primary key refuses the second), so it runs once: on the
in-process runner of whichever replica claims it first, or on one Celery worker.
"""

from __future__ import annotations

from typing import Any

from fabnet.errors import ExternalToolError
from fabnet.outbox.queue import period_of, submit_periodic
from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.orders.lots import close_settled, expire_invitations
from fabnet.services.platform.idempotency import purge_expired
from fabnet.services.platform.notifications import send_pending_emails
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database

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
    period = int(payload.get("period", period_of(context.now, interval)))
    following = max(period, period_of(context.now, interval)) + 1  # a late round skips ahead
    _submit_round(context.db, interval, following)
    return {
        "period": period,
        "expired_lots": expired,
        "closed_lots": closed,
        "completed_orders": completed,
        "purged_idempotency_keys": purged,
        "emailed_notifications": emailed,
        "email_error": email_error,
    }


def ensure_housekeeping(db: Database, *, interval_seconds: float = INTERVAL_SECONDS) -> str | None:
    """Queue this period's housekeeping round unless a process did (a round queues the next);
    the id of the round queued, or None. A chain whose round died is mended by the next start."""
    return _submit_round(db, interval_seconds, period_of(utc_now(), interval_seconds))


def _submit_round(db: Database, interval: float, period: int) -> str | None:
    payload = {"interval_seconds": interval, "period": period}
    return submit_periodic(
        HOUSEKEEPING_JOB, payload, interval_seconds=interval, period=period, db=db
    )
