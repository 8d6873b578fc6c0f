"""Lots: invitations to manufacturers, their answers, every later lot action, and re-planning.

A lot is invited with an expiry. The manufacturer accepts (its contract is drafted at once),
declines with a reason, or counter-offers a price and/or date, which the buyer accepts or
rejects. A decline, a rejected counter-offer, an expired invitation (:func:`expire_invitations`),
a terminated lot (prototype rejected beyond the retry limit, rejected lot), a lot the buyer
cancels and the rejected part of a partially accepted lot are re-planned: the open quantity goes
to the planner (``replan_lot``) without every facility that failed this order, and the new lots
are invited, so the live lots' quantities keep adding up to the order. When no plan covers the
quantity, the order goes back to SOURCING with the planner's reason (as ``system``).

Facilities and organisations: a lot goes to the manufacturer organisation that lists the
facility in its ``facility_ids``. A facility that no organisation runs cannot be invited (nobody
could accept or sign): :func:`~fabnet.services.orders.orders.award` refuses such a plan naming the
facility, and re-planning excludes such facilities and tries again.

The first article (prototype) is the buyer's to approve or reject, or the lot's inspection body's
when the buyer delegates it (:func:`delegate_prototype_approval`, recorded in the audit log);
without the delegation the inspector is refused (403).

Evidence (prototype photos, inspection records, waybills) is given as SHA-256 digests of files
already in the file store; unknown digests are refused.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.audit import AuditEvent
from fabnet.domain.orders.currency import exponent, format_minor
from fabnet.domain.orders.lifecycle import transitions_from
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import LotAction, LotState, OrderAction, OrderState
from fabnet.domain.plan import Destination, LotKind, ProposedLot
from fabnet.errors import (
    ConflictError,
    FabnetError,
    InputError,
    PermissionDeniedError,
    TransitionError,
)
from fabnet.services.orders._access import (
    SYSTEM,
    Actor,
    choose_role,
    load_lot,
    load_order,
    lot_roles,
)
from fabnet.services.orders._contracting import preload_contracts
from fabnet.services.orders._inspecting import check_evidence
from fabnet.services.orders._reactions import react_to_lot
from fabnet.services.orders._transitions import REJECTIONS as REJECTION_ACTIONS
from fabnet.services.orders._transitions import (
    apply_lot_transition,
    apply_order_transition,
    delivered_at,
    rejection_window_closes,
)
from fabnet.services.orders._views import (
    FAILED_LOT_STATES,
    CounterOffer,
    LotView,
    TransitionView,
    lot_view,
    order_terms,
    transition_view,
)
from fabnet.services.orders.audit import object_history, record_event
from fabnet.services.platform.notifications import notify
from fabnet.services.platform.webhooks import WebhookEvent, emit_event_webhooks
from fabnet.services.sourcing import planning
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.events import AuditRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import OrganisationRow, aware
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow

#: Due date of a lot the plan gives no due time for: this many days after the order date.
DEFAULT_DUE_DAYS = 30
#: Re-planning gives up after this many plans that still name unlinked facilities.
MAX_REPLAN_ATTEMPTS = 5


# --- creating lots -------------------------------------------------------------------------------


def manufacturer_of(session: Session, facility_id: str) -> str | None:
    """The manufacturer organisation that runs ``facility_id`` (the oldest, if several do)."""
    rows = session.scalars(
        select(OrganisationRow)
        .where(OrganisationRow.kind == OrgKind.MANUFACTURER.value)
        .order_by(OrganisationRow.created_at, OrganisationRow.id)
    )
    return next((r.id for r in rows if facility_id in (r.facility_ids or [])), None)


def unit_price_minor(unit_price: float, setup_cost: float, quantity: int, currency: str) -> int:
    """The plan's unit price plus the setup cost spread over the lot, in minor units
    (rounded half up): contracts carry one integer unit price."""
    per_unit = Decimal(str(unit_price)) + Decimal(str(setup_cost)) / Decimal(quantity)
    return int((per_unit.scaleb(exponent(currency))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def order_date(order: OrderRow) -> date:
    text = order.spec.get("order_date")
    return date.fromisoformat(text) if text else order.created_at.date()


def due_date_for(order: OrderRow, due_days: float | None) -> date:
    days = DEFAULT_DUE_DAYS if due_days is None else max(1, math.ceil(due_days))
    return order_date(order) + timedelta(days=days)


def linked_facilities(session: Session) -> set[str]:
    """Every facility some manufacturer organisation runs (only these can be invited)."""
    rows = session.scalars(
        select(OrganisationRow).where(OrganisationRow.kind == OrgKind.MANUFACTURER.value)
    )
    return {fid for r in rows for fid in (r.facility_ids or [])}


def unlinked_facilities(session: Session, proposed: Iterable[ProposedLot]) -> list[str]:
    return sorted(
        {p.facility_id for p in proposed if manufacturer_of(session, p.facility_id) is None}
    )


def invite_lots(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    proposed: Sequence[ProposedLot],
    *,
    plan_id: str | None,
    actor: Actor,
    now: datetime,
    replaces_lot_id: str | None = None,
) -> list[LotRow]:
    """One INVITED lot per proposed lot, each with an invitation that expires."""
    expires = now + timedelta(hours=order_terms(order).invitation_hours)
    rows: list[LotRow] = []
    position = int(
        session.scalar(select(func.count()).select_from(LotRow).where(LotRow.order_id == order.id))
        or 0
    )
    for p in proposed:
        if p.quantity <= 0:
            continue
        maker = manufacturer_of(session, p.facility_id)
        if maker is None:
            raise InputError(
                f"no manufacturer organisation runs facility {p.facility_id}",
                source=f"plan {plan_id}",
                field="lots.facility_id",
                hint="link the facility to its organisation (facility_ids) or re-plan without it",
            )
        row = LotRow(
            id=str(uuid.uuid4()),
            order_id=order.id,
            plan_id=plan_id,
            facility_id=p.facility_id,
            manufacturer_org_id=maker,
            kind=p.kind,
            design_id=p.design_id,
            item_id=p.item_id,
            position=position,
            quantity=p.quantity,
            unit_price_minor=unit_price_minor(
                p.unit_price, p.setup_cost, p.quantity, order.currency
            ),
            currency=order.currency,
            due_date=due_date_for(order, p.due_days),
            destinations=[d.model_dump(mode="json") for d in p.destinations],
            state=LotState.INVITED.value,
            version=1,
            invitation_expires_at=expires,
            replaces_lot_id=replaces_lot_id,
            prototype_rejections=0,
            rework_rounds=0,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        position += 1
        event = record_event(
            session, actor_id=actor.actor_id, role=actor.role, object_type="lot",
            object_id=row.id, event_type="lot.invite", occurred_at=now,
            payload={"order_id": order.id, "facility_id": row.facility_id,
                     "manufacturer_org_id": maker, "quantity": row.quantity,
                     "unit_price_minor": row.unit_price_minor, "currency": row.currency,
                     "due_date": row.due_date.isoformat(), "replaces_lot_id": replaces_lot_id,
                     "expires_at": expires.isoformat()},
        )  # fmt: skip
        emit_event_webhooks(
            db,
            WebhookEvent(
                type="lot.invite",
                org_ids=tuple(sorted({maker, *(p.org_id for p in parties)})),
                data={"order_id": order.id, "lot_id": row.id, "audit_seq": event.seq},
                occurred_at=now,
            ),
            session=session,
        )
        notify(
            session, [maker], event_type="lot.invite", object_type="lot", object_id=row.id,
            order_id=order.id, now=now,
            message=f"invitation: {row.quantity} x {row.item_id} for order \u201c{order.name}"
                    f"\u201d at {format_minor(row.unit_price_minor, row.currency)} per unit, due "
                    f"{row.due_date.isoformat()}; answer by "
                    f"{expires.isoformat(timespec='minutes')}",
        )  # fmt: skip
        rows.append(row)
    return rows


# --- the generic lot action ----------------------------------------------------------------------


def _values_for(lot: LotRow, action: LotAction) -> dict[str, Any]:
    if action is LotAction.REJECT_PROTOTYPE:
        return {"prototype_rejections": lot.prototype_rejections + 1}
    if action in (LotAction.REWORK, LotAction.RESOLVE_WITH_REWORK):
        return {"rework_rounds": lot.rework_rounds + 1, "accepted_quantity": None}
    return {}


def act_on_lot(
    db: Database,
    actor: Principal,
    lot_id: str,
    action: LotAction | str,
    *,
    reason: str | None = None,
    evidence_sha256: Sequence[str] = (),
    expected_version: int | None = None,
    as_role: Role | None = None,
    counter_offer: CounterOffer | None = None,
    replace: bool = True,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> LotView:
    """Take ``action`` on a lot as ``actor`` (role: ``as_role``, else the first role the actor's
    organisation holds that may take it). Raises NotFoundError for lots the actor may not see,
    PermissionDeniedError for roles that may not act, TransitionError for refused transitions,
    ConflictError when ``expected_version`` is stale or a concurrent change won.

    Side effects: accepting drafts the contract(s); re-planning actions re-plan the open
    quantity (``replace=False`` on ``cancel`` keeps the quantity unsourced, e.g. before
    cancelling the order); ``submit_for_inspection`` opens the inspection task with its AQL
    sampling plan; ``confirm_delivery`` that empties the escrow records the payment; closing the
    last lot completes the order. ``counter_offer`` carries the price and/or date of a
    ``counter_offer`` action. ``payload``: details recorded with the transition's audit event
    (e.g. the shipment of ``ship``).
    """
    at = now or utc_now()
    act = _lot_action(action)
    if counter_offer is not None and act is not LotAction.COUNTER_OFFER:
        raise InputError("a counter-offer is only given with the counter_offer action",
                         field="counter_offer")  # fmt: skip
    with db.transaction() as session:
        order, parties, lot = load_lot(session, lot_id, actor, scope=Scope.WRITE)
        held = lot_roles(actor, parties, lot)
        who = choose_role(actor, held, LotState(lot.state), act, as_role)
        if act in PROTOTYPE_REVIEW and who.role is Role.INSPECTOR:
            who = _prototype_reviewer(session, actor, held, lot, who, as_role)
        evidence = check_evidence(session, evidence_sha256)
        values = _values_for(lot, act)
        counter_by = None
        if act is LotAction.COUNTER_OFFER:
            lot.counter_offer = _counter_offer(counter_offer, actor)
        if act is LotAction.ACCEPT_COUNTER_OFFER and lot.counter_offer:
            offer = CounterOffer.model_validate(
                {k: v for k, v in lot.counter_offer.items() if k != "by_user_id"}
            )
            counter_by = lot.counter_offer.get("by_user_id")
            if offer.unit_price_minor is not None:
                values["unit_price_minor"] = offer.unit_price_minor
            if offer.due_date is not None:
                values["due_date"] = offer.due_date
        outcome = apply_lot_transition(
            session, db, order, parties, lot, act, who, reason=reason, evidence=evidence,
            expected_version=expected_version, values=values, payload=payload, now=at,
        )  # fmt: skip
        replan = react_to_lot(
            session, db, order, parties, lot, act, who, reason=reason, signer=actor.user_id,
            counter_by=counter_by if isinstance(counter_by, str) else None, now=at,
        )  # fmt: skip
        replan = replan or (outcome.replan_required and (replace or act is not LotAction.CANCEL))
        view = lot_view(lot)
    if replan:
        replan_open_quantity(db, view.order_id, now=at)
        view = get_lot(db, actor, lot_id)
    return view


def _lot_action(action: LotAction | str) -> LotAction:
    try:
        return LotAction(action)
    except ValueError:
        names = ", ".join(a.value for a in LotAction)
        raise InputError(f"unknown lot action {action!r}", field="action",
                         hint=f"use one of {names}") from None  # fmt: skip


def _counter_offer(offer: CounterOffer | None, actor: Principal) -> dict[str, Any] | None:
    if offer is None:
        return None
    if offer.unit_price_minor is None and offer.due_date is None:
        raise InputError("a counter-offer needs a unit price or a due date", field="counter_offer")
    return {**offer.model_dump(mode="json"), "by_user_id": actor.user_id}


# --- named actions (thin wrappers, for readable callers) ----------------------------------------


def accept_lot(
    db: Database, actor: Principal, lot_id: str, *, expected_version: int | None = None
) -> LotView:
    return act_on_lot(db, actor, lot_id, LotAction.ACCEPT, expected_version=expected_version)


def decline_lot(
    db: Database,
    actor: Principal,
    lot_id: str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> LotView:
    return act_on_lot(
        db, actor, lot_id, LotAction.DECLINE, reason=reason, expected_version=expected_version
    )


def counter_offer_lot(
    db: Database,
    actor: Principal,
    lot_id: str,
    offer: CounterOffer,
    *,
    expected_version: int | None = None,
) -> LotView:
    return act_on_lot(db, actor, lot_id, LotAction.COUNTER_OFFER, counter_offer=offer,
                      expected_version=expected_version)  # fmt: skip


def submit_prototype(
    db: Database, actor: Principal, lot_id: str, evidence_sha256: Sequence[str]
) -> LotView:
    return act_on_lot(
        db, actor, lot_id, LotAction.SUBMIT_PROTOTYPE, evidence_sha256=evidence_sha256
    )


def review_prototype(
    db: Database,
    actor: Principal,
    lot_id: str,
    *,
    approve: bool,
    evidence_sha256: Sequence[str],
    reason: str | None = None,
) -> LotView:
    """Approve or reject a submitted prototype (the buyer or orchestrator, or the lot's inspector
    when the buyer delegated it: :func:`delegate_prototype_approval`). A rejection
    that uses the last attempt leaves the lot PROTOTYPE_REJECTED: the manufacturer may dispute
    it within the contract's dispute window, after which :func:`close_settled` terminates the
    lot and re-plans it (issue 15 item 10)."""
    action = LotAction.APPROVE_PROTOTYPE if approve else LotAction.REJECT_PROTOTYPE
    return act_on_lot(db, actor, lot_id, action, reason=reason, evidence_sha256=evidence_sha256)


class Shipment(Frozen):
    """How a lot ships: recorded with the ``ship`` transition's audit event (hash-chained)."""

    carrier: str = Field(min_length=1, max_length=100, description="e.g. DHL, a local courier")
    tracking_reference: str = Field(min_length=1, max_length=200)
    packages: int = Field(ge=1, le=100_000, description="Parcels or pallets handed over")


