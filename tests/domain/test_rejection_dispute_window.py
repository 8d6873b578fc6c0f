"""Issue 15 item 10: a rejection (of the lot at inspection, or of its prototype) leaves the
manufacturer the contract's dispute window: the buyer's (or fabnet's) terminate is refused until
it has passed, naming when it closes; the manufacturer may dispute meanwhile, and rework is
possible at once. A disputed lot may still be terminated (the dispute is then the process)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fabnet.domain.orders.lifecycle import TransitionContext, allowed_actions, apply_transition
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import TransitionError

CLOSES = datetime(2027, 2, 1, 14, 3, tzinfo=UTC)
REJECTED = (LotState.LOT_REJECTED, LotState.PROTOTYPE_REJECTED)


@pytest.mark.parametrize("state", REJECTED)
@pytest.mark.parametrize("role", [Role.BUYER, Role.ORCHESTRATOR, Role.SYSTEM])
def test_terminate_waits_for_the_manufacturers_dispute_window(state: LotState, role: Role) -> None:
    open_ = TransitionContext(reason="replace it", rejection_window_closes_at=CLOSES)
    with pytest.raises(
        TransitionError, match="may dispute the rejection until 2027-02-01 14:03 UTC"
    ):
        apply_transition(state, LotAction.TERMINATE, role, open_)
    assert "terminate" not in allowed_actions(state, role, open_)
    passed = open_.model_copy(update={"rejection_window_passed": True})
    outcome = apply_transition(state, LotAction.TERMINATE, role, passed)
    assert outcome.new_state is LotState.TERMINATED and outcome.replan_required


@pytest.mark.parametrize("state", REJECTED)
def test_the_manufacturer_disputes_within_the_window(state: LotState) -> None:
    ctx = TransitionContext(reason="the sample was measured wrongly",
                            rejection_window_closes_at=CLOSES)  # fmt: skip
    outcome = apply_transition(state, LotAction.DISPUTE, Role.MANUFACTURER, ctx)
    assert outcome.new_state is LotState.DISPUTED


def test_rework_is_possible_at_once_and_a_disputed_lot_may_be_terminated() -> None:
    ctx = TransitionContext(reason="reprint", rejection_window_closes_at=CLOSES)
    rework = apply_transition(LotState.LOT_REJECTED, LotAction.REWORK, Role.BUYER, ctx)
    assert rework.new_state is LotState.REWORK
    ended = apply_transition(LotState.DISPUTED, LotAction.TERMINATE, Role.BUYER, ctx)
    assert ended.new_state is LotState.TERMINATED


def test_the_default_context_never_lets_a_rejected_lot_be_terminated() -> None:
    with pytest.raises(TransitionError, match="may dispute the rejection; the lot can be"):
        apply_transition(LotState.LOT_REJECTED, LotAction.TERMINATE, Role.BUYER,
                         TransitionContext(reason="replace it"))  # fmt: skip
