"""Issue 13: an inspection body is assigned at any state before the result — before the lot is
made, after the first article or the lot is submitted, between rework rounds — and the one
assigned is the one who decides; the one replaced no longer sees the lot."""

from __future__ import annotations

import pytest

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import NotFoundError, PermissionDeniedError
from fabnet.services.identity.accounts import create_organisation, create_user
from fabnet.services.orders import inspections, lots

from .conftest import World, contracted_lot, specified_order

CLEAN: dict[DefectClass | str, int] = {DefectClass.MAJOR: 0, DefectClass.MINOR: 0}


def _contracted(world: World, quantity: int = 100) -> str:
    return contracted_lot(world, specified_order(world, quantity=quantity), quantity)


def _second_inspector(world: World) -> Principal:
    org = create_organisation(world.db, "Second Inspect", OrgKind.INSPECTION_BODY, (), actor=None)
    user = create_user(world.db, "second@inspect.example", org.id, actor=None)
    return Principal(
        user_id=user.id,
        org_id=org.id,
        org_kind=OrgKind.INSPECTION_BODY,
        scopes=frozenset({Scope.WRITE}),
    )


def test_inspector_assigned_after_the_first_article_reviews_it(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    lot = lots.review_prototype(
        db, world.inspector, lot_id, approve=True, evidence_sha256=[world.evidence[1]]
    )
    assert lot.state is LotState.PROTOTYPE_APPROVED
    [review] = [
        t for t in lots.lot_history(db, world.buyer, lot_id) if t.action == "approve_prototype"
    ]
    assert review.actor_org_id == world.inspector.org_id and review.role.value == "inspector"


def test_reassigned_after_submission_the_new_inspector_decides(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    first, second = world.inspector, _second_inspector(world)
    inspections.assign_inspector(db, world.buyer, lot_id, first.org_id)
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(db, first, lot_id, approve=True, evidence_sha256=[world.evidence[1]])
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = inspections.lot_inspections(db, first, lot_id)
    inspections.assign_inspector(db, world.buyer, lot_id, second.org_id)
    with pytest.raises(NotFoundError):  # the replaced body no longer sees the lot or the task
        inspections.get_inspection(db, first, task.id)
    with pytest.raises(NotFoundError):
        inspections.record_inspection(
            db, first, task.id, CLEAN, evidence_sha256=[world.evidence[2]]
        )
    done = inspections.record_inspection(
        db, second, task.id, CLEAN, evidence_sha256=[world.evidence[2]]
    )
    assert done.inspector_org_id == second.org_id and done.verdict == "accept"
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_ACCEPTED


def test_assigned_between_rework_rounds_the_next_inspection_is_theirs(world: World) -> None:
    db = world.db
    lot_id = _contracted(world)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(
        db, world.buyer, lot_id, approve=True, evidence_sha256=[world.evidence[1]]
    )
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)  # nobody assigned: the buyer's
    inspections.record_inspection(
        db,
        world.buyer,
        task.id,
        {DefectClass.MAJOR: 3, DefectClass.MINOR: 0},
        evidence_sha256=[world.evidence[2]],
        reason="cracked clips",
    )
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_REJECTED
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    inspections.dispose_nonconformance(
        db, world.buyer, lot_id, "rework", description="reprint the clips"
    )
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    tasks = inspections.lot_inspections(db, world.inspector, lot_id)
    assert [t.inspector_org_id for t in tasks] == [world.buyer.org_id, world.inspector.org_id]
    inspections.record_inspection(
        db, world.inspector, tasks[-1].id, CLEAN, evidence_sha256=[world.evidence[2]]
    )
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_ACCEPTED


def test_with_an_inspection_body_assigned_the_buyer_cannot_record_the_results(
    world: World,
) -> None:
    """Issue 15, item 10: only the assigned inspector records inspection results."""
    db = world.db
    lot_id = _contracted(world)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(
        db, world.inspector, lot_id, approve=True, evidence_sha256=[world.evidence[1]]
    )
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    rejected: dict[DefectClass | str, int] = {DefectClass.MAJOR: 50, DefectClass.MINOR: 50}
    with pytest.raises(PermissionDeniedError, match="only its inspectors record"):
        inspections.record_inspection(
            db, world.buyer, task.id, rejected, evidence_sha256=[world.evidence[2]]
        )
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.READY_FOR_INSPECTION
    done = inspections.record_inspection(
        db, world.inspector, task.id, CLEAN, evidence_sha256=[world.evidence[2]]
    )
    assert done.verdict == "accept"