def ship_lot(
    db: Database,
    actor: Principal,
    lot_id: str,
    shipment: Shipment,
    evidence_sha256: Sequence[str],
    *,
    expected_version: int | None = None,
) -> LotView:
    """The manufacturer ships the accepted lot: carrier, tracking reference and packages are
    recorded with the transition; ``evidence_sha256``: the waybill or handover photo."""
    return act_on_lot(
        db, actor, lot_id, LotAction.SHIP, evidence_sha256=evidence_sha256,
        expected_version=expected_version, payload={"shipment": shipment.model_dump()},
    )  # fmt: skip


def lot_shipment(db: Database, actor: Principal | None, lot_id: str) -> Shipment | None:
    """The latest shipment recorded for the lot (None before it ships or without details)."""
    get_lot(db, actor, lot_id)  # another organisation's lot: NotFoundError
    found = None
    for event in object_history(db, [lot_id]):
        details = event.payload.get("shipment")
        if event.event_type == "lot.ship" and isinstance(details, dict):
            found = Shipment.model_validate(details)
    return found


# --- prototype approval delegated to the inspector -----------------------------------------------

#: The first-article decisions: the buyer's (or orchestrator's), or the inspector's by delegation.
PROTOTYPE_REVIEW = frozenset({LotAction.APPROVE_PROTOTYPE, LotAction.REJECT_PROTOTYPE})
#: The audit event that delegates the lot's first-article decision (or takes it back).
PROTOTYPE_DELEGATION = "lot.prototype_delegation"
#: Lot states before the first article is decided: its approval may be delegated or taken back.
DELEGABLE_STATES = frozenset(
    {LotState.INVITED, LotState.COUNTER_OFFERED, LotState.ACCEPTED, LotState.CONTRACTED,
     LotState.PROTOTYPE_SUBMITTED, LotState.PROTOTYPE_REJECTED}
)  # fmt: skip


