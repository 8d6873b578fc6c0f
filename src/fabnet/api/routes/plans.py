"""Plans: a stored plan of an order, as JSON or as a GeoJSON map of its flows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from fabnet.api.deps import DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.schemas_orders import PlanOut
from fabnet.services.orders import orders

router = APIRouter(prefix="/v1/plans", tags=["plans"], responses=PROBLEM_RESPONSES)

GEOJSON = "application/geo+json"


@router.get(
    "/{plan_id}",
    response_model=PlanOut,
    responses={200: {"content": {GEOJSON: {"schema": {"type": "object"}}}}},
)
def get_plan(
    plan_id: str,
    db: DbDep,
    principal: Reader,
    format: Annotated[
        Literal["json", "geojson"],
        Query(description="json: the plan; geojson: facilities, delivery points and flows"),
    ] = "json",
) -> Any:
    """For the demand-side parties of the plan's order."""
    record = orders.get_order_plan(db, principal, plan_id)
    if format == "geojson":
        return JSONResponse(record.geojson, media_type=GEOJSON)
    return PlanOut.of(record)
