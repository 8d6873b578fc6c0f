"""Planning an order in the background (``orders.plan``), and the order's plans to compare.

:func:`start_plan_job` checks at once what the buyer can fix (the order is theirs and not yet
awarded, the CO2 price and facility limit are numbers the planner can use): a DRAFT order is
specified first (planning fixes its specification), then the job is recorded in the outbox
and runs :func:`plan_job_result` (handler in :mod:`fabnet.jobs.planning`), which calls
:func:`fabnet.services.orders.orders.plan` as the user who asked, reporting each step as the
job's progress. A second request while a plan job of the order is still queued or running
answers that job (a double click starts nothing new).

:func:`plan_job` reads the job back for its organisation (404 for others); :func:`order_plan`
and :func:`order_plans` read an order's stored plans with the options each was made with (the
CO2 price of a re-plan differs from the order's), for the demand-side parties of the order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import OrderAction, OrderState
from fabnet.errors import (
    ConflictError,
    FabnetError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from fabnet.outbox.queue import submit
from fabnet.services.orders import orders
from fabnet.services.platform.jobs import get_job
from fabnet.services.sourcing.planning import PlanOverrides, PlanRecord
from fabnet.storage import jobs as job_store
from fabnet.storage.db import Database
from fabnet.storage.plans import PlanRepository

PLAN_JOB = "orders.plan"
PLANNING_STATES = frozenset({OrderState.DRAFT, OrderState.SPECIFIED, OrderState.SOURCING})
"""An order is planned (again) until it is awarded."""

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PlanJob:
    id: str
    order_id: str
    status: str
    """queued, running, succeeded or failed."""
    progress: float | None
    message: str | None
    plan_id: str | None
    """The plan made (succeeded), which may be an infeasible plan with its diagnosis."""
    error: str | None
    co2_price_per_t: float | None
    """The CO2 price asked for this plan (None: the order's own)."""


@dataclass(frozen=True)
class OrderPlan:
    """A stored plan of an order with the options it was made with."""

    record: PlanRecord
    co2_price_per_t: float | None
    """The CO2 price the planner used (a re-plan's, else the order's; None: CO2 not priced)."""
    co2_price_overridden: bool
    max_facilities: int | None


def _text(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


def _pending_plan_job(db: Database, order_id: str) -> str | None:
    with db.read() as session:
        rows = session.scalars(
            select(job_store.JobRow)
            .where(
                job_store.JobRow.name == PLAN_JOB,
                job_store.JobRow.status.in_(
                    [job_store.JobStatus.QUEUED, job_store.JobStatus.RUNNING]
                ),
            )
            .order_by(job_store.JobRow.created_at)
        )
        for row in rows:
            if (row.payload or {}).get("order_id") == order_id:
                return row.id
    return None


def start_plan_job(
    db: Database,
    actor: Principal,
    order_id: str,
    *,
    co2_price_per_t: float | None = None,
    max_facilities: int | None = None,
) -> str:
    """Check the request and queue the planning of ``order_id``; returns the job id (see the
    module docstring). Refused: another organisation's order (NotFoundError), a party that is
    not the buyer or orchestrator (PermissionDeniedError), an order already awarded
    (ConflictError), an option the planner cannot use (InputError naming its field)."""
    actor.require(Scope.WRITE)
    PlanOverrides(co2_price_per_t=co2_price_per_t, max_facilities=max_facilities)  # checks
    order = orders.get_order(db, actor, order_id)
    roles = {p.role for p in order.parties if p.org_id == actor.org_id}
    if not roles & {Role.BUYER, Role.ORCHESTRATOR} and not actor.is_platform_admin:
        raise PermissionDeniedError("only the buyer or the orchestrator plans the order")
    if order.state not in PLANNING_STATES:
        raise ConflictError(
            f"order {order.name} is {order.state.value.lower()}; it was awarded, so it is not "
            "planned again",
            hint="re-plan a declined lot from the order page instead",
        )
    pending = _pending_plan_job(db, order_id)
    if pending is not None:
        return pending
    if order.state is OrderState.DRAFT:
        orders.act_on_order(db, actor, order_id, OrderAction.SPECIFY)
    payload = {
        "order_id": order_id,
        "org_id": actor.org_id,
        "user_id": actor.user_id,
        "org_kind": actor.org_kind.value,
        "co2_price_per_t": co2_price_per_t,
        "max_facilities": max_facilities,
    }
    return submit(PLAN_JOB, payload, db=db)


def plan_job_result(
    db: Database, payload: dict[str, Any], *, progress: Progress | None = None
) -> dict[str, Any]:
    """What the job records: ``{"ref": {"plan_id", "order_id"}, "plan_status", "lots"}``, or
    ``{"error": ...}`` in the user's words for a problem they can fix (a part nobody near the
    delivery points makes, an order awarded meanwhile)."""
    actor = Principal(
        user_id=str(payload["user_id"]),
        org_id=str(payload["org_id"]),
        org_kind=OrgKind(payload["org_kind"]),
        scopes=frozenset({Scope.WRITE}),
    )
    order_id = str(payload["order_id"])
    co2 = payload.get("co2_price_per_t")
    cap = payload.get("max_facilities")
    overrides = PlanOverrides(
        co2_price_per_t=None if co2 is None else float(co2),
        max_facilities=None if cap is None else int(cap),
    )
    try:
        summary = orders.plan(db, actor, order_id, overrides=overrides, progress=progress)
    except (InputError, ConflictError, NotFoundError, PermissionDeniedError) as error:
        return {"error": _text(error)}
    return {
        "ref": {"plan_id": summary.plan_id, "order_id": order_id},
        "plan_status": summary.status,
        "lots": len(summary.lots),
    }


def plan_job(db: Database, actor: Principal | None, job_id: str) -> PlanJob:
    """The plan job ``job_id`` for the organisation that started it (NotFoundError otherwise)."""
    try:
        job = get_job(db, actor, job_id, kind=PLAN_JOB)
    except NotFoundError:
        raise NotFoundError(f"no planning with id {job_id}") from None
    co2 = job.payload.get("co2_price_per_t")
    plan_id = job.ref.get("plan_id")
    return PlanJob(
        id=job.id,
        order_id=str(job.payload.get("order_id")),
        status=job.status,
        progress=job.progress,
        message=job.message,
        plan_id=str(plan_id) if plan_id else None,
        error=job.error,
        co2_price_per_t=None if co2 is None else float(co2),
    )


def _with_options(db: Database, record: PlanRecord) -> OrderPlan:
    with db.read() as session:
        row = PlanRepository(session).get(record.id)
        inputs: dict[str, Any] = dict(row.inputs) if row is not None else {}
    overrides = inputs.get("overrides") or {}
    options = record.spec.options
    co2 = overrides.get("co2_price_per_t")
    cap = overrides.get("max_facilities")
    return OrderPlan(
        record=record,
        co2_price_per_t=float(co2) if co2 is not None else options.co2_price_per_t,
        co2_price_overridden=co2 is not None,
        max_facilities=int(cap) if cap is not None else options.max_facilities,
    )


def order_plan(db: Database, actor: Principal | None, order_id: str, plan_id: str) -> OrderPlan:
    """Plan ``plan_id`` of order ``order_id``, for the order's demand-side parties; a plan of
    another order, or one the caller may not see, is not found."""
    record = orders.get_order_plan(db, actor, plan_id)
    if record.order_id != order_id:
        raise NotFoundError(f"order {order_id} has no plan with id {plan_id}")
    return _with_options(db, record)


def order_plans(db: Database, actor: Principal | None, order_id: str) -> list[OrderPlan]:
    """The order's plans, newest first, for its demand-side parties (others: not found)."""
    orders.get_order(db, actor, order_id)  # another organisation's order: NotFoundError
    with db.read() as session:
        ids = [r.id for r in PlanRepository(session).for_order(order_id)]
    found = [order_plan(db, actor, order_id, plan_id) for plan_id in ids]
    return sorted(found, key=lambda p: p.record.created_at, reverse=True)
