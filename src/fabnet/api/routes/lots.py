"""Lots: read (ETag), life-cycle actions (If-Match), contracts, inspector, inspections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import Field

from fabnet.api.concurrency import expected_version_from, set_etag
from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import IfMatch, if_match_precondition, lot_action_name
from fabnet.api.schemas_orders import Body, InspectorIn, LotActionIn
from fabnet.services.orders import LotView, contracts, inspections, lots
from fabnet.services.orders.contracts import ContractView
from fabnet.services.orders.inspections import InspectionView
from fabnet.services.orders.lots import PrototypeApproval, ReplanOutcome

router = APIRouter(prefix="/v1/lots", tags=["lots"], responses=PROBLEM_RESPONSES)

ActionPath = Annotated[
    str,
    Path(
        description="accept, decline {reason}, counter-offer {counter_offer}, "
        "accept-counter-offer, reject-counter-offer {reason}, submit-prototype {evidence}, "
        "review-prototype {approve, evidence}, start-production, submit-for-inspection, "
        "ship {evidence}, confirm-delivery (or deliver), close, dispute {reason}, "
        "withdraw-dispute, cancel {reason}, ... ('_' works as '-')"
    ),
]


@router.get("/{lot_id}", response_model=LotView)
def get_lot(lot_id: str, db: DbDep, principal: Reader, response: Response) -> LotView:
    lot = lots.get_lot(db, principal, lot_id)
    set_etag(response, lot.version)
    return lot


@router.post("/{lot_id}/actions/{action}", response_model=LotView)
def act_on_lot(
    lot_id: str,
    action: ActionPath,
    db: DbDep,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
    body: LotActionIn | None = None,
) -> LotView:
    """Take a lot action as the caller's role on the lot. A stale ``If-Match`` answers 412, a
    stale body ``version`` 409; a refused transition 409 naming the missing condition."""
    body = body or LotActionIn()
    name = lot_action_name(action, body.approve)
    expected = expected_version_from(if_match, body.version)
    with if_match_precondition(if_match):
        lot = lots.act_on_lot(
            db,
            principal,
            lot_id,
            name,
            reason=body.reason,
            evidence_sha256=body.evidence_sha256,
            expected_version=expected,
            as_role=body.as_role,
            counter_offer=body.counter_offer,
        )
    set_etag(response, lot.version)
    return lot


@router.get("/{lot_id}/replan", response_model=ReplanOutcome | None)
def get_replan(lot_id: str, db: DbDep, principal: Reader) -> ReplanOutcome | None:
    """What became of the lot's open quantity after a decline, a rejected counter-offer, an
    expiry or a termination: ``replanned`` (the new lots and their facilities) or ``failed`` (no
    other facility could take it), with the message the buyer was sent; null when the lot was
    never re-planned."""
    return lots.replan_outcome(db, principal, lot_id)


class PrototypeApprovalIn(Body):
    delegated: bool = Field(
        description="true: the lot's inspection body approves or rejects the prototype; "
        "false: the buyer takes the decision back"
    )


@router.get("/{lot_id}/prototype-approval", response_model=PrototypeApproval)
def get_prototype_approval(lot_id: str, db: DbDep, principal: Reader) -> PrototypeApproval:
    """Who decides on the lot's first article: the buyer, or the inspector by delegation."""
    return lots.prototype_approval(db, principal, lot_id)


@router.put("/{lot_id}/prototype-approval", response_model=PrototypeApproval)
def put_prototype_approval(
    lot_id: str, body: PrototypeApprovalIn, db: DbDep, principal: Writer
) -> PrototypeApproval:
    """The buyer (or orchestrator) delegates the approval of the lot's prototype to the lot's
    assigned inspection body, or takes it back (idempotent). 409 without an assigned inspector,
    when the contract requires no prototype or once the prototype is approved; 403 for others.
    With the delegation the inspector answers ``review-prototype``; without it, 403."""
    return lots.delegate_prototype_approval(db, principal, lot_id, delegated=body.delegated)


@router.get("/{lot_id}/contracts", response_model=list[ContractView])
def list_contracts(lot_id: str, db: DbDep, principal: Reader) -> list[ContractView]:
    """The lot's contracts the caller may see."""
    return contracts.list_lot_contracts(db, principal, lot_id)


@router.post("/{lot_id}/inspector", response_model=LotView)
def assign_inspector(
    lot_id: str,
    body: InspectorIn,
    db: DbDep,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> LotView:
    """The buyer (or orchestrator) assigns an inspection body to the lot."""
    expected = expected_version_from(if_match, body.version)
    with if_match_precondition(if_match):
        lot = inspections.assign_inspector(
            db, principal, lot_id, body.inspector_org_id, expected_version=expected
        )
    set_etag(response, lot.version)
    return lot


@router.get("/{lot_id}/inspections", response_model=list[InspectionView])
def list_inspections(lot_id: str, db: DbDep, principal: Reader) -> list[InspectionView]:
    """The lot's inspection tasks with their AQL sampling plans."""
    return inspections.lot_inspections(db, principal, lot_id)
