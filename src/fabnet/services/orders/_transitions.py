"""Applying a transition: the facts for the guards, the version check and compare-and-set, the
transition row and audit event, webhooks, notifications and the escrow movement, all in the
caller's transaction. :func:`apply_lot_transition` and :func:`apply_order_transition` are the only
places where a state changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.orders.aql import (
    Verdict,
)
from fabnet.domain.orders.lifecycle import TransitionOutcome, apply_transition
from fabnet.domain.orders.states import (
    TERMINAL_LOT_STATES,
    LotAction,
    LotState,
    OrderAction,
    OrderState,
    TransitionContext,
)
from fabnet.services.orders._access import (
    Actor,
    stale,
)
from fabnet.services.orders._contracting import lot_contract, lot_contracts_signed
from fabnet.services.orders._money import escrow_balance, move_money_for
from fabnet.services.orders._views import (
    CONTRACTED_STATES,
    allocated_quantity,
    kit_parts,
    order_terms,
    order_units,
)
from fabnet.services.orders.audit import record_event
from fabnet.services.platform.notifications import notify as notify_users
from fabnet.services.platform.webhooks import WebhookEvent, emit_event_webhooks
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import aware_or_none
from fabnet.storage.inspections import InspectionRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow, TransitionRow


def order_context(
    session: Session, order: OrderRow, *, reason: str | None = None
) -> TransitionContext:
    terms = order_terms(order)
    lots = OrderRepository(session).lots_of(order.id)
    kits = kit_parts(session, order, lots)
    states = [LotState(lot.state) for lot in lots]
    return TransitionContext(
        reason=reason,
        design_pinned=bool(order.spec.get("products")),
        acceptance_criteria_set=bool(terms.quality.aql),
        incoterm_set=terms.delivery is not None,
        order_quantity=order.quantity,
        allocated_quantity=allocated_quantity(lots, kits),
        contracted_lots=sum(1 for s in states if s in CONTRACTED_STATES),
        open_lots=sum(1 for s in states if s not in TERMINAL_LOT_STATES),
        closed_quantity=order_units(
            (lot for lot in lots if lot.state == LotState.CLOSED.value), kits
        ),
    )


def latest_inspection(session: Session, lot_id: str) -> InspectionRow | None:
    return session.scalar(
        select(InspectionRow)
        .where(InspectionRow.lot_id == lot_id, InspectionRow.status == "done")
        .order_by(InspectionRow.completed_at.desc())
    )


def _last_occurred(session: Session, lot_id: str, actions: Sequence[str]) -> datetime | None:
    # the lot's transitions (a handful), read once per page in a read snapshot
    for row in reversed(OrderRepository(session).transitions(lot_id)):
        if row.action in actions:
            return aware_or_none(row.occurred_at)
    return None


def delivered_at(session: Session, lot_id: str) -> datetime | None:
    return _last_occurred(session, lot_id, (LotAction.CONFIRM_DELIVERY.value,))


#: The actions whose time opens the manufacturer's dispute window after a rejection.
REJECTIONS = (LotAction.REJECT_LOT.value, LotAction.REJECT_PROTOTYPE.value)


def rejected_at(session: Session, lot_id: str) -> datetime | None:
    """When the lot (or its prototype) was last rejected, if ever."""
    return _last_occurred(session, lot_id, REJECTIONS)


def rejection_window_closes(session: Session, order: OrderRow, lot: LotRow) -> datetime | None:
    """When the manufacturer's dispute window after the lot's latest rejection closes: the
    rejection's time plus the contract's ``dispute_window_days`` (None: never rejected)."""
    rejected = rejected_at(session, lot.id)
    if rejected is None:
        return None
    return rejected + timedelta(days=order_terms(order).dispute_window_days)


def lot_context(
    session: Session,
    order: OrderRow,
    lot: LotRow,
    *,
    now: datetime,
    reason: str | None = None,
    evidence: Sequence[str] = (),
    accepted_quantity: int | None = None,
) -> TransitionContext:
    terms = order_terms(order)
    expires = aware_or_none(lot.invitation_expires_at)
    inspection = latest_inspection(session, lot.id)
    delivered = delivered_at(session, lot.id)
    window = timedelta(days=terms.dispute_window_days)
    contract = lot_contract(session, lot.id)
    balance = escrow_balance(session, lot.id, lot.currency)
    rejection_closes = (
        rejection_window_closes(session, order, lot)
        if lot.state in (LotState.LOT_REJECTED.value, LotState.PROTOTYPE_REJECTED.value)
        else None
    )
    return TransitionContext(
        reason=reason,
        evidence_sha256=tuple(evidence),
        counter_offer_present=lot.counter_offer is not None,
        invitation_expired=expires is not None and now >= expires,
        contract_fully_signed=lot_contracts_signed(session, lot.id),
        escrow_funded=contract is not None and balance >= contract[1].total_minor > 0,
        prototype_required=terms.quality.prototype_required,
        prototype_rejections=lot.prototype_rejections,
        max_prototype_attempts=terms.quality.max_prototype_attempts,
        inspection_verdict=Verdict(inspection.verdict)
        if inspection and inspection.verdict
        else None,
        lot_quantity=lot.quantity,
        accepted_quantity=accepted_quantity,
        rework_rounds=lot.rework_rounds,
        max_rework_rounds=terms.quality.max_rework_rounds,
        payment_complete=contract is not None and balance == 0,
        dispute_window_open=delivered is not None and now < delivered + window,
        rejection_window_passed=rejection_closes is not None and now >= rejection_closes,
        rejection_window_closes_at=rejection_closes,
        disputed_from=LotState(lot.disputed_from) if lot.disputed_from else None,
    )


def check_lot_transition(
    session: Session,
    order: OrderRow,
    lot: LotRow,
    action: LotAction,
    actor: Actor,
    *,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Judge ``action`` on ``lot`` as :func:`apply_lot_transition` would, writing nothing:
    raises the same PermissionDeniedError / TransitionError (for use cases that record something
    before they take the action)."""
    ctx = lot_context(session, order, lot, now=now, reason=reason)
    apply_transition(LotState(lot.state), action, actor.role, ctx)


