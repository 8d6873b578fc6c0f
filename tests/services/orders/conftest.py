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
from fabnet.domain.orders.states import LotAction, OrderAction
from fabnet.domain.plan import Destination, DestinationKind, LotKind, ProposedLot
from fabnet.services.orders import OrderTerms, contracts, lots, payments
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


def contracted_lot(world: World, order_id: str, quantity: int = 100) -> str:
    """The order's one lot at maker 0's workshop, accepted, funded and signed by both sides
    (the order specified, see :func:`specified_order`)."""
    db = world.db
    [lot_id] = award_proposals(
        world, order_id, [Proposal("fac-0", quantity, 2.0, destinations=to_point(quantity))]
    )
    lots.accept_lot(db, world.makers[0], lot_id)
    payments.fund_order(db, world.buyer, order_id, quantity * 200, reference=f"ref-{lot_id}")
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    contracts.sign_contract(db, world.buyer, contract.id)
    contracts.sign_contract(db, world.makers[0], contract.id)
    return lot_id


def submitted_lot(world: World, order_id: str, quantity: int = 100) -> str:
    """:func:`contracted_lot`, its prototype approved by the buyer, made and submitted for
    inspection (no inspection body assigned)."""
    db = world.db
    lot_id = contracted_lot(world, order_id, quantity)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    lots.review_prototype(db, world.buyer, lot_id, approve=True,
                          evidence_sha256=[world.evidence[1]])  # fmt: skip
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    return lot_id
