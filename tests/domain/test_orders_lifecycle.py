"""Table tests for the Order and Lot life cycles: every transition, every guard, every role."""

from __future__ import annotations

from typing import Any

import pytest

from fabnet.domain.orders.aql import Verdict
from fabnet.domain.orders.lifecycle import (
    LotAction,
    LotState,
    OrderAction,
    OrderState,
    Role,
    TransitionContext,
    action_options,
    allowed_actions,
    apply_transition,
)
from fabnet.domain.orders.states import Transition
from fabnet.domain.orders.transitions import LOT_TRANSITIONS, ORDER_TRANSITIONS
from fabnet.errors import PermissionDeniedError, TransitionError

EVIDENCE = ("e" * 64,)

#: Context fields that satisfy each guard, and fields that break it.
SATISFY: dict[str, dict[str, Any]] = {
    "reason": {"reason": "supplier went bankrupt"},
    "evidence": {"evidence_sha256": EVIDENCE},
    "design_pinned": {"design_pinned": True},
    "acceptance_criteria_set": {"acceptance_criteria_set": True},
    "incoterm_set": {"incoterm_set": True},
    "counter_offer_present": {"counter_offer_present": True},
    "invitation_expired": {"invitation_expired": True},
    "invitation_open": {"invitation_expired": False},
    "contract_fully_signed": {"contract_fully_signed": True},
    "escrow_funded": {"escrow_funded": True},
    "prototype_required": {"prototype_required": True},
    "prototype_not_required": {"prototype_required": False},
    "prototype_attempts_left": {"prototype_rejections": 1, "max_prototype_attempts": 3},
    "rework_rounds_left": {"rework_rounds": 1, "max_rework_rounds": 2},
    "inspection_accept": {"inspection_verdict": Verdict.ACCEPT},
    "inspection_reject": {"inspection_verdict": Verdict.REJECT},
    "partial_quantity": {"lot_quantity": 10, "accepted_quantity": 7},
    "payment_complete": {"payment_complete": True},
    "dispute_window_open": {"dispute_window_open": True},
    "dispute_window_closed": {"dispute_window_open": False},
    "rejection_window_passed": {"rejection_window_passed": True},
    "rejection_window_open": {"rejection_window_passed": False},
    "allocation_complete": {"order_quantity": 10, "allocated_quantity": 10},
    "lot_contracted": {"contracted_lots": 1},
    "no_open_lots": {"open_lots": 0},
    "all_closed": {"order_quantity": 10, "closed_quantity": 10},
    "resumable": {"disputed_from": LotState.DELIVERED},
}
BREAK: dict[str, dict[str, Any]] = {
    "invitation_open": {"invitation_expired": True},
    "reason": {"reason": "   "},
    "evidence": {"evidence_sha256": ()},
    "prototype_not_required": {"prototype_required": True},
    "prototype_attempts_left": {"prototype_rejections": 3, "max_prototype_attempts": 3},
    "rework_rounds_left": {"rework_rounds": 2, "max_rework_rounds": 2},
    "inspection_accept": {"inspection_verdict": Verdict.REJECT},
    "inspection_reject": {"inspection_verdict": None},
    "partial_quantity": {"lot_quantity": 10, "accepted_quantity": 10},
    "dispute_window_closed": {"dispute_window_open": True},
    "rejection_window_open": {"rejection_window_passed": True},
    "allocation_complete": {"order_quantity": 10, "allocated_quantity": 9},
    "lot_contracted": {"contracted_lots": 0},
    "no_open_lots": {"open_lots": 2},
    "all_closed": {"order_quantity": 10, "closed_quantity": 9},
    "resumable": {"disputed_from": LotState.IN_PRODUCTION},
}

ALL_ROWS = ORDER_TRANSITIONS + LOT_TRANSITIONS


def _id(row: Transition) -> str:
    return f"{row.machine}:{row.source.value}-{row.action}"


def satisfying_context(row: Transition, **extra: Any) -> TransitionContext:
    fields: dict[str, Any] = {}
    for guard in row.guards:
        fields.update(SATISFY[guard.name])
    fields.update(extra)
    return TransitionContext(**fields)