# --- applying transitions ------------------------------------------------------------------------


def _record(
    session: Session,
    db: Database,
    *,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    object_type: str,
    object_id: str,
    outcome: TransitionOutcome,
    actor: Actor,
    payload: Mapping[str, Any],
    now: datetime,
    notify: Iterable[str | None] = (),
) -> None:
    event = record_event(
        session,
        actor_id=actor.actor_id,
        role=actor.role,
        object_type=object_type,
        object_id=object_id,
        event_type=outcome.event_type,
        payload={
            "order_id": order.id,
            "from": outcome.previous_state.value,
            "to": outcome.new_state.value,
            **payload,
        },
        reason=outcome.reason,
        evidence_sha256=outcome.evidence_sha256,
        occurred_at=now,
    )
    session.add(
        TransitionRow(
            order_id=order.id,
            object_type=object_type,
            object_id=object_id,
            action=outcome.action,
            from_state=outcome.previous_state.value,
            to_state=outcome.new_state.value,
            actor_id=actor.actor_id,
            actor_org_id=actor.org_id,
            role=actor.role.value,
            reason=outcome.reason,
            evidence_sha256=list(outcome.evidence_sha256),
            occurred_at=now,
            audit_seq=event.seq,
        )
    )
    session.flush()
    org_ids = {p.org_id for p in parties} | {o for o in notify if o}
    emit_event_webhooks(
        db,
        WebhookEvent(
            type=outcome.event_type,
            org_ids=tuple(sorted(org_ids)),
            data={
                "order_id": order.id,
                "object_type": object_type,
                "object_id": object_id,
                "from": outcome.previous_state.value,
                "to": outcome.new_state.value,
                "audit_seq": event.seq,
            },
            occurred_at=now,
        ),
        session=session,
    )
    said = f": {outcome.reason}" if outcome.reason else ""
    notify_users(
        session, org_ids, event_type=outcome.event_type, object_type=object_type,
        object_id=object_id, order_id=order.id, except_org_id=actor.org_id, now=now,
        message=f"{object_type} {object_id[:8]} of order \u201c{order.name}\u201d: "
                f"{outcome.action.replace('_', ' ')} by the {actor.role.value} "
                f"({outcome.previous_state.value} -> {outcome.new_state.value}){said}",
    )  # fmt: skip


def apply_order_transition(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    action: OrderAction,
    actor: Actor,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    values: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> TransitionOutcome:
    at = now or utc_now()
    if expected_version is not None and order.version != expected_version:
        raise stale("order", order.id, expected_version, order.version)
    outcome = apply_transition(
        OrderState(order.state), action, actor.role, order_context(session, order, reason=reason)
    )
    read_version = order.version
    changes = {**(values or {}), "state": outcome.new_state.value}
    if not OrderRepository(session).compare_and_set_order(order.id, read_version, changes):
        raise stale("order", order.id, read_version, None)
    session.refresh(order)
    _record(
        session, db, order=order, parties=parties, object_type="order", object_id=order.id,
        outcome=outcome, actor=actor, payload={"version": order.version}, now=at,
    )  # fmt: skip
    return outcome


def apply_lot_transition(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    lot: LotRow,
    action: LotAction,
    actor: Actor,
    *,
    reason: str | None = None,
    evidence: Sequence[str] = (),
    accepted_quantity: int | None = None,
    expected_version: int | None = None,
    values: Mapping[str, Any] | None = None,
    payload: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> TransitionOutcome:
    """Take ``action`` on ``lot`` (see the module docstring); escrow moves with it."""
    at = now or utc_now()
    if expected_version is not None and lot.version != expected_version:
        raise stale("lot", lot.id, expected_version, lot.version)
    ctx = lot_context(
        session, order, lot, now=at, reason=reason, evidence=evidence,
        accepted_quantity=accepted_quantity,
    )  # fmt: skip
    outcome = apply_transition(LotState(lot.state), action, actor.role, ctx)
    changes: dict[str, Any] = {**(values or {}), "state": outcome.new_state.value}
    if outcome.new_state is LotState.DISPUTED:
        changes["disputed_from"] = outcome.previous_state.value
    elif outcome.previous_state is LotState.DISPUTED:
        changes["disputed_from"] = None
    if accepted_quantity is not None:
        changes["accepted_quantity"] = accepted_quantity
    read_version = lot.version
    if not OrderRepository(session).compare_and_set_lot(lot.id, read_version, changes):
        raise stale("lot", lot.id, read_version, None)
    session.refresh(lot)
    _record(
        session, db, order=order, parties=parties, object_type="lot", object_id=lot.id,
        outcome=outcome, actor=actor,
        payload={"version": lot.version, "quantity": lot.quantity, **(payload or {})},
        now=at, notify=(lot.manufacturer_org_id, lot.inspector_org_id),
    )  # fmt: skip
    move_money_for(session, order, lot, outcome, actor=actor, now=at)
    return outcome
