"""Planning an order in the background (``orders.plan``): match, price, solve and store a plan
(:func:`fabnet.services.orders.plan_jobs.plan_job_result`), reporting each step as the job's
progress.

Submitted by :func:`~fabnet.services.orders.plan_jobs.start_plan_job` (``POST
/v1/orders/{id}/plan-jobs`` and the web's Plan button). One attempt: a plan that fails does so
again for the same reason; a problem the buyer can fix is the job's result (``{"error": ...}``).
"""

from __future__ import annotations

from typing import Any

from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.orders.plan_jobs import PLAN_JOB, plan_job_result


@job_handler(PLAN_JOB, max_attempts=1)
def plan_order(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    return plan_job_result(context.db, payload, progress=context.report_progress)
