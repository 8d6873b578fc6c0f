"""Only the demand side creates orders, with demand-side roles (issue 15, item 11)."""

from __future__ import annotations

import pytest

from fabnet.domain.orders.roles import Role
from fabnet.errors import InputError, PermissionDeniedError
from fabnet.services.orders import OrderParty
from fabnet.services.orders.orders import create_order

from .conftest import World, spec, terms


def test_manufacturers_and_inspection_bodies_do_not_create_orders(world: World) -> None:
    for actor in (world.makers[0], world.inspector):
        with pytest.raises(PermissionDeniedError, match="does not create orders"):
            create_order(world.db, actor, spec(10), terms=terms())
    assert create_order(world.db, world.buyer, spec(10), terms=terms()).id


def test_an_inspector_is_not_an_order_party(world: World) -> None:
    inspector = OrderParty(org_id=world.inspector.org_id, role=Role.INSPECTOR)
    with pytest.raises(InputError, match="inspector role is not given on the order"):
        create_order(world.db, world.buyer, spec(10), terms=terms(), parties=[inspector])
