"""Money answers that are true (issue 15, item 5): a deposit and an order's ledger read only
that order's (and the touched accounts') rows, in one consistent statement, so a transaction
another tenant commits meanwhile never makes a committed deposit answer 422."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event

from fabnet.services.orders import payments
from fabnet.storage.ledger import LedgerTransactionRow

from .conftest import World, specified_order


def test_a_half_visible_foreign_transaction_does_not_touch_this_orders_money(
    world: World,
) -> None:
    db = world.db
    order_id = specified_order(world, quantity=10)
    with db.transaction() as session:  # another tenant's transaction, its postings not seen
        session.add(
            LedgerTransactionRow(id="tx-elsewhere", kind="deposit", memo="", order_id="other")
        )
    funding = payments.fund_order(db, world.buyer, order_id, 5_000, reference="pay-1")
    assert [tx.kind for tx in funding.transactions] == ["deposit"]
    balances = {
        b.account: b.balance_minor
        for b in payments.order_ledger(db, world.buyer, order_id).balances
    }
    assert balances == {"external": -5_000, f"buyer:{world.buyer.org_id}:cash": 5_000}


def test_a_deposit_committed_while_the_ledger_is_read_is_all_or_nothing(world: World) -> None:
    db = world.db
    order_a = specified_order(world, quantity=10)
    order_b = specified_order(world, quantity=10)
    payments.fund_order(db, world.buyer, order_a, 1_000, reference="a-1")
    armed = True

    def commit_another_deposit(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal armed
        if armed and "ledger_postings" in statement:
            armed = False  # between this read's statements, another deposit commits
            other = threading.Thread(
                target=payments.fund_order, args=(db, world.buyer, order_b, 700),
                kwargs={"reference": "b-1"},
            )  # fmt: skip
            other.start()
            other.join()

    event.listen(db.engine, "after_cursor_execute", commit_another_deposit)
    try:
        ledger = payments.order_ledger(db, world.buyer, order_a)
    finally:
        event.remove(db.engine, "after_cursor_execute", commit_another_deposit)
    assert not armed
    assert [tx.memo for tx in ledger.transactions] == [f"deposit a-1 from {world.buyer.org_id}"]
    assert (
        payments.order_ledger(db, world.buyer, order_b)
        .transactions[0]
        .memo.startswith("deposit b-1")
    )
