"""An invitation past invitation_expires_at cannot be accepted or countered, even before the
housekeeping job has expired it (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fabnet.domain.orders.states import LotState
from fabnet.errors import FabnetError
from fabnet.services.orders import CounterOffer, lots
from fabnet.storage.base import utc_now
from fabnet.storage.orders import LotRow

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def _expired_invitation(world: World) -> str:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 10, 2.0, destinations=to_point(10)),
    ])  # fmt: skip
    with world.db.transaction() as session:
        row = session.get(LotRow, lot_id)
        assert row is not None and row.state == LotState.INVITED.value
        row.invitation_expires_at = utc_now() - timedelta(minutes=1)
    return lot_id


def test_an_expired_invitation_cannot_be_accepted(world: World) -> None:
    lot_id = _expired_invitation(world)
    with pytest.raises(FabnetError, match="invitation has expired"):
        lots.accept_lot(world.db, world.makers[0], lot_id)
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.INVITED


def test_an_expired_invitation_cannot_be_countered(world: World) -> None:
    lot_id = _expired_invitation(world)
    with pytest.raises(FabnetError, match="invitation has expired"):
        offer = CounterOffer(unit_price_minor=600)
        lots.counter_offer_lot(world.db, world.makers[0], lot_id, offer)
    assert lots.get_lot(world.db, world.buyer, lot_id).state is LotState.INVITED