@pytest.mark.parametrize("row", ALL_ROWS, ids=_id)
def test_every_transition_succeeds_for_every_allowed_role(row: Transition) -> None:
    ctx = satisfying_context(row)
    for role in row.roles:
        outcome = apply_transition(row.source, row.action, role, ctx)
        expected = row.target if row.target is not None else ctx.disputed_from
        assert outcome.new_state is expected
        assert outcome.previous_state is row.source
        assert outcome.event_type == f"{row.machine}.{row.action}"
        assert outcome.actor_role is role
        assert outcome.replan_required is row.replan
        assert row.action in allowed_actions(row.source, role, ctx)


@pytest.mark.parametrize("row", ALL_ROWS, ids=_id)
def test_every_other_role_is_refused(row: Transition) -> None:
    ctx = satisfying_context(row)
    for role in set(Role) - row.roles:
        with pytest.raises(PermissionDeniedError) as caught:
            apply_transition(row.source, row.action, role, ctx)
        assert role.value in str(caught.value) and row.source.value in str(caught.value)
        assert row.action not in allowed_actions(row.source, role, ctx)


@pytest.mark.parametrize("row", [r for r in ALL_ROWS if r.guards], ids=_id)
def test_each_guard_alone_blocks_the_transition(row: Transition) -> None:
    role = sorted(row.roles)[0]
    for guard in row.guards:
        broken = BREAK.get(guard.name, {guard.name: False})
        ctx = satisfying_context(row, **broken)
        with pytest.raises(TransitionError) as caught:
            apply_transition(row.source, row.action, role, ctx)
        message = str(caught.value)
        assert row.source.value in message and row.action in message
        assert guard.check(ctx) is not None
        assert guard.check(ctx) in message  # type: ignore[operator]
        option = next(o for o in action_options(row.source, role, ctx) if o.action == row.action)
        assert not option.allowed and option.refusals


def _forbidden() -> list[tuple[OrderState | LotState, str]]:
    pairs: list[tuple[OrderState | LotState, str]] = []
    for state_type, action_type, rows in (
        (OrderState, OrderAction, ORDER_TRANSITIONS),
        (LotState, LotAction, LOT_TRANSITIONS),
    ):
        existing = {(r.source, r.action) for r in rows}
        for state in state_type:
            for action in action_type:
                if (state, action.value) not in existing:
                    pairs.append((state, action.value))
    return pairs


@pytest.mark.parametrize("state,action", _forbidden(), ids=lambda v: str(v))
def test_actions_missing_from_the_table_are_refused_for_every_role(
    state: OrderState | LotState, action: str
) -> None:
    permissive = TransitionContext(**{k: v for d in SATISFY.values() for k, v in d.items()})
    for role in Role:
        with pytest.raises(TransitionError, match=f"state {state.value} has no action"):
            apply_transition(state, action, role, permissive)


def test_terminal_states_have_no_way_out() -> None:
    for state in (LotState.CLOSED, LotState.CANCELLED, LotState.TERMINATED, LotState.DECLINED,
                  LotState.EXPIRED, OrderState.COMPLETED, OrderState.CANCELLED):  # fmt: skip
        for role in Role:
            assert allowed_actions(state, role) == ()
        with pytest.raises(TransitionError, match="none: the state is final"):
            apply_transition(state, "cancel", Role.BUYER, TransitionContext(reason="x"))


def test_happy_path_of_a_lot_with_a_prototype() -> None:
    steps: list[tuple[LotAction, Role, dict[str, Any], LotState]] = [
        (LotAction.ACCEPT, Role.MANUFACTURER, {}, LotState.ACCEPTED),
        (LotAction.CONTRACT, Role.SYSTEM,
         {"contract_fully_signed": True, "escrow_funded": True}, LotState.CONTRACTED),
        (LotAction.SUBMIT_PROTOTYPE, Role.MANUFACTURER, {"evidence_sha256": EVIDENCE},
         LotState.PROTOTYPE_SUBMITTED),
        (LotAction.REJECT_PROTOTYPE, Role.INSPECTOR,
         {"evidence_sha256": EVIDENCE, "reason": "hole 0.3 mm off"}, LotState.PROTOTYPE_REJECTED),
        (LotAction.SUBMIT_PROTOTYPE, Role.MANUFACTURER,
         {"evidence_sha256": EVIDENCE, "prototype_rejections": 1}, LotState.PROTOTYPE_SUBMITTED),
        (LotAction.APPROVE_PROTOTYPE, Role.INSPECTOR, {"evidence_sha256": EVIDENCE},
         LotState.PROTOTYPE_APPROVED),
        (LotAction.START_PRODUCTION, Role.MANUFACTURER, {}, LotState.IN_PRODUCTION),
        (LotAction.SUBMIT_FOR_INSPECTION, Role.MANUFACTURER, {}, LotState.READY_FOR_INSPECTION),
        (LotAction.ACCEPT_LOT, Role.INSPECTOR,
         {"evidence_sha256": EVIDENCE, "inspection_verdict": Verdict.ACCEPT},
         LotState.LOT_ACCEPTED),
        (LotAction.SHIP, Role.MANUFACTURER, {"evidence_sha256": EVIDENCE}, LotState.SHIPPED),
        (LotAction.CONFIRM_DELIVERY, Role.RECIPIENT, {}, LotState.DELIVERED),
        (LotAction.RECORD_PAYMENT, Role.SYSTEM, {"payment_complete": True}, LotState.PAID),
        (LotAction.CLOSE, Role.SYSTEM, {"dispute_window_open": False}, LotState.CLOSED),
    ]  # fmt: skip
    state: LotState | OrderState = LotState.INVITED
    for action, role, fields, expected in steps:
        outcome = apply_transition(state, action, role, TransitionContext(**fields))
        assert outcome.new_state is expected, action
        state = outcome.new_state
    assert outcome.terminal


