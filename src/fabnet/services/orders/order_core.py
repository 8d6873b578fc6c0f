"""What the order use cases share: read models, access decisions, and applying a transition.

Access (decided here, per object, for every service):

- a platform admin sees everything;
- an organisation that is a demand-side party of an order (buyer, specifier, payer, recipient,
  orchestrator, licensor) sees the order and all its lots;
- a manufacturer sees the orders it has lots in, and only its own lots;
- an inspector organisation sees only the lots assigned to it (and their order's header).

Objects the caller may not see are reported as :class:`~fabnet.errors.NotFoundError`, exactly as
if they did not exist, so ids of other organisations' orders do not leak. A visible object that
the caller may not change raises :class:`~fabnet.errors.PermissionDeniedError`.

:func:`apply_lot_transition` and :func:`apply_order_transition` are the only places where a state
changes: they check the expected version, run the domain state machine with the facts the
database knows, compare-and-set the row (``UPDATE ... WHERE version = :v``), record the
transition and its audit event, move money (escrow releases and refunds) and emit webhooks, all
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.aql import Verdict
from fabnet.domain.orders.contracts import ContractMode, ContractTerms, QualityPlan
from fabnet.domain.orders.incoterms import DeliveryTerms
from fabnet.domain.orders.lifecycle import TransitionOutcome, apply_transition, transitions_from
from fabnet.domain.orders.milestones import MilestoneTrigger, PaymentMilestone
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import (
    TERMINAL_LOT_STATES,
    LotAction,
    LotState,
    OrderAction,
    OrderState,
    TransitionContext,
)
from fabnet.errors import NotFoundError, PermissionDeniedError, StaleVersionError
from fabnet.services.orders.audit import SYSTEM_ACTOR, record_event
from fabnet.services.platform.notifications import notify as notify_users
from fabnet.services.platform.webhooks import WebhookEvent, emit_event_webhooks
from fabnet.storage.base import utc_now
from fabnet.storage.contracts import ContractRow
from fabnet.storage.db import Database
from fabnet.storage.identity import aware, aware_or_none
from fabnet.storage.inspections import InspectionRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow, TransitionRow

DEMAND_ROLES = frozenset(
    {Role.BUYER, Role.SPECIFIER, Role.PAYER, Role.RECIPIENT, Role.ORCHESTRATOR, Role.LICENSOR}
)
#: When an actor holds several roles that may take an action, the first of these acts.
ROLE_PREFERENCE = (
    Role.MANUFACTURER,
    Role.INSPECTOR,
    Role.BUYER,
    Role.ORCHESTRATOR,
    Role.PAYER,
    Role.RECIPIENT,
    Role.SPECIFIER,
    Role.LICENSOR,
)
#: Lots whose quantity no longer counts: it has to be (or was) sourced elsewhere.
FAILED_LOT_STATES = frozenset(
    {LotState.DECLINED, LotState.EXPIRED, LotState.TERMINATED, LotState.CANCELLED}
)
#: Lots past the contract (counted by the order's ``start`` guard).
CONTRACTED_STATES = frozenset(
    s
    for s in LotState
    if s
    not in (FAILED_LOT_STATES | {LotState.INVITED, LotState.ACCEPTED, LotState.COUNTER_OFFERED})
)
DEFAULT_MILESTONES = (
    PaymentMilestone(trigger=MilestoneTrigger.CONTRACT, share_bp=3000),
    PaymentMilestone(trigger=MilestoneTrigger.ACCEPT_LOT, share_bp=5000),
    PaymentMilestone(trigger=MilestoneTrigger.CONFIRM_DELIVERY, share_bp=2000),
)


# --- read models ---------------------------------------------------------------------------------


class LicensorPermission(Frozen):
    """The licensor's written permission for paid manufacture (non-commercial licences)."""

    evidence_sha256: str = Field(description="SHA-256 of the stored permission document")
    note: str = ""


