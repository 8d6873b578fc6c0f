"""Background jobs: plan an order in the background, and read a job's status, progress and result
(plans, instant quotes and contract PDFs are made by jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.services.orders import plan_jobs
from fabnet.services.platform.jobs import JobView, get_job
from fabnet.services.sourcing.instant_quote import QUOTE_JOB

router = APIRouter(tags=["jobs"], responses=PROBLEM_RESPONSES)


class PlanJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    co2_price_per_t: float | None = Field(
        default=None, ge=0, description="CO2 price for this plan, per tonne (default: the order's)"
    )
    max_facilities: int | None = Field(
        default=None, ge=1, description="At most this many facilities (default: the order's)"
    )


class JobOut(BaseModel):
    id: str
    kind: str = Field(description="What the job does, e.g. orders.plan")
    status: str = Field(description="queued, running, succeeded or failed")
    progress: float | None = Field(description="0..1 as the job reports it; null: not yet")
    message: str | None = Field(description="What the job does now")
    created_at: datetime
    finished_at: datetime | None
    result: dict[str, Any] | None = Field(
        description="What a succeeded job made, e.g. {plan_id, order_id}"
    )
    result_url: str | None = Field(description="Where to read what it made")
    error: str | None = Field(description="Why it failed, in words the user can act on")

    @classmethod
    def of(cls, job: JobView) -> JobOut:
        plan_id = job.ref.get("plan_id")
        contract_id = job.ref.get("contract_id")
        result_url = None
        if plan_id:
            result_url = f"/v1/plans/{plan_id}"
        elif contract_id:
            result_url = f"/v1/contracts/{contract_id}/pdf"
        elif job.kind == QUOTE_JOB and job.status == "succeeded":
            result_url = f"/v1/quotes/{job.id}"
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            progress=job.progress,
            message=job.message,
            created_at=job.created_at,
            finished_at=job.finished_at,
            result=job.ref or None,
            result_url=result_url,
            error=job.error,
        )


@router.post(
    "/v1/orders/{order_id}/plan-jobs",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    tags=["orders"],
)
def start_plan_job(
    order_id: str, db: DbDep, principal: Writer, response: Response, body: PlanJobIn | None = None
) -> JobOut:
    """Plan the order in the background (a DRAFT order is specified first); follow the job at
    its Location until it has succeeded, then read the plan at ``result_url`` and award it with
    POST /v1/orders/{id}/award. While a plan job of the order runs, this answers that job."""
    body = body or PlanJobIn()
    job_id = plan_jobs.start_plan_job(
        db,
        principal,
        order_id,
        co2_price_per_t=body.co2_price_per_t,
        max_facilities=body.max_facilities,
    )
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return JobOut.of(get_job(db, principal, job_id))


@router.get("/v1/jobs/{job_id}", response_model=JobOut)
def read_job(job_id: str, db: DbDep, principal: Reader) -> JobOut:
    """A job the caller's organisation started (another organisation's job is not found)."""
    return JobOut.of(get_job(db, principal, job_id))
