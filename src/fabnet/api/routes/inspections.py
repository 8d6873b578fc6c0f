"""Inspections: read a task and its sampling plans, record what the sample showed."""

from __future__ import annotations

from fastapi import APIRouter

from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.schemas_orders import InspectionResultIn
from fabnet.domain.orders.aql import DefectClass
from fabnet.services.orders import inspections
from fabnet.services.orders.inspections import InspectionView

router = APIRouter(prefix="/v1/inspections", tags=["inspections"], responses=PROBLEM_RESPONSES)


@router.get("/{inspection_id}", response_model=InspectionView)
def get_inspection(inspection_id: str, db: DbDep, principal: Reader) -> InspectionView:
    return inspections.get_inspection(db, principal, inspection_id)


@router.post("/{inspection_id}/results", response_model=InspectionView)
def record_results(
    inspection_id: str, body: InspectionResultIn, db: DbDep, principal: Writer
) -> InspectionView:
    """Defects found per class in the sample: the lot is accepted when every class passes its
    AQL plan, else rejected, or accepted in part with ``accepted_quantity`` and a ``reason``."""
    defects: dict[DefectClass | str, int] = dict(body.defects_found.items())
    return inspections.record_inspection(
        db,
        principal,
        inspection_id,
        defects,
        evidence_sha256=body.evidence_sha256,
        measurements=body.measurements,
        accepted_quantity=body.accepted_quantity,
        reason=body.reason,
    )
