"""A lot transition updates the lot by compare-and-set and forgets only that row: what the
transition read before (the order, its parties) is not read again for the reactions after it."""

from __future__ import annotations

import re

from tests.query_count import counted

from fabnet.domain.orders.states import LotState
from fabnet.services.orders import lots

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def test_accepting_a_lot_reads_the_orders_parties_once(world: World) -> None:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    with counted(world.db) as selects:
        accepted = lots.accept_lot(world.db, world.makers[0], lot_id)
    assert accepted.state is LotState.ACCEPTED and accepted.version == 2
    tables = [re.search(r"\bFROM (\w+)", s).group(1) for s in selects]  # type: ignore[union-attr]
    assert tables.count("order_parties") == 1
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.ACCEPTED
