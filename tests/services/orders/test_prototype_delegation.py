"""Issue 13: the buyer delegates the approval of a lot's first article to the lot's inspector.
Without it the inspector may not approve or reject (403) and is not offered the actions; with
it the inspector decides and the buyer still sees the result. Audited and notified."""

from __future__ import annotations

import pytest

from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConflictError, NotFoundError, PermissionDeniedError
from fabnet.services.orders import inspections, lots
from fabnet.services.orders.audit import object_history, verify_audit_chain
from fabnet.services.platform import notifications
from fabnet.services.platform.webhooks import create_subscription, list_deliveries

from .conftest import World
from .test_inspector_assignment import _contracted

REVIEW = {LotAction.APPROVE_PROTOTYPE, LotAction.REJECT_PROTOTYPE}


def _offered(world: World, who: object, lot_id: str) -> set[LotAction]:
    return {c.action for c in lots.available_actions(world.db, who, lot_id)}  # type: ignore[arg-type]


def test_the_inspector_reviews_the_prototype_only_by_delegation(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    with pytest.raises(ConflictError, match="assign one first"):
        lots.delegate_prototype_approval(db, world.buyer, lot_id)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    hooks = create_subscription(db, world.inspector.org_id, "http://127.0.0.1:9/hooks", ["*"],
                                actor=None).subscription.id  # fmt: skip
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    assert not _offered(world, world.inspector, lot_id) & REVIEW
    assert _offered(world, world.buyer, lot_id) >= REVIEW
    with pytest.raises(PermissionDeniedError, match="has not delegated"):
        lots.review_prototype(db, world.inspector, lot_id, approve=True,
                              evidence_sha256=[world.evidence[1]])  # fmt: skip
    for other in (world.inspector, world.makers[0]):
        with pytest.raises(PermissionDeniedError):
            lots.delegate_prototype_approval(db, other, lot_id)
    with pytest.raises(NotFoundError):
        lots.delegate_prototype_approval(db, world.stranger, lot_id)

    view = lots.delegate_prototype_approval(db, world.buyer, lot_id)
    assert view.delegated and view.inspector_name == "Inspect Co"
    assert _offered(world, world.inspector, lot_id) >= REVIEW
    [event] = [e for e in object_history(db, [lot_id])
               if e.event_type == "lot.prototype_delegation"]  # fmt: skip
    assert event.actor_id == world.buyer.user_id and event.payload["delegated"] is True
    [told] = [n for n in notifications.list_notifications(db, world.inspector)
              if n.event_type == "lot.prototype_delegation"]  # fmt: skip
    assert "to Inspect Co: the inspector approves or rejects it" in told.message
    assert any(n.event_type == "lot.prototype_delegation"
               for n in notifications.list_notifications(db, world.makers[0]))  # fmt: skip
    assert not any(n.event_type == "lot.prototype_delegation"  # not news to the buyer itself
                   for n in notifications.list_notifications(db, world.buyer))  # fmt: skip

    delivered = [d.event_type for d in list_deliveries(db, hooks, actor=None, limit=200)]
    assert "lot.prototype_delegation" in delivered  # the inspector's webhook hears of it

    rejected = lots.review_prototype(db, world.inspector, lot_id, approve=False,
                                     evidence_sha256=[world.evidence[1]],
                                     reason="hinge cracks at 90 degrees")  # fmt: skip
    assert rejected.state is LotState.PROTOTYPE_REJECTED
    # the buyer sees the inspector's decision and its reason
    [last] = lots.lot_history(db, world.buyer, lot_id)[-1:]
    assert last.action == "reject_prototype" and last.role.value == "inspector"
    assert last.reason == "hinge cracks at 90 degrees"
    assert any("hinge cracks at 90 degrees" in n.message
               for n in notifications.list_notifications(db, world.buyer))  # fmt: skip
    assert verify_audit_chain(db).ok


def test_taking_it_back_or_reassigning_ends_the_delegation(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    first = lots.delegate_prototype_approval(db, world.buyer, lot_id)
    assert lots.delegate_prototype_approval(db, world.buyer, lot_id) == first  # idempotent
    assert not lots.delegate_prototype_approval(db, world.buyer, lot_id, delegated=False).delegated
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    with pytest.raises(PermissionDeniedError):
        lots.review_prototype(db, world.inspector, lot_id, approve=True,
                              evidence_sha256=[world.evidence[1]])  # fmt: skip
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    approved = lots.review_prototype(db, world.inspector, lot_id, approve=True,
                                     evidence_sha256=[world.evidence[1]])  # fmt: skip
    assert approved.state is LotState.PROTOTYPE_APPROVED
    with pytest.raises(ConflictError, match="past review"):
        lots.delegate_prototype_approval(db, world.buyer, lot_id, delegated=False)
    assert lots.prototype_approval(db, world.buyer, lot_id).delegated  # the record stays
