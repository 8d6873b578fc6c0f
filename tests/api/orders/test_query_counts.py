"""A page of orders costs the same few SQL statements however many orders it holds (no query
per order for its parties), and the page still carries every order's parties."""

from __future__ import annotations

from typing import Any

from tests.query_count import counted

from fabnet.services.orders import OrderTerms, orders
from fabnet.standards.order_file import OrderSpec

from .conftest import World, ok, order_body


def _new_orders(world: World, count: int) -> None:
    for i in range(count):
        body = order_body(name=f"Splints {i}")
        terms = OrderTerms.model_validate(body.pop("terms"))
        orders.create_order(world.db, world.buyer.principal, OrderSpec.model_validate(body),
                            terms=terms)  # fmt: skip


def _page_statements(world: World) -> tuple[int, list[dict[str, Any]]]:
    world.api.get("/v1/orders?limit=50", headers=world.buyer.headers)  # token's last use noted
    with counted(world.db) as statements:
        page = ok(world.api.get("/v1/orders?limit=50", headers=world.buyer.headers))
    return len(statements), page["items"]


def test_a_page_of_orders_reads_parties_in_one_query_whatever_its_size(world: World) -> None:
    _new_orders(world, 2)
    few, small = _page_statements(world)
    _new_orders(world, 23)
    many, large = _page_statements(world)

    assert len(small) == 2 and len(large) == 25
    assert many == few  # 25 orders cost what 2 cost
    assert few <= 3  # the token (with its user and organisation), the orders, their parties
    for order in large:  # the parties of each, in the order a single read gives them
        alone = ok(world.api.get(f"/v1/orders/{order['id']}", headers=world.buyer.headers))
        assert order["parties"] == alone["parties"]
        assert {(p["org_id"], p["role"]) for p in order["parties"]} >= {
            (world.buyer.org_id, "buyer")
        }


def test_a_page_shows_each_order_exactly_as_reading_it_alone_does(world: World) -> None:
    """The page reads columns and the JSON documents as text (no ORM objects): what it shows
    of each order, its spec and terms included, is what the order's own read shows."""
    _new_orders(world, 3)
    page = ok(world.api.get("/v1/orders?limit=50", headers=world.buyer.headers))["items"]
    assert len(page) == 3
    for order in page:
        alone = ok(world.api.get(f"/v1/orders/{order['id']}", headers=world.buyer.headers))
        assert order == alone
        assert order["terms"] and order["spec"]
