"""Parallel signatures of one contract: one per party counts, the rest are told 409 (issue 15)."""

from __future__ import annotations

import threading
from collections import Counter

from fabnet.errors import ConflictError
from fabnet.services.orders import contracts, lots

from .conftest import Proposal, World, award_proposals, specified_order, to_point

PER_PARTY = 8


def test_parallel_signatures_answer_conflict_and_the_contract_completes(world: World) -> None:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    lots.accept_lot(world.db, world.makers[0], lot_id)
    [contract] = contracts.list_lot_contracts(world.db, world.buyer, lot_id)
    barrier = threading.Barrier(2 * PER_PARTY)
    outcomes: list[str] = []
    guard = threading.Lock()

    def sign(principal: object) -> None:
        barrier.wait()
        try:
            contracts.sign_contract(world.db, principal, contract.id)  # type: ignore[arg-type]
            outcome = "signed"
        except ConflictError:
            outcome = "conflict"
        except Exception as exc:  # a key violation here is the defect
            outcome = f"error {type(exc).__name__}"
        with guard:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=sign, args=(p,))
        for p in [world.buyer] * PER_PARTY + [world.makers[0]] * PER_PARTY
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(outcomes) == {"signed": 2, "conflict": 2 * PER_PARTY - 2}
    after = contracts.get_contract(world.db, world.buyer, contract.id)
    assert after.status == "signed"