class OrderTerms(Frozen):
    """The contract defaults an order gives every lot's contract."""

    delivery: DeliveryTerms | None = Field(
        default=None, description="Incoterm rule and named place; required to specify the order"
    )
    quality: QualityPlan = Field(default_factory=QualityPlan)
    payment_milestones: tuple[PaymentMilestone, ...] = DEFAULT_MILESTONES
    platform_fee_bp: int = Field(default=250, ge=0, le=10_000)
    cancellation_compensation_bp: int = Field(default=1000, ge=0, le=10_000)
    dispute_window_days: int = Field(default=14, ge=0, le=365)
    invitation_hours: int = Field(default=72, ge=1, le=24 * 90)
    licensor_permission: LicensorPermission | None = None


class OrderParty(Frozen):
    org_id: str
    role: Role
    signer_user_id: str | None = Field(
        default=None, description="The user who signs contracts for this party"
    )


class OrderView(Frozen):
    id: str
    name: str
    mode: ContractMode
    state: OrderState
    version: int
    buyer_org_id: str
    created_by: str
    currency: str
    quantity: int = Field(description="Units demanded over all delivery points and products")
    spec: dict[str, Any] = Field(description="The order file, as stored")
    terms: OrderTerms
    parties: tuple[OrderParty, ...]
    plan_id: str | None
    created_at: datetime
    updated_at: datetime


class Destination(Frozen):
    kind: str = Field(description="'assembly_site' or 'delivery_point'")
    id: str
    quantity: int = Field(ge=0)


class CounterOffer(Frozen):
    unit_price_minor: int | None = Field(default=None, ge=0)
    due_date: date | None = None
    note: str = ""


class LotView(Frozen):
    id: str
    order_id: str
    state: LotState
    version: int
    facility_id: str
    manufacturer_org_id: str
    inspector_org_id: str | None
    kind: str
    design_id: str
    item_id: str
    quantity: int
    accepted_quantity: int | None
    unit_price_minor: int
    currency: str
    due_date: date
    destinations: tuple[Destination, ...]
    invitation_expires_at: datetime | None
    counter_offer: CounterOffer | None
    replaces_lot_id: str | None
    prototype_rejections: int
    rework_rounds: int
    plan_id: str | None
    created_at: datetime
    updated_at: datetime


class TransitionView(Frozen):
    object_type: str
    object_id: str
    action: str
    from_state: str
    to_state: str
    actor_id: str
    actor_org_id: str | None
    role: Role
    reason: str | None
    evidence_sha256: tuple[str, ...]
    occurred_at: datetime
    audit_seq: int


def order_terms(row: OrderRow) -> OrderTerms:
    return OrderTerms.model_validate(row.terms)