class PrototypeApproval(Frozen):
    """Who decides on the lot's first article: the buyer, or the lot's inspection body when the
    buyer delegated it (a delegation names the body; assigning another one ends it)."""

    lot_id: str
    inspector_org_id: str | None = Field(description="The inspection body assigned to the lot")
    inspector_name: str | None = None
    delegated: bool = Field(description="True: the inspector approves or rejects the prototype")
    delegated_by: str | None = Field(default=None, description="The user who delegated it")
    delegated_at: datetime | None = None
    audit_seq: int | None = Field(default=None, description="The delegation's audit event")
    can_change: bool = Field(
        default=False, description="Whether the caller may delegate it or take it back now"
    )


def delegation_of(session: Session, lot: LotRow) -> AuditEvent | None:
    """The audit event of the delegation in force for the lot's assigned inspector, if any."""
    if lot.inspector_org_id is None:
        return None
    events = AuditRepository(session).events_for([lot.id], (PROTOTYPE_DELEGATION,))
    if not events or not events[-1].payload.get("delegated"):
        return None
    last = events[-1]
    return last if last.payload.get("inspector_org_id") == lot.inspector_org_id else None


def _prototype_reviewer(
    session: Session,
    actor: Principal,
    held: set[Role],
    lot: LotRow,
    chosen: Actor,
    as_role: Role | None,
) -> Actor:
    """The inspector decides on a first article only by the buyer's delegation; an organisation
    that is also the buyer (or orchestrator) then decides in that role."""
    if delegation_of(session, lot) is not None:
        return chosen
    demand = next((r for r in (Role.BUYER, Role.ORCHESTRATOR) if r in held), None)
    if demand is not None and as_role is None:
        return Actor(actor.user_id, actor.org_id, demand)
    raise PermissionDeniedError(
        f"the buyer has not delegated the approval of lot {lot.id[:8]}'s prototype to your "
        "inspection body",
        hint="the buyer approves or rejects it, or delegates that to you on the order page",
    )


