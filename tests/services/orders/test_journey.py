"""A whole order at service level: award, answers, contracts, prototypes, inspection, delivery,
money, audit, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest

from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.ledger import PLATFORM_FEES, escrow, payable
from fabnet.domain.orders.states import LotAction, LotState, OrderState
from fabnet.errors import TransitionError
from fabnet.services.orders import contracts, inspections, lots, orders, payments
from fabnet.services.orders.audit import verify_audit_chain
from fabnet.storage.base import utc_now

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def _contract_and_sign(world: World, lot_id: str, maker_index: int) -> str:
    db = world.db
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    contracts.sign_contract(db, world.buyer, contract.id)
    contracts.sign_contract(db, world.makers[maker_index], contract.id)
    return contract.id


def test_full_journey_with_decline_money_and_audit(world: World) -> None:
    db, buyer, makers = world.db, world.buyer, world.makers
    order_id = specified_order(world, quantity=300)
    lot_ids = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 2.50, setup_cost=20.0, destinations=to_point(100)),
        Proposal("fac-1", 150, 2.40, destinations=to_point(150)),
        Proposal("fac-2", 50, 3.10, destinations=to_point(50)),
    ])  # fmt: skip
    assert orders.get_order(db, buyer, order_id).state is OrderState.ALLOCATED
    assert orders.allocation(db, buyer, order_id).consistent

    # two accept, one declines (never planned here: its quantity stays open, the order says so)
    lots.accept_lot(db, makers[0], lot_ids[0])
    lots.accept_lot(db, makers[1], lot_ids[1])
    declined = lots.decline_lot(db, makers[2], lot_ids[2], "no PETG in stock")
    assert declined.state is LotState.DECLINED
    assert orders.allocation(db, buyer, order_id).allocated_quantity == 250

    # the buyer funds the order; contracts are signed by both parties; lots become CONTRACTED
    unit0 = lots.get_lot(db, buyer, lot_ids[0]).unit_price_minor
    assert unit0 == 270  # 2.50 EUR + 20.00 EUR setup over 100 units, in cents
    total = 100 * unit0 + 150 * 240
    payments.fund_order(db, buyer, order_id, total, reference="bank-0001")
    contract_ids = [_contract_and_sign(world, lot_ids[i], i) for i in (0, 1)]
    for lot_id in lot_ids[:2]:
        assert lots.get_lot(db, buyer, lot_id).state is LotState.CONTRACTED
    assert orders.get_order(db, buyer, order_id).state is OrderState.IN_PROGRESS
    for contract_id in contract_ids:
        assert contracts.verify_contract(db, contract_id).ok

    for i, lot_id in enumerate(lot_ids[:2]):
        maker = makers[i]
        inspections.assign_inspector(db, buyer, lot_id, world.inspector.org_id)
        lots.delegate_prototype_approval(db, buyer, lot_id)
        lots.submit_prototype(db, maker, lot_id, [world.evidence[0]])
        lots.review_prototype(db, world.inspector, lot_id, approve=True,
                              evidence_sha256=[world.evidence[1]])  # fmt: skip
        lots.act_on_lot(db, maker, lot_id, LotAction.START_PRODUCTION)
        lots.act_on_lot(db, maker, lot_id, LotAction.SUBMIT_FOR_INSPECTION)
        [task] = inspections.lot_inspections(db, world.inspector, lot_id)
        assert task.status == "open" and task.sample_size < task.lot_size  # AQL sample, not all
        inspections.record_inspection(
            db, world.inspector, task.id,
            {DefectClass.MAJOR: 0, DefectClass.MINOR: 1},
            evidence_sha256=[world.evidence[2]], measurements={"width_mm": "180.2"},
        )  # fmt: skip
        assert lots.get_lot(db, buyer, lot_id).state is LotState.LOT_ACCEPTED
        lots.act_on_lot(db, maker, lot_id, LotAction.SHIP, evidence_sha256=[world.evidence[0]])
        delivered = lots.act_on_lot(db, buyer, lot_id, LotAction.CONFIRM_DELIVERY)
        assert delivered.state is LotState.PAID  # the last milestone emptied the escrow

    # ledger invariants: balanced, escrows empty, suppliers paid their value less the fee
    balances = payments.ledger_balances(db)
    per_currency: dict[str, int] = defaultdict(int)
    for (_, currency), amount in balances.items():
        per_currency[currency] += amount
    assert per_currency == {"EUR": 0}
    for lot_id in lot_ids[:2]:
        assert balances.get((escrow(lot_id), "EUR"), 0) == 0
    fees = balances[(PLATFORM_FEES, "EUR")]
    paid = (
        balances[(payable(makers[0].org_id), "EUR")] + balances[(payable(makers[1].org_id), "EUR")]
    )
    assert paid + fees == total
    assert fees == pytest.approx(total * 0.025, abs=3)  # 2.5 % per release, floored

    # a paid lot may not close while the dispute window is open
    with pytest.raises(TransitionError, match="dispute window"):
        lots.act_on_lot(db, buyer, lot_ids[0], LotAction.CLOSE)
    # the timer closes nothing early, and every paid lot once the window has passed
    assert lots.close_settled(db) == ([], [])
    closed, _ = lots.close_settled(db, now=utc_now() + timedelta(days=15))
    assert sorted(closed) == sorted(lot_ids[:2])
    assert lots.get_lot(db, buyer, lot_ids[0]).state is LotState.CLOSED

    # every step is in the audit chain, which verifies
    result = verify_audit_chain(db)
    assert result.ok, result.reason
    assert result.checked > 40
    history = lots.lot_history(db, buyer, lot_ids[0])
    assert [t.action for t in history][:3] == ["accept", "contract", "submit_prototype"]
    assert history[2].evidence_sha256 == (world.evidence[0],)
    assert history[2].role.value == "manufacturer" and history[2].actor_id == makers[0].user_id
