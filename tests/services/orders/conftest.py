"""A small world for order tests: a buyer, three manufacturers (each running one facility), an
inspection body, a design under CERN-OHL-S-2.0, stored evidence files, and a way to award lots
as the planner would propose them (its ``ProposedLot`` shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from fabnet.domain.design import Design, Part
from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import OrderAction
from fabnet.domain.plan import Destination, DestinationKind, LotKind, ProposedLot
from fabnet.services.identity.accounts import create_organisation, create_user
from fabnet.services.orders import OrderTerms
from fabnet.services.orders.orders import act_on_order, award_lots, create_order
from fabnet.services.platform.files import store_bytes
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

DESIGN_ID = "design-face-shield"


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


@dataclass
class World:
    db: Database
    store: FileStore
    buyer: Principal
    makers: list[Principal]
    inspector: Principal
    stranger: Principal
    evidence: list[str]


def _principal(db: Database, name: str, kind: OrgKind, facilities: Sequence[str] = ()) -> Principal:
    org = create_organisation(db, name, kind, facilities, actor=None)
    user = create_user(db, f"{name.lower().replace(' ', '.')}@example.org", org.id, actor=None)
    return Principal(user_id=user.id, org_id=org.id, org_kind=kind,
                     scopes=frozenset({Scope.WRITE}))  # fmt: skip


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(
            Facility(id=f"fac-{i}", name=f"Maker {i}'s workshop") for i in range(3)
        )
        DesignRepository(session).add_or_replace(
            Design(id=DESIGN_ID, name="Face shield", license="CERN-OHL-S-2.0",
                   licensor=("Prusa Research",), parts=(Part(id="headband", name="Headband"),))
        )  # fmt: skip
    store = FileStore(tmp_path / "files", max_bytes=1024 * 1024)
    evidence = [
        store_bytes(db, store, f"photo {i}".encode(), original_name=f"photo-{i}.jpg").sha256
        for i in range(3)
    ]
    return World(
        db=db,
        store=store,
        buyer=_principal(db, "Buyer Hospital", OrgKind.BUYER),
        makers=[_principal(db, f"Maker {i}", OrgKind.MANUFACTURER, [f"fac-{i}"]) for i in range(3)],
        inspector=_principal(db, "Inspect Co", OrgKind.INSPECTION_BODY),
        stranger=_principal(db, "Other Buyer", OrgKind.BUYER),
        evidence=evidence,
    )


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
