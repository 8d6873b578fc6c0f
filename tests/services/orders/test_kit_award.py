"""Issue 11 item 4: awarding a plan of kits invites the part makers only; their lots ship to the
delivery points, whose recipients assemble (nobody is invited for the recipient's step), and each
contract names the delivery points it ships to."""

from __future__ import annotations

import pytest
from tests.order_world import SPLINT_ID, SPLINT_KIT_ID, splint_kit_design

from fabnet.domain.orders.states import OrderAction
from fabnet.errors import InputError
from fabnet.services.orders import contracts, lots, orders
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.designs import DesignRepository

from .conftest import World, terms


def _spec(design_id: str) -> OrderSpec:
    return OrderSpec.model_validate(
        {
            "name": "Splint kits for two hospitals",
            "order_date": "2027-01-04",
            "products": [{"key": "kit", "design": design_id, "kits": True}],
            "delivery_points": [
                {"id": "knh", "name": "Kenyatta National Hospital", "place": "Nairobi, KE",
                 "due_days": 28, "demand": {"kit": 12}},
                {"id": "mulago", "name": "Mulago Hospital", "place": "Kampala, UG",
                 "due_days": 28, "demand": {"kit": 8}},
            ],
        }
    )  # fmt: skip


def test_awarding_a_kit_plan_invites_part_makers_shipping_to_the_points(world: World) -> None:
    db, buyer = world.db, world.buyer
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_kit_design())
    order = orders.create_order(db, buyer, _spec(SPLINT_KIT_ID), terms=terms())
    orders.act_on_order(db, buyer, order.id, OrderAction.SPECIFY)
    plan = orders.plan(db, buyer, order.id)
    invited = orders.award(db, buyer, order.id, plan.plan_id)
    # 20 kits are allocated once every part of them is: 20 splints and 40 clips.
    allocated = orders.allocation(db, buyer, order.id)
    assert (allocated.allocated_quantity, allocated.order_quantity) == (20, 20)
    assert allocated.consistent
    assert invited and {lot.kind for lot in invited} == {"part"}, "no assembly lot for a kit"
    shipped: dict[tuple[str, str], int] = {}
    for lot in invited:
        assert lot.design_id == SPLINT_KIT_ID
        for d in lot.destinations:
            assert d.kind == "delivery_point"
            shipped[(lot.item_id, d.id)] = shipped.get((lot.item_id, d.id), 0) + d.quantity
    assert shipped == {("splint", "knh"): 12, ("splint", "mulago"): 8,
                       ("clip", "knh"): 24, ("clip", "mulago"): 16}  # fmt: skip
    # Only facilities that make a part are invited (the world's splint sites).
    assert {lot.facility_id for lot in invited} <= {"fac-nairobi", "fac-kisumu", "fac-kampala",
                                                    "fac-arusha", "fac-mwanza"}  # fmt: skip
    lot = invited[0]
    lots.accept_lot(db, world.maker_of(lot), lot.id)
    [contract] = contracts.list_lot_contracts(db, buyer, lot.id)
    named = contract.terms.delivery.named_place
    for d in lot.destinations:
        name = {"knh": "Kenyatta National Hospital", "mulago": "Mulago Hospital"}[d.id]
        assert name in named, named
    assert "assembly site" not in named


def test_an_order_of_kits_of_a_one_part_design_is_refused_at_creation(world: World) -> None:
    with pytest.raises(InputError) as info:
        orders.create_order(world.db, world.buyer, _spec(SPLINT_ID), terms=terms())
    assert info.value.field == "products[0].kits"
    assert "no final assembly" in info.value.message
