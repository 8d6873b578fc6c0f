"""Issue 15 item 10, second half: a rejection leaves the manufacturer its dispute window. After a
lot is rejected at inspection (or its prototype is), the buyer may not terminate it — which
refunds the escrow — until the contract's dispute window counted from the rejection has passed:
the refusal names when it closes and nothing is recorded. Rework is possible at once, the
manufacturer may dispute meanwhile, and the last rejected prototype is terminated by fabnet's
housekeeping only when the window passed without a dispute."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import PermissionDeniedError, TransitionError
from fabnet.services.orders import escrow, inspections, lots
from fabnet.services.orders.audit import verify_audit_chain

from .conftest import World
from .test_inspector_assignment import _contracted

WINDOW = timedelta(days=14)  # the default terms' dispute_window_days
REJECT: dict[DefectClass | str, int] = {DefectClass.MAJOR: 3, DefectClass.MINOR: 0}


def _rejected_at(world: World, lot_id: str, action: str) -> datetime:
    [t] = [t for t in lots.lot_history(world.db, world.buyer, lot_id) if t.action == action][-1:]
    return t.occurred_at


def _held(world: World, lot_id: str) -> int:
    order_id = lots.get_lot(world.db, world.buyer, lot_id).order_id
    summary = escrow.escrow_summary(world.db, world.buyer, order_id)
    return next(e.held_minor for e in summary.lots if e.lot_id == lot_id)


def _rejected_by_the_inspector(world: World) -> str:
    db = world.db
    lot_id = _contracted(world)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(db, world.inspector, lot_id, approve=True,
                          evidence_sha256=[world.evidence[1]])  # fmt: skip
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)
    inspections.record_inspection(db, world.inspector, task.id, REJECT,
                                  evidence_sha256=[world.evidence[2]],
                                  reason="cracked clips")  # fmt: skip
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    return lot_id


def test_a_replacement_waits_for_the_manufacturers_dispute_window(world: World) -> None:
    db = world.db
    lot_id = _rejected_by_the_inspector(world)
    held = _held(world, lot_id)
    assert held > 0
    closes = _rejected_at(world, lot_id, "reject_lot") + WINDOW
    when = f"{closes:%Y-%m-%d %H:%M} UTC"
    with pytest.raises(TransitionError, match=f"may dispute the rejection until {when}"):
        inspections.dispose_nonconformance(db, world.buyer, lot_id, "replacement",
                                           description="replace the lot")  # fmt: skip
    # refused before anything was written: no nonconformance, the lot and its escrow unchanged
    assert inspections.lot_nonconformances(db, world.buyer, lot_id) == []
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    assert _held(world, lot_id) == held
    with pytest.raises(TransitionError, match=f"until {when}"):  # nor by the lot action itself
        lots.act_on_lot(db, world.buyer, lot_id, LotAction.TERMINATE, reason="replace it",
                        now=closes - timedelta(minutes=1))  # fmt: skip
    # only the demand side disposes: the manufacturer is refused, nothing recorded either
    with pytest.raises(PermissionDeniedError):
        inspections.dispose_nonconformance(db, world.makers[0], lot_id, "replacement",
                                           description="we give up")  # fmt: skip
    assert inspections.lot_nonconformances(db, world.buyer, lot_id) == []

    # once the window has passed without a dispute the buyer replaces the lot: refunded, re-planned
    done = inspections.dispose_nonconformance(db, world.buyer, lot_id, "replacement",
                                              description="replace the lot",
                                              now=closes)  # fmt: skip
    assert done.state is LotState.TERMINATED
    [record] = inspections.lot_nonconformances(db, world.buyer, lot_id)
    assert record.disposition == "replacement"
    assert _held(world, lot_id) == 0
    assert lots.replan_outcome(db, world.buyer, lot_id) is not None
    assert verify_audit_chain(db).ok


def test_rework_is_possible_at_once(world: World) -> None:
    db = world.db
    lot_id = _rejected_by_the_inspector(world)
    reworked = inspections.dispose_nonconformance(db, world.buyer, lot_id, "rework",
                                                  description="reprint the clips")  # fmt: skip
    assert reworked.state is LotState.REWORK
    assert [n.disposition for n in inspections.lot_nonconformances(db, world.buyer, lot_id)] == [
        "rework"
    ]


def test_the_manufacturer_disputes_the_rejection_within_the_window(world: World) -> None:
    db = world.db
    lot_id = _rejected_by_the_inspector(world)
    closes = _rejected_at(world, lot_id, "reject_lot") + WINDOW
    disputed = lots.act_on_lot(db, world.makers[0], lot_id, LotAction.DISPUTE,
                               reason="the sample was measured at the wrong temperature",
                               now=closes - timedelta(days=1))  # fmt: skip
    assert disputed.state is LotState.DISPUTED
    # fabnet's housekeeping does not touch a disputed lot, even after the window
    lots.close_settled(db, now=closes + timedelta(days=30))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.DISPUTED


def test_a_dispute_after_the_window_is_refused_and_the_rejection_stands(world: World) -> None:
    """The window is the manufacturer's time to dispute: after it, the API and CLI refuse a
    dispute as the web page no longer offers one (the same rule as a delivery's window)."""
    db = world.db
    lot_id = _rejected_by_the_inspector(world)
    closes = _rejected_at(world, lot_id, "reject_lot") + WINDOW
    before = len(lots.lot_history(db, world.buyer, lot_id))
    with pytest.raises(TransitionError, match=f"closed on {closes:%Y-%m-%d %H:%M} UTC"):
        lots.act_on_lot(db, world.makers[0], lot_id, LotAction.DISPUTE, reason="too late",
                        now=closes + timedelta(minutes=1))  # fmt: skip
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    assert len(lots.lot_history(db, world.buyer, lot_id)) == before  # nothing recorded


def _last_prototype_rejected(world: World) -> str:
    db = world.db
    lot_id = _contracted(world)
    for attempt in range(3):  # the default terms allow 3 attempts
        lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
        lots.review_prototype(db, world.buyer, lot_id, approve=False,
                              evidence_sha256=[world.evidence[1]],
                              reason=f"hinge cracks ({attempt + 1})")  # fmt: skip
    return lot_id


def test_the_last_rejected_prototype_is_terminated_when_the_window_passes(world: World) -> None:
    db = world.db
    lot_id = _last_prototype_rejected(world)
    # not terminated at once: the manufacturer may still dispute the rejection
    lot = lots.get_lot(db, world.buyer, lot_id)
    assert lot.state is LotState.PROTOTYPE_REJECTED
    held = _held(world, lot_id)
    closes = _rejected_at(world, lot_id, "reject_prototype") + WINDOW
    with pytest.raises(TransitionError, match=f"until {closes:%Y-%m-%d %H:%M} UTC"):
        lots.act_on_lot(db, world.buyer, lot_id, LotAction.TERMINATE, reason="give up")
    lots.close_settled(db, now=closes - timedelta(minutes=1))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.PROTOTYPE_REJECTED
    assert _held(world, lot_id) == held

    lots.close_settled(db, now=closes)
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.TERMINATED
    last = lots.lot_history(db, world.buyer, lot_id)[-1]
    assert last.action == "terminate" and last.role.value == "system"
    assert (
        last.reason is not None and "not disputed within the 14-day dispute window" in last.reason
    )
    assert _held(world, lot_id) == 0
    assert lots.replan_outcome(db, world.buyer, lot_id) is not None
    assert verify_audit_chain(db).ok


def test_a_prototype_rejection_with_attempts_left_is_not_terminated(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(db, world.buyer, lot_id, approve=False,
                          evidence_sha256=[world.evidence[1]], reason="hinge cracks")  # fmt: skip
    closes = _rejected_at(world, lot_id, "reject_prototype") + WINDOW
    lots.close_settled(db, now=closes + timedelta(days=1))
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.PROTOTYPE_REJECTED
    again = lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    assert again.state is LotState.PROTOTYPE_SUBMITTED