def prototype_approval(db: Database, actor: Principal | None, lot_id: str) -> PrototypeApproval:
    """Who decides on the lot's first article, and whether ``actor`` may change that now."""
    with db.read() as session:
        order, parties, lot = load_lot(session, lot_id, actor)
        return _approval_view(session, order, parties, lot, actor)


def _approval_view(
    session: Session,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    lot: LotRow,
    actor: Principal | None,
) -> PrototypeApproval:
    event = delegation_of(session, lot)
    inspector = session.get(OrganisationRow, lot.inspector_org_id) if lot.inspector_org_id else None
    demand = actor is None or bool(lot_roles(actor, parties, lot) & {Role.BUYER, Role.ORCHESTRATOR})
    return PrototypeApproval(
        lot_id=lot.id,
        inspector_org_id=lot.inspector_org_id,
        inspector_name=inspector.name if inspector else None,
        delegated=event is not None,
        delegated_by=event.actor_id if event else None,
        delegated_at=event.occurred_at if event else None,
        audit_seq=event.seq if event else None,
        can_change=demand and _delegation_refused(order, lot) is None,
    )


def _delegation_refused(order: OrderRow, lot: LotRow) -> str | None:
    if not order_terms(order).quality.prototype_required:
        return "the contract requires no prototype"
    if lot.inspector_org_id is None:
        return "the lot has no inspection body yet: assign one first"
    if LotState(lot.state) not in DELEGABLE_STATES:
        return f"the lot's prototype is past review (the lot is {lot.state})"
    return None


def delegate_prototype_approval(
    db: Database,
    actor: Principal,
    lot_id: str,
    *,
    delegated: bool = True,
    now: datetime | None = None,
) -> PrototypeApproval:
    """The buyer (or orchestrator) delegates the approval of the lot's first article to the
    lot's inspection body (``delegated=False``: takes it back). Allowed until the prototype is
    approved; idempotent. Audited (``lot.prototype_delegation`` on the lot) and notified to the
    inspector, the manufacturer and the other parties."""
    at = now or utc_now()
    with db.transaction() as session:
        order, parties, lot = load_lot(session, lot_id, actor, scope=Scope.WRITE)
        roles = lot_roles(actor, parties, lot) & {Role.BUYER, Role.ORCHESTRATOR}
        if not roles:
            raise PermissionDeniedError(
                "only the buyer or the orchestrator delegates the approval of a prototype"
            )
        refused = _delegation_refused(order, lot)
        if refused is not None:
            raise ConflictError(f"the approval of lot {lot.id[:8]}'s prototype cannot be "
                                f"delegated: {refused}")  # fmt: skip
        if (delegation_of(session, lot) is not None) == delegated:
            return _approval_view(session, order, parties, lot, actor)
        role = next(r for r in (Role.BUYER, Role.ORCHESTRATOR) if r in roles)
        event = record_event(
            session, actor_id=actor.user_id, role=role, object_type="lot", object_id=lot.id,
            event_type=PROTOTYPE_DELEGATION, occurred_at=at,
            payload={"order_id": order.id, "inspector_org_id": lot.inspector_org_id,
                     "delegated": delegated},
        )  # fmt: skip
        view = _approval_view(session, order, parties, lot, actor)
        emit_event_webhooks(
            db,
            WebhookEvent(
                type=PROTOTYPE_DELEGATION,
                org_ids=tuple(sorted({p.org_id for p in parties}
                                     | {lot.manufacturer_org_id, str(lot.inspector_org_id)})),
                data={"order_id": order.id, "lot_id": lot.id, "delegated": delegated,
                      "inspector_org_id": lot.inspector_org_id, "audit_seq": event.seq},
                occurred_at=at,
            ),
            session=session,
        )  # fmt: skip
        facility = facility_names(session, [lot.facility_id])[lot.facility_id]
        what = (f"delegated the approval of the prototype of lot {lot.id[:8]} ({lot.quantity} "
                f"\u00d7 {lot.item_id} at {facility}) to {view.inspector_name}: the inspector "
                "approves or rejects it" if delegated else
                f"took back the approval of the prototype of lot {lot.id[:8]} ({lot.quantity} "
                f"\u00d7 {lot.item_id} at {facility}) from {view.inspector_name}")  # fmt: skip
        notify(
            session, {p.org_id for p in parties} | {lot.manufacturer_org_id, lot.inspector_org_id},
            event_type=PROTOTYPE_DELEGATION, object_type="lot", object_id=lot.id,
            order_id=order.id, except_org_id=actor.org_id, now=at,
            message=f"order \u201c{order.name}\u201d: the {role.value} {what}",
        )  # fmt: skip
        return view


# --- queries -------------------------------------------------------------------------------------


