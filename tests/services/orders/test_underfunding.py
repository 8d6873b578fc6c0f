"""A deposit short of what the accepted lots need is recorded, and the answer says which lots
it does not cover and what is still to pay (issue 13: funding 1,000.00 EUR covered 4 of 5 lots
without a word)."""

from __future__ import annotations

from fabnet.domain.orders.states import LotState
from fabnet.services.orders import contracts, escrow, lots, payments

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def _signed_lots(world: World, prices: list[float]) -> tuple[str, list[str]]:
    order_id = specified_order(world, quantity=10 * len(prices))
    lot_ids = award_proposals(world, order_id, [
        Proposal(f"fac-{i % 2}", 10, price, item_id=f"part-{i}", destinations=to_point(10))
        for i, price in enumerate(prices)
    ])  # fmt: skip
    for i, lot_id in enumerate(lot_ids):
        lots.accept_lot(world.db, world.makers[i % 2], lot_id)
        for contract in contracts.list_lot_contracts(world.db, world.buyer, lot_id):
            contracts.sign_contract(world.db, world.buyer, contract.id)
            contracts.sign_contract(world.db, world.makers[i % 2], contract.id)
    return order_id, lot_ids


def test_a_short_deposit_names_the_lots_it_does_not_cover(world: World) -> None:
    db = world.db
    order_id, lot_ids = _signed_lots(world, [2.0, 3.0, 4.0])
    before = escrow.escrow_summary(db, world.buyer, order_id)
    values = {lot.lot_id: lot.due_minor for lot in before.lots}
    assert all(values[lot_id] > 0 for lot_id in lot_ids)
    assert before.shortfall_minor == sum(values.values())
    # Enough for the first two lots, not for the third.
    paid = values[lot_ids[0]] + values[lot_ids[1]]
    funding = payments.fund_order(db, world.buyer, order_id, paid, reference="short-1")

    states = [lots.get_lot(db, world.buyer, lot_id).state for lot_id in lot_ids]
    assert states == [LotState.CONTRACTED, LotState.CONTRACTED, LotState.ACCEPTED]
    assert funding.uncovered_lot_ids == (lot_ids[2],)
    assert funding.escrow.shortfall_minor == values[lot_ids[2]]
    assert "2 of 3" in funding.message
    assert "part-2" in funding.message and lot_ids[2][:8] in funding.message
    assert "pay at least 40.00 EUR more" in funding.message  # 10 x 4.00 EUR, with its decimals

    # Paying the rest covers every lot and says so.
    funding = payments.fund_order(db, world.buyer, order_id, values[lot_ids[2]], reference="rest")
    assert funding.uncovered_lot_ids == ()
    assert lots.get_lot(db, world.buyer, lot_ids[2]).state is LotState.CONTRACTED
    assert "covers all 1 accepted lot(s) due (40.00 EUR)" in funding.message


def test_a_later_smaller_lot_is_covered_when_an_earlier_one_does_not_fit(world: World) -> None:
    # The rule contracting applies: lots in order, one that does not fit waits, a smaller later
    # one may still be funded. The message must name the lot that waits, not the last one.
    db = world.db
    order_id, lot_ids = _signed_lots(world, [2.0, 9.0, 1.0])
    values = {lot.lot_id: lot.due_minor
              for lot in escrow.escrow_summary(db, world.buyer, order_id).lots}  # fmt: skip
    paid = values[lot_ids[0]] + values[lot_ids[2]]
    funding = payments.fund_order(db, world.buyer, order_id, paid, reference="short-2")
    assert funding.uncovered_lot_ids == (lot_ids[1],)
    states = [lots.get_lot(db, world.buyer, lot_id).state for lot_id in lot_ids]
    assert states == [LotState.CONTRACTED, LotState.ACCEPTED, LotState.CONTRACTED]
