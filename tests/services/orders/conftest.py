"""Order tests of the services on the shared order world (tests/order_world.py), and a way to
award lots as the planner would propose them (its ``ProposedLot`` shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
from tests.order_world import FACE_SHIELD_ID, Member, World, build_world

from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import OrderAction
from fabnet.domain.plan import Destination, DestinationKind, LotKind, ProposedLot
from fabnet.services.orders import OrderTerms
from fabnet.services.orders.orders import act_on_order, award_lots, create_order
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore

__all__ = ["Member", "World"]

DESIGN_ID = FACE_SHIELD_ID


@dataclass(frozen=True)
class Dest:
    kind: str
    id: str
    quantity: int


@dataclass(frozen=True)
class Proposal:
    """One lot as the planner proposes it."""

    facility_id: str
    quantity: int
    unit_price: float
    setup_cost: float = 0.0
    due_days: float | None = 20.0
    kind: str = "part"
    design_id: str = DESIGN_ID
    item_id: str = "headband"
    destinations: tuple[Dest, ...] = field(default=())

    def proposed_lot(self) -> ProposedLot:
        kind = cast(LotKind, self.kind)
        return ProposedLot(
            facility_id=self.facility_id, facility_name=self.facility_id, kind=kind,
            product_key="headband", design_id=self.design_id, item_id=self.item_id,
            item_name=self.item_id, quantity=self.quantity, unit_price=self.unit_price,
            setup_cost=self.setup_cost, due_days=self.due_days,
            destinations=tuple(
                Destination(kind=cast(DestinationKind, d.kind), id=d.id, quantity=d.quantity)
                for d in self.destinations
            ),
        )  # fmt: skip


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    """The shared order world (tests/order_world.py); its file store in ``tmp_path``."""
    return build_world(db, store=FileStore(tmp_path / "files", max_bytes=1024 * 1024))


def spec(quantity: int = 300) -> OrderSpec:
    return OrderSpec.model_validate(
        {
            "name": "Face shields for Nairobi",
            "order_date": "2027-01-04",
            "currency": "EUR",
            "products": [{"design": DESIGN_ID, "key": "headband"}],
            "delivery_points": [
                {"id": "knh", "place": "Nairobi, KE", "due": "2027-02-15",
                 "demand": {"headband": quantity}}
            ],
        }
    )  # fmt: skip


def terms(**changes: object) -> OrderTerms:
    delivery = DeliveryTerms(rule=Incoterm.DAP, named_place="Nairobi, KE",
                             transport_mode=TransportMode.ROAD)  # fmt: skip
    return OrderTerms(delivery=delivery).model_copy(update=changes)


def specified_order(world: World, quantity: int = 300) -> str:
    order = create_order(world.db, world.buyer, spec(quantity), terms=terms())
    act_on_order(world.db, world.buyer, order.id, OrderAction.SPECIFY)
    return order.id


def award_proposals(world: World, order_id: str, proposals: Sequence[Proposal]) -> list[str]:
    """SPECIFIED -> SOURCING -> the proposals awarded -> ALLOCATED, through the public services
    (``award_lots``: the buyer's own allocation, with the checks of a plan's award)."""
    act_on_order(world.db, world.buyer, order_id, OrderAction.START_SOURCING)
    lots = [p.proposed_lot() for p in proposals]
    return [lot.id for lot in award_lots(world.db, world.buyer, order_id, lots)]


def to_point(quantity: int) -> tuple[Dest, ...]:
    return (Dest("delivery_point", "knh", quantity),)
