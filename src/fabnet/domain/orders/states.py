"""States, actions and the transition context of the Order and Lot life cycles.

The tables themselves are in :mod:`fabnet.domain.orders.transitions`; the functions that apply
them are in :mod:`fabnet.domain.orders.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator

from fabnet.domain.common import Frozen
from fabnet.domain.orders.aql import Verdict
from fabnet.domain.orders.canonical import is_sha256_hex
from fabnet.domain.orders.roles import Role


class OrderState(StrEnum):
    DRAFT = "DRAFT"
    SPECIFIED = "SPECIFIED"
    SOURCING = "SOURCING"
    ALLOCATED = "ALLOCATED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class LotState(StrEnum):
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    COUNTER_OFFERED = "COUNTER_OFFERED"
    EXPIRED = "EXPIRED"
    CONTRACTED = "CONTRACTED"
    PROTOTYPE_SUBMITTED = "PROTOTYPE_SUBMITTED"
    PROTOTYPE_APPROVED = "PROTOTYPE_APPROVED"
    PROTOTYPE_REJECTED = "PROTOTYPE_REJECTED"
    TERMINATED = "TERMINATED"
    IN_PRODUCTION = "IN_PRODUCTION"
    READY_FOR_INSPECTION = "READY_FOR_INSPECTION"
    LOT_ACCEPTED = "LOT_ACCEPTED"
    LOT_REJECTED = "LOT_REJECTED"
    PARTIALLY_ACCEPTED = "PARTIALLY_ACCEPTED"
    REWORK = "REWORK"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    PAID = "PAID"
    CLOSED = "CLOSED"
    DISPUTED = "DISPUTED"
    CANCELLED = "CANCELLED"


class OrderAction(StrEnum):
    SPECIFY = "specify"
    REVISE = "revise"
    START_SOURCING = "start_sourcing"
    ALLOCATE = "allocate"
    REALLOCATE = "reallocate"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


class LotAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    COUNTER_OFFER = "counter_offer"
    ACCEPT_COUNTER_OFFER = "accept_counter_offer"
    REJECT_COUNTER_OFFER = "reject_counter_offer"
    EXPIRE = "expire"
    CONTRACT = "contract"
    SUBMIT_PROTOTYPE = "submit_prototype"
    APPROVE_PROTOTYPE = "approve_prototype"
    REJECT_PROTOTYPE = "reject_prototype"
    TERMINATE = "terminate"
    START_PRODUCTION = "start_production"
    SUBMIT_FOR_INSPECTION = "submit_for_inspection"
    ACCEPT_LOT = "accept_lot"
    REJECT_LOT = "reject_lot"
    ACCEPT_PARTIALLY = "accept_partially"
    REWORK = "rework"
    SHIP = "ship"
    CONFIRM_DELIVERY = "confirm_delivery"
    RECORD_PAYMENT = "record_payment"
    CLOSE = "close"
    DISPUTE = "dispute"
    WITHDRAW_DISPUTE = "withdraw_dispute"
    RESOLVE_WITH_REWORK = "resolve_with_rework"
    SETTLE = "settle"
    CANCEL = "cancel"


TERMINAL_ORDER_STATES = frozenset({OrderState.COMPLETED, OrderState.CANCELLED})
TERMINAL_LOT_STATES = frozenset(
    {
        LotState.DECLINED,
        LotState.EXPIRED,
        LotState.TERMINATED,
        LotState.CLOSED,
        LotState.CANCELLED,
    }
)


class TransitionContext(Frozen):
    """What the guards look at. Services fill in the facts they know; every field has a safe
    default (the default never satisfies a guard that needs the fact).

    Fields used by both machines: ``reason`` (required to decline, reject, cancel, terminate,
    dispute, re-allocate) and ``evidence_sha256`` (required to submit a prototype, record an
    inspection, ship).
    """

    reason: str | None = Field(default=None, description="Why; required by some actions")
    evidence_sha256: tuple[str, ...] = Field(
        default=(), description="SHA-256 of photos, measurements, inspection records, waybills"
    )

    # Lot: invitation and contract
    counter_offer_present: bool = False
    invitation_expired: bool = False
    contract_fully_signed: bool = False
    escrow_funded: bool = False
    # Lot: prototype
    prototype_required: bool = True
    prototype_rejections: int = Field(default=0, ge=0, description="Rejections so far")
    max_prototype_attempts: int = Field(default=3, ge=1, description="Submissions allowed")
    # Lot: inspection and rework
    inspection_verdict: Verdict | None = None
    lot_quantity: int | None = Field(default=None, ge=1)
    accepted_quantity: int | None = Field(default=None, ge=0)
    rework_rounds: int = Field(default=0, ge=0, description="Rework rounds so far")
    max_rework_rounds: int = Field(default=2, ge=0)
    # Lot: money and disputes
    payment_complete: bool = Field(default=False, description="Nothing left in the lot's escrow")
    dispute_window_open: bool = False
    rejection_window_passed: bool = Field(
        default=False,
        description="The manufacturer's dispute window after the lot's (or its prototype's) "
        "rejection has passed: the buyer may terminate the lot",
    )
    rejection_window_closes_at: datetime | None = Field(
        default=None, description="When the manufacturer's dispute window after the rejection "
        "closes (the rejection's time plus the contract's dispute window)",
    )  # fmt: skip
    disputed_from: LotState | None = Field(
        default=None, description="The state the lot was in when the dispute was raised"
    )

    # Order
    design_pinned: bool = False
    acceptance_criteria_set: bool = False
    incoterm_set: bool = False
    order_quantity: int | None = Field(default=None, ge=1)
    allocated_quantity: int = Field(default=0, ge=0)
    contracted_lots: int = Field(default=0, ge=0)
    open_lots: int = Field(default=0, ge=0, description="Lots not in a terminal state")
    closed_quantity: int = Field(default=0, ge=0, description="Quantity in CLOSED lots")

    @field_validator("evidence_sha256")
    @classmethod
    def _hex_digests(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for digest in value:
            if not is_sha256_hex(digest):
                raise ValueError(f"{digest!r} is not a lower-case hex SHA-256 digest")
        return value


GuardCheck = Callable[[TransitionContext], str | None]


@dataclass(frozen=True, slots=True)
class Guard:
    """A named precondition. ``check`` returns None when satisfied, else what is missing."""

    name: str
    description: str
    check: GuardCheck


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of a life-cycle table.

    ``target`` None means "back to ``context.disputed_from``" (withdrawing a dispute).
    ``replan`` tells the order that this lot's quantity must be sourced again.
    """

    machine: str
    source: OrderState | LotState
    action: str
    target: OrderState | LotState | None
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()
    replan: bool = False

    @property
    def event_type(self) -> str:
        return f"{self.machine}.{self.action}"
