"""A deposit's answer (the order's ledger and escrow after the commit) reads the order, its
parties and its lots once, though both halves of the answer ask for them."""

from __future__ import annotations

import re

from tests.query_count import counted

from fabnet.services.orders import payments

from .conftest import World, specified_order


def test_the_answer_after_a_deposit_reads_the_order_once(world: World) -> None:
    order_id = specified_order(world, quantity=10)
    payments.fund_order(world.db, world.buyer, order_id, 100, reference="warm-up")
    with counted(world.db) as selects:
        funding = payments.fund_order(world.db, world.buyer, order_id, 250, reference="pay-2")
    tables = [re.search(r"\bFROM (\w+)", s).group(1) for s in selects]  # type: ignore[union-attr]
    # the write transaction reads the order (with its parties) for the permission check and
    # the lots' contracts; the answer after the commit once more, not once per half
    assert tables.count("orders") <= 3
    assert tables.count("order_parties") <= 3
    assert len(funding.transactions) == 2  # the answer still shows both deposits
    assert sum(p.amount_minor for p in funding.transactions[-1].postings) == 0  # balanced
