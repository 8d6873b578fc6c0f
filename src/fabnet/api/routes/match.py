"""Matching: who can make each part of a design, why a facility cannot, what a facility can make."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fabnet.api.deps import DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.schemas_orders import (
    ID_PATTERN,
    FacilityDesignsOut,
    MatchIn,
    MatchOut,
    WhyNotOut,
)
from fabnet.services.sourcing import matching

router = APIRouter(tags=["matching"], responses=PROBLEM_RESPONSES)

ListQuery = Annotated[list[str], Query()]


@router.post("/v1/match", response_model=MatchOut)
def match(body: MatchIn, db: DbDep, principal: Reader) -> MatchOut:
    """Ranked candidates, near-misses and uncovered parts for every part of the design."""
    result = matching.match(db, body.design_id, body.params())
    return MatchOut.model_validate(result.to_json())


@router.get("/v1/match/why-not", response_model=WhyNotOut)
def why_not(
    db: DbDep,
    principal: Reader,
    design_id: Annotated[str, Query(pattern=ID_PATTERN, description="Design id or prefix")],
    part: Annotated[str, Query(min_length=1, description="Part id, or the assembly id")],
    facility_id: Annotated[str, Query(pattern=ID_PATTERN)],
    quantity: Annotated[int, Query(ge=1)] = 1,
    near: ListQuery = [],  # noqa: B006 - FastAPI copies query defaults
    radius_km: Annotated[float | None, Query(gt=0)] = None,
    countries: ListQuery = [],  # noqa: B006
    exclude_countries: ListQuery = [],  # noqa: B006
    certifications: ListQuery = [],  # noqa: B006
) -> WhyNotOut:
    """Every criterion for one part at one facility, met or not, with the reason."""
    params = MatchIn(
        design_id=design_id,
        quantity=quantity,
        near=near,
        radius_km=radius_km,
        countries=countries,
        exclude_countries=exclude_countries,
        certifications=certifications,
    ).params()
    results = matching.explain_non_match(db, design_id, part, facility_id, params)
    criteria = [r.to_json() for r in results]
    return WhyNotOut.model_validate(
        {
            "design_id": design_id,
            "part": part,
            "facility_id": facility_id,
            "qualifies": all(r.passed for r in results),
            "criteria": criteria,
            "failed": [c for c in criteria if not c["passed"]],
        }
    )


@router.get("/v1/facilities/{facility_id}/designs", response_model=FacilityDesignsOut)
def designs_for_facility(
    facility_id: str,
    db: DbDep,
    principal: Reader,
    quantity: Annotated[int, Query(ge=1)] = 1,
) -> FacilityDesignsOut:
    """Reverse match: the library's designs the facility can make, wholly or in part."""
    coverage = matching.designs_for_facility(db, facility_id, quantity=quantity)
    return FacilityDesignsOut.model_validate(
        {
            "facility_id": facility_id,
            "quantity": quantity,
            "designs": [c.to_json() for c in coverage],
        }
    )
