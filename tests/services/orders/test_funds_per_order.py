"""A payer's deposit for one order never pays for another order's lots."""

from __future__ import annotations

from fabnet.domain.orders.states import LotState
from fabnet.services.orders import contracts, lots, payments

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def _signed_lot(world: World, maker: int) -> tuple[str, str, int]:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal(f"fac-{maker}", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    lots.accept_lot(world.db, world.makers[maker], lot_id)
    for contract in contracts.list_lot_contracts(world.db, world.buyer, lot_id):
        contracts.sign_contract(world.db, world.buyer, contract.id)
        contracts.sign_contract(world.db, world.makers[maker], contract.id)
    value = lots.get_lot(world.db, world.buyer, lot_id).unit_price_minor * 10
    return order_id, lot_id, value


def test_a_deposit_funds_only_its_own_order(world: World) -> None:
    db = world.db
    order_a, lot_a, value_a = _signed_lot(world, 0)
    order_b, lot_b, value_b = _signed_lot(world, 1)
    # Twice order A's value, all deposited for A: B's lot must still wait for B's money.
    payments.fund_order(db, world.buyer, order_a, 2 * value_a + value_b, reference="pay-a")
    assert lots.get_lot(db, world.buyer, lot_a).state is LotState.CONTRACTED
    assert lots.get_lot(db, world.buyer, lot_b).state is LotState.ACCEPTED
    payments.fund_order(db, world.buyer, order_b, value_b, reference="pay-b")
    assert lots.get_lot(db, world.buyer, lot_b).state is LotState.CONTRACTED
