"""Request bodies and response shapes of the matching, planning and order routes.

Responses that the services already return as Pydantic models (orders, lots, contracts,
inspections, ledgers, audit events) are used as they are; the models here document the JSON of
the matcher and the planner, whose results are dataclasses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fabnet.domain.facility import AccessType, FacilityStatus
from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.contracts import ContractMode
from fabnet.domain.orders.roles import Role
from fabnet.domain.plan import ProposedLot
from fabnet.services.orders import CounterOffer, OrderParty, OrderTerms
from fabnet.services.sourcing.matching import MatchParams
from fabnet.services.sourcing.planning import PlanRecord
from fabnet.standards.order_file import OrderSpec

#: Ids and id prefixes: letters, digits, '-' and '_' (never a path).
ID_PATTERN = r"^[A-Za-z0-9_-]+$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- matching ------------------------------------------------------------------------------------


class MatchIn(Body):
    design_id: str = Field(pattern=ID_PATTERN, description="A design id or unique id prefix")
    quantity: int = Field(default=1, ge=1, description="Finished products wanted")
    near: list[str] = Field(default_factory=list, description="Delivery places: 'Nairobi, KE'")
    radius_km: float | None = Field(default=None, gt=0, description="Only within R km of near")
    countries: list[str] = Field(default_factory=list, description="Allowed ISO country codes")
    exclude_countries: list[str] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list, description="e.g. 'ISO 13485'")
    top_k: int = Field(default=10, ge=1, le=100, description="Candidates listed per part")
    statuses: list[FacilityStatus] = Field(default_factory=lambda: [FacilityStatus.ACTIVE])
    access_types: list[AccessType] | None = Field(default=None, description="null: any")
    include_synthetic: bool = True
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")

    def params(self) -> MatchParams:
        return MatchParams(
            quantity=self.quantity,
            near=tuple(self.near),
            radius_km=self.radius_km,
            countries=tuple(self.countries),
            exclude_countries=tuple(self.exclude_countries),
            certifications=tuple(self.certifications),
            top_k=self.top_k,
            statuses=tuple(self.statuses),
            access_types=None if self.access_types is None else tuple(self.access_types),
            include_synthetic=self.include_synthetic,
            currency=self.currency,
        )


class CriterionOut(BaseModel):
    criterion: str
    passed: bool
    detail: str


class CandidateOut(BaseModel):
    facility_id: str
    facility_name: str
    score: float
    distance_km: float | None
    reasons: list[str]
    score_components: dict[str, float]
    unit_cost: float | Literal["unknown"]
    currency: str
    units_per_week: float | Literal["unknown"]
    equipment_id: str | None
    data_provenance: str


class NearMissOut(BaseModel):
    facility_id: str
    facility_name: str
    distance_km: float | None
    lacks: str = Field(description="The failed criteria in words")
    failed: list[CriterionOut]


class PartMatchOut(BaseModel):
    part: str
    name: str
    quantity: int
    is_assembly: bool
    candidate_count: int
    candidates: list[CandidateOut]
    near_misses: list[NearMissOut]
    note: str | None = None


class MatchOut(BaseModel):
    design_id: str
    parts: list[PartMatchOut]
    uncovered_parts: list[str] = Field(description="Parts no facility can make")


class WhyNotOut(BaseModel):
    design_id: str
    part: str
    facility_id: str
    qualifies: bool
    criteria: list[CriterionOut]
    failed: list[CriterionOut]


class MissingPartOut(BaseModel):
    part: str
    failed: list[CriterionOut]


class CoverageOut(BaseModel):
    design_id: str
    design_name: str
    whole: bool = Field(description="The facility can make every part")
    makeable_parts: list[str]
    missing_parts: list[MissingPartOut]
    unit_costs: dict[str, float | str] = Field(
        default_factory=dict,
        description="Unit cost per makeable part from the facility's rate card, or 'unknown'",
    )
    currency: str | None = None


class FacilityDesignsOut(BaseModel):
    facility_id: str
    quantity: int
    designs: list[CoverageOut]


# --- orders and plans ----------------------------------------------------------------------------


class OrderCreate(OrderSpec):
    """The order file (as in ``fabnet plan ORDER``) plus how it is contracted."""

    mode: ContractMode = ContractMode.DIRECT
    parties: list[OrderParty] = Field(
        default_factory=list,
        description="Other demand-side parties; the caller's organisation is the buyer",
    )
    terms: OrderTerms | None = Field(
        default=None, description="Contract defaults; delivery terms are needed to specify"
    )

    def spec(self) -> OrderSpec:
        return OrderSpec.model_validate(self.model_dump(exclude={"mode", "parties", "terms"}))


class OrderActionIn(Body):
    reason: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(default=None, ge=1, description="409 when stale")
    as_role: Role | None = Field(default=None, description="Default: the role the action needs")


class PlanIn(Body):
    exclude_facility_ids: list[str] = Field(default_factory=list)


class LicensorPermissionIn(Body):
    evidence_sha256: str = Field(
        min_length=64, max_length=64, description="The signed permission, uploaded to /v1/files"
    )
    note: str = Field(default="", max_length=2000)


class AwardIn(Body):
    plan_id: str
    version: int | None = Field(default=None, ge=1, description="The order's version (409)")


class PlanOut(BaseModel):
    id: str
    order_id: str | None
    parent_plan_id: str | None
    created_at: datetime
    status: str
    objective: float | None
    currency: str
    lots: list[ProposedLot]
    result: dict[str, Any] = Field(description="Flows, costs, baselines, diagnosis")

    @classmethod
    def of(cls, record: PlanRecord) -> PlanOut:
        return cls(
            id=record.id,
            order_id=record.order_id,
            parent_plan_id=record.parent_plan_id,
            created_at=record.created_at,
            status=record.status,
            objective=record.objective,
            currency=record.currency,
            lots=list(record.lots),
            result=record.result_json,
        )


# --- lots ----------------------------------------------------------------------------------------


class LotActionIn(Body):
    reason: str | None = Field(default=None, max_length=2000, description="Why (decline...)")
    evidence_sha256: list[str] = Field(
        default_factory=list, description="Stored files (POST /v1/files): photos, waybills"
    )
    version: int | None = Field(default=None, ge=1, description="409 when stale")
    as_role: Role | None = None
    counter_offer: CounterOffer | None = Field(default=None, description="counter-offer only")
    approve: bool | None = Field(default=None, description="review-prototype only")


class InspectorIn(Body):
    inspector_org_id: str
    version: int | None = Field(default=None, ge=1, description="The lot's version (409)")


class InspectionResultIn(Body):
    defects_found: dict[DefectClass, int] = Field(description="Defective units in the sample")
    evidence_sha256: list[str] = Field(min_length=1, description="The record and photos")
    measurements: dict[str, str | int] = Field(
        default_factory=dict, description="Decimals as strings: '180.2'"
    )
    accepted_quantity: int | None = Field(default=None, ge=0, description="Partial acceptance")
    reason: str | None = Field(default=None, max_length=2000)


# --- money and files -----------------------------------------------------------------------------


class FundingIn(Body):
    amount_minor: int = Field(gt=0, le=10**15, description="In minor units (cents)")
    reference: str = Field(min_length=1, max_length=200, description="The payment's id")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="Default: order")


class StoredFileOut(BaseModel):
    sha256: str
    size_bytes: int
    media_type: str
    original_name: str
