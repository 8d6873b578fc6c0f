"""A read costs the thread pool only what blocks: the guard's token check and the handler
(with FastAPI's check of its answer), not one hop per dependency (database, principal, scope,
page), each of which costs a request a round trip through the pool under load."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import pytest

from fabnet.services.orders import OrderTerms, orders
from fabnet.standards.order_file import OrderSpec

from .conftest import World, ok, order_body


def _hops(world: World, monkeypatch: pytest.MonkeyPatch, path: str) -> int:
    calls: list[Any] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    try:
        ok(world.api.get(path, headers=world.buyer.headers))
    finally:
        monkeypatch.setattr(anyio.to_thread, "run_sync", real)
    return len(calls)


def test_a_read_hops_to_the_thread_pool_for_the_token_and_the_handler_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = order_body(name="Splints")
    terms = OrderTerms.model_validate(body.pop("terms"))
    order = orders.create_order(world.db, world.buyer.principal, OrderSpec.model_validate(body),
                                terms=terms)  # fmt: skip
    ok(world.api.get("/v1/orders", headers=world.buyer.headers))  # the token's last use noted
    assert _hops(world, monkeypatch, f"/v1/orders/{order.id}") <= 3
    assert _hops(world, monkeypatch, "/v1/orders?limit=50") <= 3  # the page too