def preload_lot_views(db: Database, actor: Principal | None, order_id: str) -> None:
    """Inside ``db.read_snapshot()``: read what the per-lot questions of a page about the
    order will ask (each lot's transitions, contracts and their signatures, and the audit
    events of delegations and re-plans) in one query each, so the questions that follow are
    answered from the snapshot instead of a few queries per lot. Nothing outside a snapshot;
    another organisation's order is not found. Which lots each question may show is still
    decided by that question."""
    with db.read() as session:
        order, _parties = load_order(session, order_id, actor)
        lot_ids = [lot.id for lot in OrderRepository(session).lots_of(order.id)]
        OrderRepository(session).preload_transitions(lot_ids)
        preload_contracts(session, lot_ids)
        events = AuditRepository(session)
        events.preload_events(lot_ids, (PROTOTYPE_DELEGATION,))
        events.preload_events(lot_ids, (REPLANNED, REPLAN_FAILED))


def get_lot(db: Database, actor: Principal | None, lot_id: str) -> LotView:
    with db.read() as session:
        return lot_view(load_lot(session, lot_id, actor)[2])


class ActionChoice(Frozen):
    """An action the actor may take on a lot now, and what it must be given."""

    action: LotAction
    needs_reason: bool
    needs_evidence: bool
    available_after: datetime | None = Field(
        default=None,
        description="The action is refused until then (terminating a rejected lot waits for "
        "the manufacturer's dispute window after the rejection): show the time, not the form",
    )


def available_actions(
    db: Database, actor: Principal, lot_id: str, *, now: datetime | None = None
) -> tuple[ActionChoice, ...]:
    """The actions ``actor``'s organisation may take on the lot in its state, by the roles it
    holds for it (for pages: which forms to show, with a reason or evidence field where the
    action needs one). An action a dispute window still bars carries ``available_after``:
    terminating a rejected lot (the manufacturer's window after the rejection) and closing a
    paid lot (the window after the delivery); a dispute of a delivered lot is not offered once
    that window has closed. Other guards (the escrow...) are checked when it is taken, and a
    refusal says which one failed."""
    at = now or utc_now()
    with db.read() as session:
        order, parties, lot = load_lot(session, lot_id, actor)
        state = LotState(lot.state)
        roles = lot_roles(actor, parties, lot)
        if Role.INSPECTOR in roles and delegation_of(session, lot) is None:
            undelegated = roles - {Role.INSPECTOR}  # the first article is not the inspector's
        else:
            undelegated = roles
        closes = rejection_window_closes(session, order, lot)
        delivered = (
            delivered_at(session, lot.id)
            if state in (LotState.DELIVERED, LotState.PAID)
            else None
        )
        delivery_closes = (
            delivered + timedelta(days=order_terms(order).dispute_window_days)
            if delivered is not None
            else None
        )
    found: dict[LotAction, ActionChoice] = {}
    for row in transitions_from(state):
        act = LotAction(row.action)
        if act in found or not (undelegated if act in PROTOTYPE_REVIEW else roles) & row.roles:
            continue
        names = {guard.name for guard in row.guards}
        delivery_open = delivery_closes is not None and at < delivery_closes
        if "dispute_window_open" in names and not delivery_open:
            continue  # the delivery's dispute window has closed
        after = None
        if "rejection_window_passed" in names and closes is not None and at < closes:
            after = closes
        elif "dispute_window_closed" in names and delivery_open:
            after = delivery_closes
        found[act] = ActionChoice(action=act, needs_reason="reason" in names,
                                  needs_evidence="evidence" in names,
                                  available_after=after)  # fmt: skip
    listed = list(LotAction)
    return tuple(sorted(found.values(), key=lambda c: listed.index(c.action)))


#: How a dispute ended, by the action that took the lot out of DISPUTED.
DISPUTE_OUTCOMES: dict[str, str] = {
    LotAction.WITHDRAW_DISPUTE.value: "withdrawn",
    LotAction.RESOLVE_WITH_REWORK.value: "resolved with rework",
    LotAction.SETTLE.value: "settled: the escrow released to the manufacturer",
    LotAction.TERMINATE.value: "the lot was terminated",
    LotAction.CANCEL.value: "the lot was cancelled",
}


class Dispute(Frozen):
    """One dispute of a lot: who opened it, why, from which state, and how it ended."""

    opened_at: datetime
    opened_by: Role
    opened_by_org_id: str | None
    reason: str | None
    from_state: LotState
    evidence_files: int
    outcome: str | None = Field(default=None, description="None while the dispute is open")
    closed_at: datetime | None = None
    closed_by: Role | None = None
    closing_reason: str | None = None


class LotDisputes(Frozen):
    """A lot's disputes and the manufacturer's dispute window after its latest rejection."""

    lot_id: str
    rejection: str | None = Field(
        default=None, description="reject_lot or reject_prototype, while the lot stands rejected"
    )
    rejected_at: datetime | None = None
    window_closes_at: datetime | None = Field(
        default=None, description="When the manufacturer's dispute window after the rejection "
        "closes (the rejection's time plus the contract's dispute_window_days)",
    )  # fmt: skip
    window_open: bool = False
    delivery_window_closes_at: datetime | None = Field(
        default=None, description="For a delivered (or paid) lot: when the demand side's "
        "dispute window after the delivery closes",
    )  # fmt: skip
    can_dispute: bool = Field(
        description="The actor may open a dispute now (for a rejection: while the window is open)"
    )
    disputes: tuple[Dispute, ...] = ()


