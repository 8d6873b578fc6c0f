"""Instant quotes in the background: slice, match and price a design or an uploaded part; the
same job as the web's instant-quote page (``quotes.instant``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fabnet.api.deps import DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.jobs import JobOut
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.services.platform.jobs import get_job
from fabnet.services.sourcing import instant_quote as quotes

router = APIRouter(prefix="/v1/quotes", tags=["quotes"], responses=PROBLEM_RESPONSES)


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=1, le=10_000_000, description="Units of the design or part")
    design_id: str | None = Field(
        default=None, description="A design to quote (or give file_sha256 for an uploaded part)"
    )
    file_sha256: str | None = Field(
        default=None,
        pattern="^[0-9a-f]{64}$",
        description="An STL or 3MF uploaded with POST /v1/files, quoted as one part",
    )
    file_name: str | None = Field(
        default=None, max_length=200, description="The uploaded part's file name (e.g. clip.stl)"
    )
    process: str | None = Field(
        default=None, description="How the uploaded part is made (process taxonomy id, e.g. fdm)"
    )
    material: str | None = Field(default=None, description="Material id, e.g. pla")
    near: str | None = Field(
        default=None, max_length=200, description="Rank facilities by distance to this place"
    )


class QuoteOut(BaseModel):
    id: str = Field(description="The quote job's id")
    status: str = Field(description="queued, running, succeeded or failed")
    quote: dict[str, Any] | None = Field(
        description="Per facility: price per unit and total, machine hours, lead time, distance; "
        "per item: hours and material (null until the job has succeeded)"
    )
    error: str | None = Field(description="Why it failed, in words the user can act on")


@router.post("", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def start_quote(
    body: QuoteIn, db: DbDep, principal: Reader, store: FileStoreDep, response: Response
) -> JobOut:
    """Queue an instant quote (a read: nothing is ordered). Follow the job at its Location; the
    quote is at ``result_url`` once it has succeeded. Slicing results are cached by file hash."""
    request = quotes.QuoteRequest(
        quantity=body.quantity,
        design_id=body.design_id,
        mesh_sha256=body.file_sha256,
        mesh_name=body.file_name,
        process=body.process,
        material=body.material,
        near=body.near,
    )
    job_id = quotes.start_instant_quote(db, principal, request, store=store)
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return JobOut.of(get_job(db, principal, job_id))


@router.get("/{quote_id}", response_model=QuoteOut)
def read_quote(quote_id: str, db: DbDep, principal: Reader) -> QuoteOut:
    """The quote (another organisation's quote is not found)."""
    job = quotes.instant_quote_job(db, principal, quote_id)
    return QuoteOut(
        id=job.id,
        status=job.status,
        quote=job.quote.to_json() if job.quote is not None else None,
        error=job.error,
    )
