"""Read models of orders, lots and transitions, and the facts read off their rows (the lowest
floor)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic import Field
from sqlalchemy import Row
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.orders.contracts import (
    ContractMode,
    QualityPlan,
)
from fabnet.domain.orders.incoterms import DeliveryTerms
from fabnet.domain.orders.milestones import MilestoneTrigger, PaymentMilestone
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import (
    LotState,
    OrderState,
)
from fabnet.domain.plan import Destination
from fabnet.engine.sourcing import kit_refusal
from fabnet.storage.designs import DesignRepository
from fabnet.storage.identity import aware, aware_or_none
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRow, TransitionRow

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
    return _order_view(row, parties, row.spec, order_terms(row))


def listed_order_view(row: Row[Any], parties: Iterable[Row[Any]]) -> OrderView:
    """:func:`order_view` of a row of ``OrderRepository.orders_visible_to`` (columns, the
    JSON documents as text: the terms are validated straight from their JSON)."""
    terms = OrderTerms.model_validate_json(row.terms_json)
    return _order_view(row, parties, json.loads(row.spec_json), terms)


def _order_view(
    row: OrderRow | Row[Any],
    parties: Iterable[OrderPartyRow | Row[Any]],
    spec: dict[str, Any],
    terms: OrderTerms,
) -> OrderView:
    """An order's view from its row (an ORM row or a row of columns of the same names)."""
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
        spec=spec,
        terms=terms,
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


def delivered_quantity(lot: LotRow) -> int:
    """Units this lot sends to delivery points (after a partial acceptance: the accepted ones)."""
    to_points = sum(
        int(d["quantity"]) for d in lot.destinations if d.get("kind") == "delivery_point"
    )
    if lot.accepted_quantity is not None:
        return max(0, to_points - (lot.quantity - lot.accepted_quantity))
    return to_points


KitParts = Mapping[str, Mapping[str, int]]
"""Design id -> units of each manufactured part in one kit, for the designs an order receives as
kits (the recipient assembles)."""


def kit_parts(
    session: Session, order: OrderRow, lots: Iterable[LotRow]
) -> dict[str, dict[str, int]]:
    """The kits among ``lots`` of an order that asks for kits: part lots that ship to delivery
    points, of a design with a manual final assembly, are parts of a product ordered as kits (any
    other part goes to an assembly site); each kit's bill of materials. An order without kits has
    none (a hand-made allocation of part lots counts its units as they are)."""
    if not any(p.get("kits") for p in order.spec.get("products", [])):
        return {}
    to_points = (
        lot
        for lot in lots
        if lot.kind == "part" and any(d.get("kind") == "delivery_point" for d in lot.destinations)
    )
    ids = sorted({lot.design_id for lot in to_points})
    out: dict[str, dict[str, int]] = {}
    for design in DesignRepository(session).get_many(ids):
        if kit_refusal(design) is not None:
            continue
        per_kit = design.part_quantities()
        out[design.id] = {p.id: per_kit.get(p.id, 1) for p in design.parts if not p.purchased}
    return out


def order_units(lots: Iterable[LotRow], kits: KitParts | None = None) -> int:
    """Units of the order ``lots`` deliver: products to the delivery points, and for a product
    ordered as kits the kits whose every part is delivered."""
    kits = kits or {}
    units = 0
    parts: dict[tuple[str, str], int] = {}
    for lot in lots:
        if lot.kind == "part" and lot.design_id in kits:
            key = (lot.design_id, lot.item_id)
            parts[key] = parts.get(key, 0) + delivered_quantity(lot)
        else:
            units += delivered_quantity(lot)
    for design_id, bom in kits.items():
        if any(d == design_id for d, _ in parts):
            units += min(parts.get((design_id, p), 0) // max(q, 1) for p, q in bom.items())
    return units


def allocated_quantity(lots: Iterable[LotRow], kits: KitParts | None = None) -> int:
    """Units of the order that live lots deliver (failed lots' quantity is re-sourced)."""
    return order_units((lot for lot in lots if LotState(lot.state) not in FAILED_LOT_STATES), kits)