def lot_disputes(
    db: Database, actor: Principal, lot_id: str, *, now: datetime | None = None
) -> LotDisputes:
    """The lot's disputes (opened, and how each ended) and, while the lot stands rejected (at
    inspection or its prototype), when the manufacturer's dispute window closes."""
    at = now or utc_now()
    with db.read() as session:
        order, parties, lot = load_lot(session, lot_id, actor)
        transitions = [transition_view(t) for t in OrderRepository(session).transitions(lot_id)]
        rejected = lot.state in (LotState.LOT_REJECTED.value, LotState.PROTOTYPE_REJECTED.value)
        closes = rejection_window_closes(session, order, lot) if rejected else None
        delivered = (
            delivered_at(session, lot.id)
            if lot.state in (LotState.DELIVERED.value, LotState.PAID.value)
            else None
        )
        days = timedelta(days=order_terms(order).dispute_window_days)
        roles = lot_roles(actor, parties, lot)
        state, lot_key = LotState(lot.state), lot.id
    disputes: list[Dispute] = []
    for t in transitions:
        if t.action == LotAction.DISPUTE.value:
            disputes.append(Dispute(
                opened_at=t.occurred_at, opened_by=t.role, opened_by_org_id=t.actor_org_id,
                reason=t.reason, from_state=LotState(t.from_state),
                evidence_files=len(t.evidence_sha256),
            ))  # fmt: skip
        elif disputes and disputes[-1].outcome is None and t.from_state == LotState.DISPUTED:
            disputes[-1] = disputes[-1].model_copy(update={
                "outcome": DISPUTE_OUTCOMES.get(t.action, t.action.replace("_", " ")),
                "closed_at": t.occurred_at, "closed_by": t.role, "closing_reason": t.reason,
            })  # fmt: skip
    last_rejection = next((t for t in reversed(transitions) if t.action in REJECTION_ACTIONS),
                          None)  # fmt: skip
    window_open = closes is not None and at < closes
    delivery_closes = delivered + days if delivered is not None else None
    may = (delivery_closes is None or at < delivery_closes) and any(
        LotAction(row.action) is LotAction.DISPUTE and roles & row.roles
        for row in transitions_from(state)
    )
    return LotDisputes(
        lot_id=lot_key,
        rejection=last_rejection.action if rejected and last_rejection else None,
        rejected_at=last_rejection.occurred_at if rejected and last_rejection else None,
        window_closes_at=closes,
        window_open=window_open,
        delivery_window_closes_at=delivery_closes,
        can_dispute=may and (closes is None or window_open),
        disputes=tuple(disputes),
    )


def lot_history(db: Database, actor: Principal | None, lot_id: str) -> list[TransitionView]:
    with db.read() as session:
        load_lot(session, lot_id, actor)
        return [transition_view(t) for t in OrderRepository(session).transitions(lot_id)]


# --- expiry and re-planning ----------------------------------------------------------------------


def expire_invitations(db: Database, now: datetime | None = None) -> list[str]:
    """Expire every invitation (or unanswered counter-offer) whose time is up, as fabnet, and
    re-plan the orders concerned. Returns the expired lot ids. Run it on a timer."""
    at = now or utc_now()
    expired: list[str] = []
    orders: set[str] = set()
    with db.read() as session:
        due = [
            (lot.id, lot.order_id)
            for lot in OrderRepository(session).lots_in_states(
                [LotState.INVITED.value, LotState.COUNTER_OFFERED.value]
            )
            if lot.invitation_expires_at is not None and _aware(lot.invitation_expires_at) <= at
        ]
    for lot_id, order_id in due:
        with db.transaction() as session:
            order, parties, lot = load_lot(session, lot_id, None)
            if lot.state not in (LotState.INVITED.value, LotState.COUNTER_OFFERED.value):
                continue
            apply_lot_transition(session, db, order, parties, lot, LotAction.EXPIRE, SYSTEM,
                                 reason="the invitation expired unanswered", now=at)  # fmt: skip
        expired.append(lot_id)
        orders.add(order_id)
    for order_id in sorted(orders):
        replan_open_quantity(db, order_id, now=at)
    return expired


def terminate_spent_prototypes(db: Database, now: datetime | None = None) -> list[str]:
    """Terminate, as fabnet, every lot whose last prototype attempt was rejected once the
    manufacturer's dispute window after that rejection has passed without a dispute, and re-plan
    its quantity. Returns the terminated lot ids. (Until then the manufacturer may dispute the
    rejection; a lot rejected at inspection is not terminated here: the buyer chooses rework or
    replacement, and may terminate it once the window has passed.)"""
    at = now or utc_now()
    with db.read() as session:
        found = OrderRepository(session).lots_in_states([LotState.PROTOTYPE_REJECTED.value])
        spent = [(lot.id, lot.order_id) for lot in found]
    terminated: list[str] = []
    orders: set[str] = set()
    for lot_id, order_id in spent:
        try:
            with db.transaction() as session:
                order, parties, lot = load_lot(session, lot_id, None)
                attempts = order_terms(order).quality.max_prototype_attempts
                if lot.state != LotState.PROTOTYPE_REJECTED.value or (
                    lot.prototype_rejections < attempts
                ):
                    continue  # the manufacturer may submit again
                days = order_terms(order).dispute_window_days
                apply_lot_transition(
                    session, db, order, parties, lot, LotAction.TERMINATE, SYSTEM, now=at,
                    reason=f"prototype rejected {lot.prototype_rejections} times and not "
                           f"disputed within the {days}-day dispute window",
                )  # fmt: skip
        except TransitionError:
            continue  # the manufacturer's dispute window is still open
        terminated.append(lot_id)
        orders.add(order_id)
    for order_id in sorted(orders):
        replan_open_quantity(db, order_id, now=at)
    return terminated


