"""Quality: inspectors assigned to lots, inspection tasks with their ISO 2859-1 sampling plans,
results (defects by class, measurements, photos) and what happens to nonconforming units.

When the manufacturer submits a lot for inspection, an inspection task opens for the lot's
inspector organisation (the buyer's, when none is assigned) with one sampling plan per defect
class of the contract's quality plan, for the lot size. The inspector records what it found;
the domain evaluates the plans and the lot is accepted, rejected, or accepted in part (the
inspector names the accepted quantity and why). Nonconformance after a rejection is disposed of
by ``rework`` (the same manufacturer, a new inspection after it) or ``replacement`` (a rejected
lot is terminated and re-planned; for a partial acceptance the rejected units are re-planned when
the accepted part ships).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field
from sqlalchemy import select

from fabnet.domain.common import Frozen
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.aql import (
    DefectClass,
    InspectionResult,
    SamplingPlan,
    class_plans,
    evaluate_classes,
)
from fabnet.domain.orders.canonical import canonical_json
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from fabnet.services.orders._access import choose_role, load_lot, lot_roles, stale
from fabnet.services.orders._inspecting import check_evidence
from fabnet.services.orders._transitions import apply_lot_transition, check_lot_transition
from fabnet.services.orders._views import LotView, lot_view
from fabnet.services.orders.audit import record_event
from fabnet.services.orders.lots import act_on_lot, get_lot
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import OrganisationRow, aware, aware_or_none
from fabnet.storage.inspections import InspectionRow, NonconformanceRow
from fabnet.storage.orders import OrderRepository

#: Lots whose inspection result is in (or that are over): the inspector no longer changes.
DECIDED_STATES = frozenset(
    {LotState.LOT_ACCEPTED, LotState.PARTIALLY_ACCEPTED, LotState.SHIPPED, LotState.DELIVERED,
     LotState.PAID, LotState.CLOSED, LotState.DISPUTED, LotState.DECLINED, LotState.EXPIRED,
     LotState.TERMINATED, LotState.CANCELLED}
)  # fmt: skip


class InspectionView(Frozen):
    id: str
    lot_id: str
    inspector_org_id: str
    status: str = Field(description="open or done")
    lot_size: int
    plans: dict[DefectClass, SamplingPlan]
    sample_size: int = Field(description="Units to draw: the largest sample of the classes")
    result: dict[str, Any] | None
    verdict: str | None
    created_at: datetime
    completed_at: datetime | None


class Nonconformance(Frozen):
    id: str
    lot_id: str
    inspection_id: str | None
    disposition: str
    quantity: int
    description: str
    created_at: datetime


def _view(row: InspectionRow) -> InspectionView:
    plans = {DefectClass(k): SamplingPlan.model_validate(v) for k, v in row.plan.items()}
    return InspectionView(
        id=row.id,
        lot_id=row.lot_id,
        inspector_org_id=row.inspector_org_id,
        status=row.status,
        lot_size=row.lot_size,
        plans=plans,
        sample_size=max(p.sample_size for p in plans.values()),
        result=row.result,
        verdict=row.verdict,
        created_at=aware(row.created_at),
        completed_at=aware_or_none(row.completed_at),
    )


def assign_inspector(
    db: Database,
    actor: Principal,
    lot_id: str,
    inspector_org_id: str,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> LotView:
    """The buyer (or orchestrator) assigns an inspection body to the lot, at any state before
    the inspection result (also after ``submit_for_inspection``: the open task moves to the new
    inspector). Refused once the lot is accepted, shipped or over."""
    at = now or utc_now()
    with db.transaction() as session:
        order, parties, lot = load_lot(session, lot_id, actor, scope=Scope.WRITE)
        roles = lot_roles(actor, parties, lot)
        if not roles & {Role.BUYER, Role.ORCHESTRATOR} and not actor.is_platform_admin:
            raise PermissionDeniedError("only the buyer or the orchestrator assigns inspectors")
        org = session.get(OrganisationRow, inspector_org_id)
        if org is None or org.kind != OrgKind.INSPECTION_BODY.value:
            raise InputError(
                f"{inspector_org_id} is not an inspection body", field="inspector_org_id"
            )
        if expected_version is not None and lot.version != expected_version:
            raise stale("lot", lot.id, expected_version, lot.version)
        if LotState(lot.state) in DECIDED_STATES:
            raise ConflictError(
                f"lot {lot.id} is {lot.state}: its inspection result is in, so the inspector "
                "can no longer change",
                hint="inspectors are assigned at any state before the result",
            )
        if not OrderRepository(session).compare_and_set_lot(
            lot.id, lot.version, {"inspector_org_id": inspector_org_id}
        ):
            raise ConflictError(f"the lot {lot.id} changed meanwhile; retry")
        session.refresh(lot)
        # A task opened before the assignment (e.g. after submit_for_inspection) moves with it.
        reassigned = []
        for task in session.scalars(
            select(InspectionRow).where(InspectionRow.lot_id == lot.id,
                                        InspectionRow.status == "open")
        ):  # fmt: skip
            if task.inspector_org_id != inspector_org_id:
                task.inspector_org_id = inspector_org_id
                reassigned.append(task.id)
        session.flush()
        record_event(
            session, actor_id=actor.user_id, role=Role.BUYER if Role.BUYER in roles
            else Role.ORCHESTRATOR, object_type="lot", object_id=lot.id,
            event_type="lot.assign_inspector", occurred_at=at,
            payload={"order_id": order.id, "inspector_org_id": inspector_org_id,
                     "inspections_reassigned": reassigned},
        )  # fmt: skip
        return lot_view(lot)


class InspectionBody(Frozen):
    org_id: str
    name: str


class InspectorAssignment(Frozen):
    """Who inspects a lot, whether the actor may (re)assign it now, and the bodies to choose from
    (for the buyer's order page)."""

    lot_id: str
    inspector_org_id: str | None
    inspector_name: str | None
    may_assign: bool = Field(description="The actor is the lot's buyer or orchestrator")
    open: bool = Field(description="The lot's inspection result is not in yet")
    bodies: tuple[InspectionBody, ...] = Field(
        default=(), description="Every inspection body on the platform, by name (when the actor "
        "may assign)",
    )  # fmt: skip


def inspector_assignment(db: Database, actor: Principal, lot_id: str) -> InspectorAssignment:
    """The lot's inspection body and, for its buyer or orchestrator, the inspection bodies that
    :func:`assign_inspector` accepts (at any state before the result)."""
    with db.read() as session:
        _, parties, lot = load_lot(session, lot_id, actor)
        roles = lot_roles(actor, parties, lot)
        may = bool(roles & {Role.BUYER, Role.ORCHESTRATOR}) or actor.is_platform_admin
        current = (
            session.get(OrganisationRow, lot.inspector_org_id) if lot.inspector_org_id else None
        )
        bodies: tuple[InspectionBody, ...] = ()
        if may:
            rows = session.scalars(
                select(OrganisationRow)
                .where(OrganisationRow.kind == OrgKind.INSPECTION_BODY.value)
                .order_by(OrganisationRow.name, OrganisationRow.id)
            )
            bodies = tuple(InspectionBody(org_id=r.id, name=r.name) for r in rows)
        return InspectorAssignment(
            lot_id=lot.id,
            inspector_org_id=lot.inspector_org_id,
            inspector_name=current.name if current is not None else None,
            may_assign=may,
            open=LotState(lot.state) not in DECIDED_STATES,
            bodies=bodies,
        )


def lot_inspections(db: Database, actor: Principal | None, lot_id: str) -> list[InspectionView]:
    with db.read() as session:
        load_lot(session, lot_id, actor)
        rows = session.scalars(
            select(InspectionRow)
            .where(InspectionRow.lot_id == lot_id)
            .order_by(InspectionRow.created_at, InspectionRow.id)
        )
        return [_view(r) for r in rows]


def get_inspection(db: Database, actor: Principal | None, inspection_id: str) -> InspectionView:
    with db.read() as session:
        row = session.get(InspectionRow, inspection_id)
        if row is None:
            raise NotFoundError(f"no inspection with id {inspection_id}")
        try:
            load_lot(session, row.lot_id, actor)
        except NotFoundError:
            raise NotFoundError(f"no inspection with id {inspection_id}") from None
        return _view(row)


def record_inspection(
    db: Database,
    actor: Principal,
    inspection_id: str,
    defects_found: Mapping[DefectClass | str, int],
    *,
    evidence_sha256: Sequence[str],
    measurements: Mapping[str, str | int] | None = None,
    accepted_quantity: int | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> InspectionView:
    """Record what the sample showed and decide the lot: accepted when every defect class
    passes its plan; otherwise rejected, or accepted in part when ``accepted_quantity`` (with a
    ``reason``) is given. ``evidence_sha256``: the inspection record and photos (stored files).
    Measurements are strings or integers (decimals as strings: they are hashed canonically)."""
    at = now or utc_now()
    counts = {DefectClass(k): int(v) for k, v in defects_found.items()}
    with db.transaction() as session:
        row = session.get(InspectionRow, inspection_id)
        if row is None:
            raise NotFoundError(f"no inspection with id {inspection_id}")
        try:
            order, parties, lot = load_lot(session, row.lot_id, actor, scope=Scope.WRITE)
        except NotFoundError:  # the lot's id is not the business of those who may not see it
            raise NotFoundError(f"no inspection with id {inspection_id}") from None
        if row.status != "open":
            raise ConflictError(f"inspection {inspection_id} is already recorded")
        who = choose_role(
            actor, lot_roles(actor, parties, lot), LotState(lot.state), LotAction.ACCEPT_LOT, None
        )
        if actor.org_id != row.inspector_org_id:  # only the assigned inspector records it
            raise PermissionDeniedError(
                f"the inspection is assigned to organisation {row.inspector_org_id}; only its "
                "inspectors record the results"
            )
        evidence = check_evidence(session, evidence_sha256)
        result = evaluate_classes(
            {DefectClass(k): SamplingPlan.model_validate(v) for k, v in row.plan.items()}, counts
        )
        details: dict[str, Any] = {
            "defects_found": {c.value: n for c, n in counts.items()},
            "measurements": dict(measurements or {}),
            "evidence_sha256": list(evidence),
            "classes": {c.defect_class.value: c.verdict.value for c in result.classes},
        }
        canonical_json(details)  # refuses floats: measurements travel as decimal strings
        row.status, row.result, row.verdict, row.completed_at = (
            "done",
            details,
            result.verdict.value,
            at,
        )
        session.flush()
        record_event(
            session, actor_id=who.actor_id, role=who.role, object_type="inspection",
            object_id=row.id, event_type="inspection.record", occurred_at=at,
            payload={"order_id": order.id, "lot_id": lot.id, "verdict": result.verdict.value,
                     **details},
            evidence_sha256=evidence,
        )  # fmt: skip
        action = _decision(result, accepted_quantity)
        apply_lot_transition(
            session, db, order, parties, lot, action, who, reason=reason, evidence=evidence,
            accepted_quantity=accepted_quantity if action is LotAction.ACCEPT_PARTIALLY else None,
            now=at,
        )  # fmt: skip
        return _view(row)


def _decision(result: InspectionResult, accepted_quantity: int | None) -> LotAction:
    if result.verdict.value == "accept":
        if accepted_quantity is not None:
            raise InputError(
                "the lot passed inspection: it is accepted whole, not in part",
                field="accepted_quantity",
            )
        return LotAction.ACCEPT_LOT
    return LotAction.REJECT_LOT if accepted_quantity is None else LotAction.ACCEPT_PARTIALLY


def dispose_nonconformance(
    db: Database,
    actor: Principal,
    lot_id: str,
    disposition: str,
    *,
    description: str,
    now: datetime | None = None,
) -> LotView:
    """After a rejected or partially accepted lot, the buyer decides: ``rework`` (the lot goes
    back to the manufacturer; a rework round is used) or ``replacement`` (a rejected lot is
    terminated and re-planned elsewhere; for a partial acceptance the rejected units are
    re-planned when the accepted part ships).

    A rejected lot is replaced only once the manufacturer's dispute window after the rejection
    has passed (issue 15 item 10): before that the termination is refused (409, naming when the
    window closes) and nothing is recorded; rework is possible at once."""
    if disposition not in ("rework", "replacement"):
        raise InputError(f"unknown disposition {disposition!r}", field="disposition",
                         hint="use rework or replacement")  # fmt: skip
    if not description.strip():
        raise InputError("describe the nonconformance", field="description")
    at = now or utc_now()
    with db.transaction() as session:
        order, parties, lot = load_lot(session, lot_id, actor, scope=Scope.WRITE)
        state = LotState(lot.state)
        if state not in (LotState.LOT_REJECTED, LotState.PARTIALLY_ACCEPTED):
            raise ConflictError(f"lot {lot_id} is {state.value}: nothing to dispose of")
        held = lot_roles(actor, parties, lot)
        if not held & {Role.BUYER, Role.ORCHESTRATOR}:
            raise PermissionDeniedError("only the buyer or the orchestrator disposes of a "
                                        "nonconformance")  # fmt: skip
        follow = (LotAction.REWORK if disposition == "rework"
                  else LotAction.TERMINATE if state is LotState.LOT_REJECTED else None)  # fmt: skip
        if follow is not None:  # refused before anything is written
            who = choose_role(actor, held, state, follow, None)
            check_lot_transition(session, order, lot, follow, who, now=at, reason=description)
        last = session.scalar(
            select(InspectionRow.id)
            .where(InspectionRow.lot_id == lot_id, InspectionRow.status == "done")
            .order_by(InspectionRow.completed_at.desc())
        )
        rejected = lot.quantity - (lot.accepted_quantity or 0)
        session.add(
            NonconformanceRow(
                id=str(uuid.uuid4()), lot_id=lot_id, inspection_id=last, disposition=disposition,
                quantity=rejected, description=description.strip(), created_at=at,
            )
        )  # fmt: skip
    if disposition == "rework":
        return act_on_lot(db, actor, lot_id, LotAction.REWORK, reason=description, now=at)
    if state is LotState.LOT_REJECTED:
        return act_on_lot(db, actor, lot_id, LotAction.TERMINATE, reason=description, now=at)
    return get_lot(db, actor, lot_id)


def lot_nonconformances(db: Database, actor: Principal | None, lot_id: str) -> list[Nonconformance]:
    with db.read() as session:
        load_lot(session, lot_id, actor)
        rows = session.scalars(
            select(NonconformanceRow)
            .where(NonconformanceRow.lot_id == lot_id)
            .order_by(NonconformanceRow.created_at)
        )
        return [
            Nonconformance(
                id=r.id, lot_id=r.lot_id, inspection_id=r.inspection_id,
                disposition=r.disposition, quantity=r.quantity, description=r.description,
                created_at=aware(r.created_at),
            )
            for r in rows
        ]  # fmt: skip


def sampling_plans_for(
    lot_size: int, aqls: Mapping[DefectClass, Decimal], level: str = "II"
) -> dict[DefectClass, SamplingPlan]:
    """The plans an inspection of ``lot_size`` units would use (for previews)."""
    return class_plans(lot_size, aqls, level)
