"""The Order and Lot transition tables: the single source of truth for both life cycles.

Each row is (from, action, to, roles, guards). ``docs/order-lifecycle.md`` draws them; a test
checks that the document and these tables agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from fabnet.domain.orders.aql import Verdict
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import (
    Guard,
    LotAction,
    LotState,
    OrderAction,
    OrderState,
    Transition,
    TransitionContext,
)

# --- guards -----------------------------------------------------------------------------------


def _reason(ctx: TransitionContext) -> str | None:
    if ctx.reason is None or not ctx.reason.strip():
        return "a reason is required"
    return None


def _evidence(ctx: TransitionContext) -> str | None:
    return None if ctx.evidence_sha256 else "evidence is required (at least one SHA-256)"


def _flag(field: str, missing: str) -> Guard:
    def check(ctx: TransitionContext) -> str | None:
        return None if getattr(ctx, field) else missing

    return Guard(field, field.replace("_", " "), check)


REASON = Guard("reason", "a reason is required", _reason)
EVIDENCE = Guard("evidence", "evidence is required", _evidence)

DESIGN_PINNED = _flag("design_pinned", "the design version is not pinned")
ACCEPTANCE_CRITERIA = _flag("acceptance_criteria_set", "no acceptance criteria are set")
INCOTERM = _flag("incoterm_set", "no Incoterm rule and named place are set")
COUNTER_OFFER = _flag("counter_offer_present", "no counter-offer is attached")
INVITATION_EXPIRED = _flag("invitation_expired", "the invitation has not expired yet")
INVITATION_OPEN = Guard(
    "invitation_open",
    "the invitation has not expired",
    lambda ctx: (
        "the invitation has expired; it can no longer be accepted or countered"
        if ctx.invitation_expired
        else None
    ),
)
CONTRACT_SIGNED = _flag("contract_fully_signed", "the contract is not signed by every party")
ESCROW_FUNDED = _flag("escrow_funded", "the lot's escrow is not funded")
PROTOTYPE_REQUIRED = _flag("prototype_required", "the contract requires no prototype")
PAYMENT_COMPLETE = _flag("payment_complete", "the lot's escrow still holds money")
DISPUTE_WINDOW_OPEN = _flag("dispute_window_open", "the dispute window has closed")


def _no_prototype(ctx: TransitionContext) -> str | None:
    return "the contract requires an approved prototype first" if ctx.prototype_required else None


def _attempts_left(ctx: TransitionContext) -> str | None:
    if ctx.prototype_rejections >= ctx.max_prototype_attempts:
        return (
            f"all {ctx.max_prototype_attempts} prototype attempts are used; "
            "terminate the lot and re-plan"
        )
    return None


def _rework_left(ctx: TransitionContext) -> str | None:
    if ctx.rework_rounds >= ctx.max_rework_rounds:
        return f"all {ctx.max_rework_rounds} rework rounds are used; terminate and replace"
    return None


def _verdict(expected: Verdict) -> Guard:
    def check(ctx: TransitionContext) -> str | None:
        if ctx.inspection_verdict is None:
            return "no inspection result is recorded"
        if ctx.inspection_verdict is not expected:
            return f"the inspection result is {ctx.inspection_verdict.value}, not {expected.value}"
        return None

    return Guard(f"inspection_{expected.value}", f"inspection result is {expected.value}", check)


def _partial_quantity(ctx: TransitionContext) -> str | None:
    if ctx.lot_quantity is None or ctx.accepted_quantity is None:
        return "the lot quantity and the accepted quantity are required"
    if not 0 < ctx.accepted_quantity < ctx.lot_quantity:
        return (
            f"accepted quantity {ctx.accepted_quantity} must be between 1 and "
            f"{ctx.lot_quantity - 1} for a partial acceptance"
        )
    return None


def _window_closed(ctx: TransitionContext) -> str | None:
    return "the dispute window is still open" if ctx.dispute_window_open else None


def _rejection_window_passed(ctx: TransitionContext) -> str | None:
    if ctx.rejection_window_passed:
        return None
    until = ctx.rejection_window_closes_at
    when = "" if until is None else f" until {until:%Y-%m-%d %H:%M} UTC"
    return f"the manufacturer may dispute the rejection{when}; the lot can be terminated after that"


def _rejection_window_open(ctx: TransitionContext) -> str | None:
    if not ctx.rejection_window_passed:
        return None
    until = ctx.rejection_window_closes_at
    when = "" if until is None else f" on {until:%Y-%m-%d %H:%M} UTC"
    return f"the dispute window after the rejection closed{when}; the rejection stands"


def _allocation_complete(ctx: TransitionContext) -> str | None:
    if ctx.order_quantity is None:
        return "the order quantity is unknown"
    if ctx.allocated_quantity != ctx.order_quantity:
        return f"lots add up to {ctx.allocated_quantity}, the order needs {ctx.order_quantity}"
    return None


def _some_lot_contracted(ctx: TransitionContext) -> str | None:
    return None if ctx.contracted_lots > 0 else "no lot is contracted yet"


def _no_open_lots(ctx: TransitionContext) -> str | None:
    if ctx.open_lots:
        return f"{ctx.open_lots} lot(s) are still open; close or cancel them first"
    return None


def _all_delivered(ctx: TransitionContext) -> str | None:
    if ctx.order_quantity is None or ctx.closed_quantity < ctx.order_quantity:
        return f"closed lots hold {ctx.closed_quantity} of {ctx.order_quantity} units"
    return None


def _resumable(ctx: TransitionContext) -> str | None:
    if ctx.disputed_from is None:
        return "the state before the dispute is unknown"
    if ctx.disputed_from not in DISPUTABLE_LOT_STATES:
        return f"{ctx.disputed_from} is not a state a dispute can be raised from"
    return None


NO_PROTOTYPE = Guard("prototype_not_required", "the contract requires no prototype", _no_prototype)
ATTEMPTS_LEFT = Guard("prototype_attempts_left", "prototype attempts remain", _attempts_left)
REWORK_LEFT = Guard("rework_rounds_left", "rework rounds remain", _rework_left)
PARTIAL_QUANTITY = Guard(
    "partial_quantity", "0 < accepted quantity < lot quantity", _partial_quantity
)
WINDOW_CLOSED = Guard("dispute_window_closed", "the dispute window has closed", _window_closed)
#: A rejection (of the lot or its prototype) leaves the manufacturer the contract's dispute
#: window before the lot may be terminated (and its escrow refunded); issue 15 item 10.
REJECTION_WINDOW_PASSED = Guard(
    "rejection_window_passed",
    "the manufacturer's dispute window after the rejection has passed",
    _rejection_window_passed,
)
#: ... and a dispute of the rejection must come within that window (the same rule as a delivery's).
REJECTION_WINDOW_OPEN = Guard(
    "rejection_window_open",
    "the manufacturer's dispute window after the rejection is open",
    _rejection_window_open,
)
ALLOCATION_COMPLETE = Guard(
    "allocation_complete", "lot quantities add up to the order", _allocation_complete
)
SOME_LOT_CONTRACTED = Guard(
    "lot_contracted", "at least one lot is contracted", _some_lot_contracted
)
NO_OPEN_LOTS = Guard("no_open_lots", "every lot is in a terminal state", _no_open_lots)
ALL_DELIVERED = Guard("all_closed", "closed lots cover the order quantity", _all_delivered)
RESUMABLE = Guard("resumable", "the state before the dispute is known", _resumable)

# --- tables -----------------------------------------------------------------------------------

BUY, SPEC, PAY, RCP = Role.BUYER, Role.SPECIFIER, Role.PAYER, Role.RECIPIENT
ORC, MFR, INSP, SYS = Role.ORCHESTRATOR, Role.MANUFACTURER, Role.INSPECTOR, Role.SYSTEM


def _order(
    sources: Iterable[OrderState],
    action: OrderAction,
    target: OrderState,
    roles: Iterable[Role],
    *guards: Guard,
) -> list[Transition]:
    return [Transition("order", s, action.value, target, frozenset(roles), guards) for s in sources]


def _lot(
    sources: Iterable[LotState],
    action: LotAction,
    target: LotState | None,
    roles: Iterable[Role],
    *guards: Guard,
    replan: bool = False,
) -> list[Transition]:
    return [
        Transition("lot", s, action.value, target, frozenset(roles), guards, replan)
        for s in sources
    ]


OS = OrderState
ORDER_TRANSITIONS: tuple[Transition, ...] = tuple(
    _order([OS.DRAFT], OrderAction.SPECIFY, OS.SPECIFIED, [BUY, SPEC],
           DESIGN_PINNED, ACCEPTANCE_CRITERIA, INCOTERM)
    + _order([OS.SPECIFIED], OrderAction.REVISE, OS.DRAFT, [BUY, SPEC])
    + _order([OS.SPECIFIED], OrderAction.START_SOURCING, OS.SOURCING, [BUY, ORC])
    + _order([OS.SOURCING], OrderAction.ALLOCATE, OS.ALLOCATED, [BUY, ORC], ALLOCATION_COMPLETE)
    + _order([OS.ALLOCATED, OS.IN_PROGRESS], OrderAction.REALLOCATE, OS.SOURCING,
             [BUY, ORC, SYS], REASON)
    + _order([OS.ALLOCATED], OrderAction.START, OS.IN_PROGRESS, [BUY, ORC, SYS],
             SOME_LOT_CONTRACTED)
    + _order([OS.IN_PROGRESS], OrderAction.COMPLETE, OS.COMPLETED, [BUY, ORC, SYS],
             NO_OPEN_LOTS, ALL_DELIVERED)
    + _order([OS.DRAFT, OS.SPECIFIED, OS.SOURCING], OrderAction.CANCEL, OS.CANCELLED, [BUY, ORC],
             REASON)
    + _order([OS.ALLOCATED, OS.IN_PROGRESS], OrderAction.CANCEL, OS.CANCELLED, [BUY, ORC],
             REASON, NO_OPEN_LOTS)
)  # fmt: skip

LS = LotState
A = LotAction
#: States a dispute can be raised from, and withdrawn back to.
DISPUTABLE_LOT_STATES = frozenset(
    {LS.PROTOTYPE_REJECTED, LS.LOT_REJECTED, LS.PARTIALLY_ACCEPTED, LS.SHIPPED, LS.DELIVERED,
     LS.PAID}
)  # fmt: skip
_CANCELLABLE_BY_BUYER = [
    LS.INVITED, LS.COUNTER_OFFERED, LS.ACCEPTED, LS.CONTRACTED, LS.PROTOTYPE_SUBMITTED,
    LS.PROTOTYPE_APPROVED, LS.PROTOTYPE_REJECTED, LS.IN_PRODUCTION, LS.REWORK, LS.DISPUTED,
]  # fmt: skip
_DEMAND = [BUY, RCP, PAY, ORC]

LOT_TRANSITIONS: tuple[Transition, ...] = tuple(
    # invitation
    _lot([LS.INVITED], A.ACCEPT, LS.ACCEPTED, [MFR], INVITATION_OPEN)
    + _lot([LS.INVITED], A.DECLINE, LS.DECLINED, [MFR], REASON, replan=True)
    + _lot([LS.INVITED], A.COUNTER_OFFER, LS.COUNTER_OFFERED, [MFR], COUNTER_OFFER,
           INVITATION_OPEN)
    + _lot([LS.COUNTER_OFFERED], A.ACCEPT_COUNTER_OFFER, LS.ACCEPTED, [BUY, ORC],
           INVITATION_OPEN)
    + _lot([LS.COUNTER_OFFERED], A.REJECT_COUNTER_OFFER, LS.DECLINED, [BUY, ORC], REASON,
           replan=True)
    + _lot([LS.INVITED, LS.COUNTER_OFFERED], A.EXPIRE, LS.EXPIRED, [SYS], INVITATION_EXPIRED,
           replan=True)
    # contract
    + _lot([LS.ACCEPTED], A.CONTRACT, LS.CONTRACTED, [BUY, ORC, SYS],
           CONTRACT_SIGNED, ESCROW_FUNDED)
    # prototype
    + _lot([LS.CONTRACTED], A.SUBMIT_PROTOTYPE, LS.PROTOTYPE_SUBMITTED, [MFR],
           PROTOTYPE_REQUIRED, EVIDENCE)
    + _lot([LS.PROTOTYPE_REJECTED], A.SUBMIT_PROTOTYPE, LS.PROTOTYPE_SUBMITTED, [MFR],
           ATTEMPTS_LEFT, EVIDENCE)
    + _lot([LS.PROTOTYPE_SUBMITTED], A.APPROVE_PROTOTYPE, LS.PROTOTYPE_APPROVED, [INSP, BUY, ORC],
           EVIDENCE)
    + _lot([LS.PROTOTYPE_SUBMITTED], A.REJECT_PROTOTYPE, LS.PROTOTYPE_REJECTED, [INSP, BUY, ORC],
           REASON, EVIDENCE)
    + _lot([LS.PROTOTYPE_REJECTED, LS.LOT_REJECTED], A.TERMINATE, LS.TERMINATED,
           [BUY, ORC, SYS], REASON, REJECTION_WINDOW_PASSED, replan=True)
    + _lot([LS.DISPUTED], A.TERMINATE, LS.TERMINATED, [BUY, ORC], REASON, replan=True)
    # production and inspection
    + _lot([LS.CONTRACTED], A.START_PRODUCTION, LS.IN_PRODUCTION, [MFR], NO_PROTOTYPE)
    + _lot([LS.PROTOTYPE_APPROVED], A.START_PRODUCTION, LS.IN_PRODUCTION, [MFR])
    + _lot([LS.IN_PRODUCTION, LS.REWORK], A.SUBMIT_FOR_INSPECTION, LS.READY_FOR_INSPECTION, [MFR])
    + _lot([LS.READY_FOR_INSPECTION], A.ACCEPT_LOT, LS.LOT_ACCEPTED, [INSP, BUY, ORC],
           EVIDENCE, _verdict(Verdict.ACCEPT))
    + _lot([LS.READY_FOR_INSPECTION], A.REJECT_LOT, LS.LOT_REJECTED, [INSP, BUY, ORC],
           REASON, EVIDENCE, _verdict(Verdict.REJECT))
    + _lot([LS.READY_FOR_INSPECTION], A.ACCEPT_PARTIALLY, LS.PARTIALLY_ACCEPTED, [INSP, BUY, ORC],
           REASON, EVIDENCE, _verdict(Verdict.REJECT), PARTIAL_QUANTITY)
    + _lot([LS.LOT_REJECTED, LS.PARTIALLY_ACCEPTED], A.REWORK, LS.REWORK, [BUY, ORC], REWORK_LEFT)
    # delivery and payment
    + _lot([LS.LOT_ACCEPTED], A.SHIP, LS.SHIPPED, [MFR], EVIDENCE)
    + _lot([LS.PARTIALLY_ACCEPTED], A.SHIP, LS.SHIPPED, [MFR], EVIDENCE, replan=True)
    + _lot([LS.SHIPPED], A.CONFIRM_DELIVERY, LS.DELIVERED, [RCP, BUY, ORC])
    + _lot([LS.DELIVERED], A.RECORD_PAYMENT, LS.PAID, [PAY, ORC, SYS], PAYMENT_COMPLETE)
    + _lot([LS.PAID], A.CLOSE, LS.CLOSED, [BUY, ORC, SYS], WINDOW_CLOSED)
    # disputes
    + _lot([LS.PROTOTYPE_REJECTED, LS.LOT_REJECTED, LS.PARTIALLY_ACCEPTED], A.DISPUTE,
           LS.DISPUTED, [MFR, ORC], REASON, REJECTION_WINDOW_OPEN)
    + _lot([LS.SHIPPED], A.DISPUTE, LS.DISPUTED, _DEMAND, REASON)
    + _lot([LS.DELIVERED, LS.PAID], A.DISPUTE, LS.DISPUTED, _DEMAND, REASON, DISPUTE_WINDOW_OPEN)
    + _lot([LS.DISPUTED], A.WITHDRAW_DISPUTE, None, [BUY, RCP, PAY, ORC, MFR], RESUMABLE)
    + _lot([LS.DISPUTED], A.RESOLVE_WITH_REWORK, LS.REWORK, [BUY, ORC], REASON)
    + _lot([LS.DISPUTED], A.SETTLE, LS.PAID, [PAY, ORC, SYS], REASON)
    # cancellation
    + _lot(_CANCELLABLE_BY_BUYER, A.CANCEL, LS.CANCELLED, [BUY, ORC], REASON, replan=True)
)  # fmt: skip
# The manufacturer may withdraw an acceptance before the contract is signed.
LOT_TRANSITIONS = tuple(
    Transition(t.machine, t.source, t.action, t.target, t.roles | {MFR}, t.guards, t.replan)
    if t.source is LS.ACCEPTED and t.action == A.CANCEL
    else t
    for t in LOT_TRANSITIONS
)


def _index(rows: tuple[Transition, ...]) -> dict[tuple[str, str], Transition]:
    index: dict[tuple[str, str], Transition] = {}
    for row in rows:
        key = (row.source.value, row.action)
        if key in index:
            raise RuntimeError(f"two transitions for {key}")
        index[key] = row
    return index


ORDER_INDEX = _index(ORDER_TRANSITIONS)
LOT_INDEX = _index(LOT_TRANSITIONS)