def close_settled(db: Database, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Close every PAID lot whose dispute window has passed, then complete every order in
    progress whose lots are all settled, as fabnet. Returns (closed lot ids, completed order ids).
    First terminates (and re-plans) the lots whose last prototype was rejected and whose
    dispute window passed undisputed (:func:`terminate_spent_prototypes`).
    Run it on a timer; the life cycle's guards decide, so running it early changes nothing."""
    at = now or utc_now()
    terminate_spent_prototypes(db, now=at)
    with db.read() as session:
        repo = OrderRepository(session)
        paid = [(lot.id, lot.order_id) for lot in repo.lots_in_states([LotState.PAID.value])]
    closed: list[str] = []
    touched: set[str] = set()
    for lot_id, order_id in paid:
        try:
            with db.transaction() as session:
                order, parties, lot = load_lot(session, lot_id, None)
                apply_lot_transition(session, db, order, parties, lot, LotAction.CLOSE, SYSTEM,
                                     now=at)  # fmt: skip
        except TransitionError:
            continue  # the dispute window is still open
        closed.append(lot_id)
        touched.add(order_id)
    completed: list[str] = []
    for order_id in sorted(touched):
        try:
            with db.transaction() as session:
                repo = OrderRepository(session)
                found = repo.order(order_id)
                if found is None or found.state != OrderState.IN_PROGRESS.value:
                    continue
                apply_order_transition(session, db, found, repo.parties(order_id),
                                       OrderAction.COMPLETE, SYSTEM, now=at)  # fmt: skip
        except TransitionError:
            continue  # lots still open
        completed.append(order_id)
    return closed, completed


def _aware(value: datetime) -> datetime:
    return aware(value)


def _open_quantity(lot: LotRow) -> int:
    state = LotState(lot.state)
    if state in FAILED_LOT_STATES:
        return lot.quantity
    if lot.accepted_quantity is not None and state in (
        LotState.SHIPPED,
        LotState.DELIVERED,
        LotState.PAID,
        LotState.CLOSED,
    ):
        return lot.quantity - lot.accepted_quantity
    return 0


def _open_destinations(lot: LotRow, quantity: int) -> list[dict[str, Any]]:
    """The destinations still owed ``quantity`` units (accepted units served first in order)."""
    served = lot.quantity - quantity
    out: list[dict[str, Any]] = []
    for d in lot.destinations:
        take = min(served, int(d["quantity"]))
        served -= take
        if int(d["quantity"]) - take > 0:
            out.append({**d, "quantity": int(d["quantity"]) - take})
    return out


def failed_facilities(lots: Iterable[LotRow]) -> set[str]:
    return {
        lot.facility_id
        for lot in lots
        if LotState(lot.state) in FAILED_LOT_STATES or _open_quantity(lot) > 0
    }


def replan_open_quantity(
    db: Database, order_id: str, *, now: datetime | None = None
) -> list[LotView]:
    """Re-plan every lot of the order whose quantity is open and not yet replaced, without any
    facility that failed this order; invite the new lots. Idempotent. When the planner finds no
    plan, the order goes back to SOURCING (as ``system``) with the planner's message."""
    at = now or utc_now()
    with db.read() as session:
        repo = OrderRepository(session)
        lots = repo.lots_of(order_id)
        order = repo.order(order_id)
        assert order is not None
        replaced = {lot.replaces_lot_id for lot in lots if lot.replaces_lot_id}
        todo = [lot for lot in lots if _open_quantity(lot) > 0 and lot.id not in replaced]
        excluded = failed_facilities(lots)
        plan_id = order.plan_id
        # the rows expire when the read session ends: take what the re-plan needs now
        refs = [(lot.id, _lot_ref(lot)) for lot in todo]
        invitable = linked_facilities(session)
    created: list[LotView] = []
    if plan_id is None and refs:  # never planned: nothing to re-plan from; say so
        for lot_id, ref in refs:
            _tell_failed(db, order_id, lot_id,
                         f"Not re-planned: the order has no plan to re-plan from, so its "
                         f"{ref.quantity} units are open: plan the order again.",
                         now=at)  # fmt: skip
    if plan_id is None or not refs:
        return created
    for lot_id, ref in refs:
        skip: set[str] = set(excluded)
        try:
            for _ in range(MAX_REPLAN_ATTEMPTS):
                record = planning.replan_lot(db, plan_id, ref, exclude_facility_ids=skip,
                                             order_id=order_id,
                                             only_facility_ids=invitable)  # fmt: skip
                with db.read() as session:
                    missing = unlinked_facilities(session, record.lots)
                if not missing:
                    break
                skip.update(missing)
            else:
                raise InputError("every re-plan names facilities no organisation runs")
            _check_cover(ref.quantity, record.lots, lot_id)
        except FabnetError as error:
            why = f"lot {lot_id} could not be re-planned: {error}"
            _reallocate(db, order_id, why, now=at)
            with db.read() as session:
                tried = sorted(facility_names(session, skip | {ref.facility_id}).values())
            _tell_failed(db, order_id, lot_id,
                         f"No other facility can take it: {_said(error)} (already tried or "
                         f"failed for this order: {', '.join(tried)}; only facilities that a "
                         "manufacturer on the platform runs can be invited). The order is back "
                         f"in sourcing and its {ref.quantity} units are open: plan the order "
                         "again (link more facilities or widen the order's limits).",
                         now=at)  # fmt: skip
            continue
        with db.transaction() as session:
            repo = OrderRepository(session)
            order = repo.order(order_id)
            assert order is not None
            if any(lot.replaces_lot_id == lot_id for lot in repo.lots_of(order_id)):
                continue  # a concurrent re-plan got there first
            rows = invite_lots(session, db, order, repo.parties(order_id), record.lots,
                               plan_id=record.id, actor=SYSTEM, now=at,
                               replaces_lot_id=lot_id)  # fmt: skip
            created.extend(lot_view(r) for r in rows)
            names = facility_names(session, [r.facility_id for r in rows])
            where = ", ".join(f"{r.quantity} at {names[r.facility_id]} (lot {r.id[:8]})"
                              for r in rows)  # fmt: skip
            _tell_replan(
                session, order_id, lot_id, "order.replan",
                f"{_what_happened(session, lot_id)}; re-planned into {len(rows)} new lot(s): "
                f"{where}; {'invitations' if len(rows) > 1 else 'invitation'} sent.",
                new_lots=rows, now=at,
            )  # fmt: skip
    return created


def facility_names(session: Session, facility_ids: Iterable[str]) -> dict[str, str]:
    """Each facility's name (its id when it has none or is not in the catalogue)."""
    ids = sorted(set(facility_ids))
    found = FacilityRepository(session).names(ids)
    return {fid: found.get(fid) or fid for fid in ids}


#: How the action that left a lot's quantity open reads in a message to the buyer.
_HAPPENED = {
    LotAction.DECLINE.value: "declined by {facility}",
    LotAction.REJECT_COUNTER_OFFER.value: (
        "the counter-offer of {facility} was rejected by the {role}"
    ),
    LotAction.EXPIRE.value: "the invitation to {facility} expired unanswered",
    LotAction.TERMINATE.value: "terminated at {facility} by the {role}",
    LotAction.CANCEL.value: "cancelled at {facility} by the {role}",
    LotAction.SHIP.value: "{facility} shipped only the accepted part",
}


def _what_happened(session: Session, lot_id: str) -> str:
    """``lot 1234abcd (30 x clip) at Facility: declined by Facility: reason`` for a message."""
    repo = OrderRepository(session)
    lot = repo.lot(lot_id)
    assert lot is not None
    facility = facility_names(session, [lot.facility_id])[lot.facility_id]
    history = repo.transitions(lot_id)
    last = history[-1] if history else None
    head = f"Lot {lot_id[:8]} ({_open_quantity(lot)} \u00d7 {lot.item_id}) at {facility}"
    if last is None:
        return head
    pattern = _HAPPENED.get(last.action, "{action} by the {role}")
    what = pattern.format(facility=facility, role=last.role, action=last.action.replace("_", " "))
    return f"{head}: {what}" + (f" ({last.reason})" if last.reason else "")


def _tell_replan(
    session: Session,
    order_id: str,
    lot_id: str,
    event_type: str,
    message: str,
    *,
    new_lots: Sequence[LotRow] = (),
    now: datetime,
) -> None:
    """Tell the demand side what became of the lot's open quantity, and record it in the audit
    log on the lot (``lot.replan`` or ``lot.replan_failed``: what :func:`replan_outcome` reads)."""
    repo = OrderRepository(session)
    notify(session, [p.org_id for p in repo.parties(order_id)], event_type=event_type,
           object_type="lot", object_id=lot_id, order_id=order_id, message=message,
           now=now)  # fmt: skip
    record_event(
        session, actor_id=SYSTEM.actor_id, role=SYSTEM.role, object_type="lot",
        object_id=lot_id, event_type=REPLANNED if new_lots else REPLAN_FAILED, occurred_at=now,
        payload={"order_id": order_id, "message": message,
                 "new_lot_ids": [r.id for r in new_lots],
                 "facility_ids": [r.facility_id for r in new_lots]},
    )  # fmt: skip


#: Audit events on a lot whose open quantity was re-planned, or could not be.
REPLANNED = "lot.replan"
REPLAN_FAILED = "lot.replan_failed"


class ReplanOutcome(Frozen):
    """What became of a lot's open quantity (declined, rejected counter-offer, expired...)."""

    status: Literal["replanned", "failed"] = Field(
        description="replanned: new lots were invited; failed: no other facility could take it"
    )
    message: str = Field(description="What happened and why, as the buyer was told")
    new_lot_ids: tuple[str, ...] = ()
    facility_ids: tuple[str, ...] = Field(default=(), description="The new lots' facilities")
    occurred_at: datetime
    audit_seq: int


def replan_outcome(db: Database, actor: Principal | None, lot_id: str) -> ReplanOutcome | None:
    """The latest re-plan of the lot's open quantity (None when it was never re-planned)."""
    with db.read() as session:
        load_lot(session, lot_id, actor)  # another organisation's lot: NotFoundError
        events = AuditRepository(session).events_for([lot_id], (REPLANNED, REPLAN_FAILED))
    if not events:
        return None
    last = events[-1]
    return ReplanOutcome(
        status="replanned" if last.event_type == REPLANNED else "failed",
        message=str(last.payload.get("message", "")),
        new_lot_ids=tuple(last.payload.get("new_lot_ids", ())),
        facility_ids=tuple(last.payload.get("facility_ids", ())),
        occurred_at=last.occurred_at,
        audit_seq=last.seq,
    )


def _tell_failed(db: Database, order_id: str, lot_id: str, why: str, *, now: datetime) -> None:
    with db.transaction() as session:
        _tell_replan(session, order_id, lot_id, "order.replan_failed",
                     f"{_what_happened(session, lot_id)}. {why}", now=now)  # fmt: skip


def _said(error: FabnetError) -> str:
    return str(error.message).rstrip(".")


def _lot_ref(lot: LotRow) -> planning.LotRef:
    quantity = _open_quantity(lot)
    return planning.LotRef(
        kind=cast(LotKind, lot.kind),  # stored from a ProposedLot's kind
        design_id=lot.design_id,
        item_id=lot.item_id,
        quantity=quantity,
        destinations=tuple(
            Destination(kind=d["kind"], id=d["id"], quantity=d["quantity"])
            for d in _open_destinations(lot, quantity)
        ),
        facility_id=lot.facility_id,
    )


def _check_cover(quantity: int, proposed: Collection[ProposedLot], lot_id: str) -> None:
    total = sum(p.quantity for p in proposed)
    if total != quantity:
        raise InputError(
            f"the re-plan of lot {lot_id} covers {total} units, not the {quantity} open",
            source="planner",
        )


def _reallocate(db: Database, order_id: str, reason: str, *, now: datetime) -> None:
    with db.transaction() as session:
        repo = OrderRepository(session)
        order = repo.order(order_id)
        assert order is not None
        if order.state in (OrderState.ALLOCATED.value, OrderState.IN_PROGRESS.value):
            apply_order_transition(session, db, order, repo.parties(order_id),
                                   OrderAction.REALLOCATE, SYSTEM, reason=reason,
                                   now=now)  # fmt: skip