def test_prototype_attempts_run_out_and_only_termination_remains() -> None:
    ctx = TransitionContext(prototype_rejections=3, max_prototype_attempts=3,
                            evidence_sha256=EVIDENCE, reason="still wrong",
                            rejection_window_passed=False)  # fmt: skip
    # within the window the manufacturer may still dispute; after it, nothing is left to it
    assert allowed_actions(LotState.PROTOTYPE_REJECTED, Role.MANUFACTURER, ctx) == ("dispute",)
    ctx = ctx.model_copy(update={"rejection_window_passed": True})
    assert allowed_actions(LotState.PROTOTYPE_REJECTED, Role.MANUFACTURER, ctx) == ()
    with pytest.raises(TransitionError, match="all 3 prototype attempts are used"):
        apply_transition(LotState.PROTOTYPE_REJECTED, LotAction.SUBMIT_PROTOTYPE,
                         Role.MANUFACTURER, ctx)  # fmt: skip
    outcome = apply_transition(LotState.PROTOTYPE_REJECTED, LotAction.TERMINATE, Role.BUYER, ctx)
    assert outcome.new_state is LotState.TERMINATED and outcome.replan_required


def test_withdrawn_dispute_resumes_where_it_was_raised() -> None:
    raised = apply_transition(
        LotState.DELIVERED,
        LotAction.DISPUTE,
        Role.RECIPIENT,
        TransitionContext(reason="scratched", dispute_window_open=True),
    )
    assert raised.new_state is LotState.DISPUTED
    back = apply_transition(
        LotState.DISPUTED,
        LotAction.WITHDRAW_DISPUTE,
        Role.RECIPIENT,
        TransitionContext(disputed_from=raised.previous_state),
    )
    assert back.new_state is LotState.DELIVERED  # fmt: skip


def test_manufacturer_sees_only_what_it_may_do() -> None:
    ctx = TransitionContext(prototype_required=True, evidence_sha256=EVIDENCE, reason="r")
    assert allowed_actions(LotState.CONTRACTED, Role.MANUFACTURER, ctx) == ("submit_prototype",)
    assert set(allowed_actions(LotState.CONTRACTED, Role.BUYER, ctx)) == {"cancel"}
    # withdrawing an acceptance before the contract is the manufacturer's right
    assert "cancel" in allowed_actions(LotState.ACCEPTED, Role.MANUFACTURER, ctx)


def test_order_happy_path_and_cancel_needs_closed_lots() -> None:
    ctx = TransitionContext(design_pinned=True, acceptance_criteria_set=True, incoterm_set=True,
                            order_quantity=100, allocated_quantity=100, contracted_lots=1,
                            closed_quantity=100)  # fmt: skip
    state: OrderState | LotState = OrderState.DRAFT
    for action in ("specify", "start_sourcing", "allocate", "start", "complete"):
        state = apply_transition(state, action, Role.BUYER, ctx).new_state
    assert state is OrderState.COMPLETED
    with pytest.raises(TransitionError, match="2 lot"):
        apply_transition(OrderState.IN_PROGRESS, OrderAction.CANCEL, Role.BUYER,
                         TransitionContext(reason="budget cut", open_lots=2))  # fmt: skip


def test_evidence_must_be_sha256_digests() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        TransitionContext(evidence_sha256=("photo.jpg",))