def order_view(row: OrderRow, parties: Iterable[OrderPartyRow]) -> OrderView:
    return OrderView(
        id=row.id,
        name=row.name,
        mode=ContractMode(row.mode),
        state=OrderState(row.state),
        version=row.version,
        buyer_org_id=row.buyer_org_id,
        created_by=row.created_by,
        currency=row.currency,
        quantity=row.quantity,
        spec=row.spec,
        terms=order_terms(row),
        parties=tuple(
            OrderParty(org_id=p.org_id, role=Role(p.role), signer_user_id=p.signer_user_id)
            for p in parties
        ),
        plan_id=row.plan_id,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def lot_view(row: LotRow) -> LotView:
    return LotView(
        id=row.id,
        order_id=row.order_id,
        state=LotState(row.state),
        version=row.version,
        facility_id=row.facility_id,
        manufacturer_org_id=row.manufacturer_org_id,
        inspector_org_id=row.inspector_org_id,
        kind=row.kind,
        design_id=row.design_id,
        item_id=row.item_id,
        quantity=row.quantity,
        accepted_quantity=row.accepted_quantity,
        unit_price_minor=row.unit_price_minor,
        currency=row.currency,
        due_date=row.due_date,
        destinations=tuple(Destination.model_validate(d) for d in row.destinations),
        invitation_expires_at=aware_or_none(row.invitation_expires_at),
        counter_offer=(
            CounterOffer.model_validate(
                {k: v for k, v in row.counter_offer.items() if k != "by_user_id"}
            )
            if row.counter_offer
            else None
        ),
        replaces_lot_id=row.replaces_lot_id,
        prototype_rejections=row.prototype_rejections,
        rework_rounds=row.rework_rounds,
        plan_id=row.plan_id,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def transition_view(row: TransitionRow) -> TransitionView:
    return TransitionView(
        object_type=row.object_type,
        object_id=row.object_id,
        action=row.action,
        from_state=row.from_state,
        to_state=row.to_state,
        actor_id=row.actor_id,
        actor_org_id=row.actor_org_id,
        role=Role(row.role),
        reason=row.reason,
        evidence_sha256=tuple(row.evidence_sha256),
        occurred_at=aware(row.occurred_at),
        audit_seq=row.audit_seq,
    )


# --- access --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who takes an action, in which role (``org_id`` None for fabnet itself)."""

    actor_id: str
    org_id: str | None
    role: Role


SYSTEM = Actor(SYSTEM_ACTOR, None, Role.SYSTEM)


def order_roles(parties: Iterable[OrderPartyRow], org_id: str) -> set[Role]:
    return {Role(p.role) for p in parties if p.org_id == org_id}


def lot_roles(principal: Principal, parties: Iterable[OrderPartyRow], lot: LotRow) -> set[Role]:
    """The roles ``principal``'s organisation holds for ``lot``."""
    roles = order_roles(parties, principal.org_id) & DEMAND_ROLES
    if lot.manufacturer_org_id == principal.org_id:
        roles.add(Role.MANUFACTURER)
    if lot.inspector_org_id == principal.org_id:
        roles.add(Role.INSPECTOR)
    return roles


def can_see_order(
    principal: Principal, parties: Sequence[OrderPartyRow], lots: Sequence[LotRow]
) -> bool:
    if principal.is_platform_admin or order_roles(parties, principal.org_id):
        return True
    return any(principal.org_id in (lot.manufacturer_org_id, lot.inspector_org_id) for lot in lots)


def can_see_lot(principal: Principal, parties: Sequence[OrderPartyRow], lot: LotRow) -> bool:
    return principal.is_platform_admin or bool(lot_roles(principal, parties, lot))


def load_order(
    session: Session, order_id: str, principal: Principal | None, *, scope: Scope = Scope.READ
) -> tuple[OrderRow, list[OrderPartyRow]]:
    """The order and its parties, if ``principal`` may see it (None: the local operator)."""
    if principal is not None:
        principal.require(scope)
    repo = OrderRepository(session)
    row = repo.order(order_id)
    if row is None:
        raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
    parties = repo.parties(order_id)
    if principal is not None and not can_see_order(principal, parties, repo.lots_of(order_id)):
        raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
    return row, parties


def load_lot(
    session: Session, lot_id: str, principal: Principal | None, *, scope: Scope = Scope.READ
) -> tuple[OrderRow, list[OrderPartyRow], LotRow]:
    if principal is not None:
        principal.require(scope)
    repo = OrderRepository(session)
    lot = repo.lot(lot_id)
    if lot is None:
        raise NotFoundError(f"no lot with id {lot_id}")
    order = repo.order(lot.order_id)
    assert order is not None  # foreign key
    parties = repo.parties(order.id)
    if principal is not None and not can_see_lot(principal, parties, lot):
        raise NotFoundError(f"no lot with id {lot_id}")
    return order, parties, lot


def _allowed_roles(state: OrderState | LotState, action: str) -> frozenset[Role]:
    for row in transitions_from(state):
        if row.action == action:
            return row.roles
    return frozenset()


def choose_role(
    principal: Principal,
    held: set[Role],
    state: OrderState | LotState,
    action: str,
    as_role: Role | None,
) -> Actor:
    """The role ``principal`` acts in: ``as_role`` when given (and held), else the first held
    role the table allows for ``action`` (else any held role, for the state machine to refuse)."""
    if as_role is not None:
        if as_role not in held:
            raise PermissionDeniedError(
                f"your organisation does not hold the {as_role.value} role here",
                hint="roles held: " + (", ".join(sorted(r.value for r in held)) or "none"),
            )
        return Actor(principal.user_id, principal.org_id, as_role)
    if not held:
        raise PermissionDeniedError("your organisation holds no role here")
    allowed = _allowed_roles(state, action)
    ranked = [r for r in ROLE_PREFERENCE if r in held]
    chosen = next((r for r in ranked if r in allowed), ranked[0] if ranked else next(iter(held)))
    return Actor(principal.user_id, principal.org_id, chosen)


# --- facts for the guards ------------------------------------------------------------------------


def delivered_quantity(lot: LotRow) -> int:
    """Units this lot sends to delivery points (after a partial acceptance: the accepted ones)."""
    to_points = sum(
        int(d["quantity"]) for d in lot.destinations if d.get("kind") == "delivery_point"
    )
    if lot.accepted_quantity is not None:
        return max(0, to_points - (lot.quantity - lot.accepted_quantity))
    return to_points


def allocated_quantity(lots: Iterable[LotRow]) -> int:
    """Units of the order that live lots deliver (failed lots' quantity is re-sourced)."""
    return sum(
        delivered_quantity(lot) for lot in lots if LotState(lot.state) not in FAILED_LOT_STATES
    )


def order_context(
    session: Session, order: OrderRow, *, reason: str | None = None
) -> TransitionContext:
    terms = order_terms(order)
    lots = OrderRepository(session).lots_of(order.id)
    states = [LotState(lot.state) for lot in lots]
    return TransitionContext(
        reason=reason,
        design_pinned=bool(order.spec.get("products")),
        acceptance_criteria_set=bool(terms.quality.aql),
        incoterm_set=terms.delivery is not None,
        order_quantity=order.quantity,
        allocated_quantity=allocated_quantity(lots),
        contracted_lots=sum(1 for s in states if s in CONTRACTED_STATES),
        open_lots=sum(1 for s in states if s not in TERMINAL_LOT_STATES),
        closed_quantity=sum(
            delivered_quantity(lot) for lot in lots if lot.state == LotState.CLOSED.value
        ),
    )


def lot_contract(session: Session, lot_id: str) -> tuple[ContractRow, ContractTerms] | None:
    """The contract that holds the lot's escrow (direct, or the orchestrator's)."""
    row = session.scalar(
        select(ContractRow)
        .where(ContractRow.lot_id == lot_id, ContractRow.kind != "subcontract")
        .order_by(ContractRow.created_at.desc())
    )
    if row is None:
        return None
    return row, ContractTerms.from_json(row.terms_json.encode("utf-8"), source=f"contract {row.id}")


def lot_contracts_signed(session: Session, lot_id: str) -> bool:
    rows = list(session.scalars(select(ContractRow).where(ContractRow.lot_id == lot_id)))
    return bool(rows) and all(r.status == "signed" for r in rows)


def latest_inspection(session: Session, lot_id: str) -> InspectionRow | None:
    return session.scalar(
        select(InspectionRow)
        .where(InspectionRow.lot_id == lot_id, InspectionRow.status == "done")
        .order_by(InspectionRow.completed_at.desc())
    )


def delivered_at(session: Session, lot_id: str) -> datetime | None:
    at = session.scalar(
        select(TransitionRow.occurred_at)
        .where(
            TransitionRow.object_id == lot_id,
            TransitionRow.action == LotAction.CONFIRM_DELIVERY.value,
        )
        .order_by(TransitionRow.id.desc())
    )
    return aware_or_none(at)


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
    from fabnet.services.orders.payments import escrow_balance  # the ledger imports the core

    terms = order_terms(order)
    expires = aware_or_none(lot.invitation_expires_at)
    inspection = latest_inspection(session, lot.id)
    delivered = delivered_at(session, lot.id)
    window = timedelta(days=terms.dispute_window_days)
    contract = lot_contract(session, lot.id)
    balance = escrow_balance(session, lot.id, lot.currency)
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
        disputed_from=LotState(lot.disputed_from) if lot.disputed_from else None,
    )


# --- applying transitions ------------------------------------------------------------------------


def stale(what: str, item_id: str, expected: int, current: int | None) -> StaleVersionError:
    now = f"; it is at version {current}" if current is not None else ""
    return StaleVersionError(
        f"the {what} {item_id} changed since version {expected}{now}",
        hint="fetch it again and retry",
    )


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
    from fabnet.services.orders.payments import move_money_for  # the ledger imports the core

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
