"""Orders: create, list, read (ETag), life-cycle actions (If-Match), plan, award, lots."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from fabnet.api.concurrency import expected_version_from, set_etag
from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import IfMatch, action_key, if_match_precondition
from fabnet.api.schemas_orders import (
    AwardIn,
    LicensorPermissionIn,
    OrderActionIn,
    OrderCreate,
    PlanIn,
)
from fabnet.domain.orders.states import OrderAction
from fabnet.services.orders import LotView, OrderTerms, OrderView, orders
from fabnet.services.orders.orders import PlanSummary
from fabnet.services.orders.report import OrderReport, order_report
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/orders", tags=["orders"], responses=PROBLEM_RESPONSES)

ORDER_ACTIONS = ", ".join(a.value.replace("_", "-") for a in OrderAction)
ActionPath = Annotated[str, Path(description=f"One of {ORDER_ACTIONS} ('_' works as '-')")]


@router.post("", response_model=OrderView, status_code=status.HTTP_201_CREATED)
def create_order(body: OrderCreate, db: DbDep, principal: Writer, response: Response) -> OrderView:
    """A DRAFT order of the caller's organisation (the buyer). Every product's ``design`` is the
    full id of a design in the registry."""
    order = orders.create_order(
        db, principal, body.spec(), terms=body.terms, mode=body.mode, parties=body.parties
    )
    response.headers["Location"] = f"/v1/orders/{order.id}"
    set_etag(response, order.version)
    return order


@router.get("", response_model=Page[OrderView])
def list_orders(db: DbDep, principal: Reader, page: PageDep) -> Page[OrderView]:
    """Orders the caller's organisation is a party of, makes or inspects lots for; oldest first."""
    return orders.list_orders(db, principal, limit=page.limit, cursor=page.cursor)


@router.get("/{order_id}", response_model=OrderView)
def get_order(order_id: str, db: DbDep, principal: Reader, response: Response) -> OrderView:
    order = orders.get_order(db, principal, order_id)
    set_etag(response, order.version)
    return order


@router.post("/{order_id}/actions/{action}", response_model=OrderView)
def act_on_order(
    order_id: str,
    action: ActionPath,
    db: DbDep,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
    body: OrderActionIn | None = None,
) -> OrderView:
    """Take a life-cycle action (specify, revise, cancel {reason}, ...). A stale ``If-Match``
    answers 412, a stale body ``version`` 409."""
    body = body or OrderActionIn()
    expected = expected_version_from(if_match, body.version)
    with if_match_precondition(if_match):
        order = orders.act_on_order(
            db,
            principal,
            order_id,
            action_key(action),
            reason=body.reason,
            expected_version=expected,
            as_role=body.as_role,
        )
    set_etag(response, order.version)
    return order


@router.put("/{order_id}/terms", response_model=OrderView)
def update_terms(
    order_id: str,
    body: OrderTerms,
    db: DbDep,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> OrderView:
    """Replace the order's contract defaults (delivery terms, quality plan, milestones, fees)
    while it is a DRAFT; buyer or specifier. A stale ``If-Match`` answers 412."""
    expected = expected_version_from(if_match, None)
    with if_match_precondition(if_match):
        order = orders.update_order_terms(db, principal, order_id, body, expected_version=expected)
    set_etag(response, order.version)
    return order


@router.post("/{order_id}/licensor-permission", response_model=OrderView)
def record_licensor_permission(
    order_id: str, body: LicensorPermissionIn, db: DbDep, principal: Writer, response: Response
) -> OrderView:
    """Record the licensor's written permission for paid manufacture (a file uploaded to
    /v1/files), so that a design under a non-commercial licence may be awarded."""
    order = orders.record_licensor_permission(
        db, principal, order_id, body.evidence_sha256, note=body.note
    )
    set_etag(response, order.version)
    return order


@router.post("/{order_id}/plans", response_model=PlanSummary, status_code=status.HTTP_201_CREATED)
def plan_order(
    order_id: str,
    db: DbDep,
    principal: Writer,
    response: Response,
    body: PlanIn | None = None,
) -> PlanSummary:
    """Plan the order with the network planner (a SPECIFIED order starts sourcing); award the
    plan's lots with POST /v1/orders/{id}/award."""
    body = body or PlanIn()
    summary = orders.plan(
        db, principal, order_id, exclude_facility_ids=tuple(body.exclude_facility_ids)
    )
    response.headers["Location"] = f"/v1/plans/{summary.plan_id}"
    return summary


@router.post("/{order_id}/award", response_model=list[LotView])
def award(
    order_id: str,
    body: AwardIn,
    db: DbDep,
    principal: Writer,
    if_match: IfMatch = None,
) -> list[LotView]:
    """Invite one lot per lot of the plan; the order becomes ALLOCATED."""
    expected = expected_version_from(if_match, body.version)
    with if_match_precondition(if_match):
        return orders.award(db, principal, order_id, body.plan_id, expected_version=expected)


@router.get("/{order_id}/lots", response_model=list[LotView])
def list_lots(order_id: str, db: DbDep, principal: Reader) -> list[LotView]:
    """The order's lots the caller may see (a manufacturer: its own; an inspector: assigned)."""
    return orders.list_lots(db, principal, order_id)


@router.get("/{order_id}/report", response_model=OrderReport)
def get_order_report(order_id: str, db: DbDep, principal: Reader) -> OrderReport:
    """What the order made where and delivered when, its cost (integer minor units of
    ``currency``) and CO2e, and what it saved against the plan's baselines (centralised,
    nearest) and retail. A manufacturer or inspector sees its own lots only."""
    return order_report(db, principal, order_id)
