"""Order and lot transitions notify the organisations of the order through their webhooks."""

from __future__ import annotations

from fabnet.services.orders import lots
from fabnet.services.platform.webhooks import create_subscription, list_deliveries

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def test_transitions_reach_buyer_and_manufacturer_but_no_stranger(world: World) -> None:
    db = world.db
    url = "http://127.0.0.1:9/hooks"  # nothing listens: deliveries are recorded and retried
    subs = {
        name: create_subscription(db, who.org_id, url, ["*"], actor=None).subscription.id
        for name, who in (
            ("buyer", world.buyer),
            ("maker", world.makers[0]),
            ("stranger", world.stranger),
        )
    }
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 2.5, destinations=to_point(100)),
    ])  # fmt: skip
    lots.accept_lot(db, world.makers[0], lot_id)

    def types(name: str) -> set[str]:
        return {d.event_type for d in list_deliveries(db, subs[name], actor=None, limit=200)}

    assert {"order.specify", "order.allocate", "lot.invite", "lot.accept"} <= types("buyer")
    assert {"lot.invite", "lot.accept"} <= types("maker")
    assert not any(t.startswith("order.") for t in types("maker"))  # the buyer's own steps
    assert types("stranger") == set()
