"""The shared order world (tests/order_world.py) behind the API, on the root ``db`` fixture
(SQLite and PostgreSQL): ``world.client`` is the API over it, and every member has a token.
The planner plans the finger splint (one part) at three of the five Lake Victoria sites."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.order_world import (
    MAKER_SITES,
    SITES,
    SPLINT_ID,
    Member,
    World,
    build_world,
    splint_design,
)
from tests.order_world import _member as _shared_member
from tests.order_world import splint_facility as facility

from fabnet.domain.identity import OrgKind, Scope
from fabnet.server import create_app
from fabnet.services.orders import LotView, OrderTerms, orders
from fabnet.settings import Settings
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database

__all__ = ["MAKER_SITES", "SITES", "Member", "World", "facility", "splint_design"]

DESIGN_ID = SPLINT_ID
PROBLEM = "application/problem+json"
ORDER_QUANTITY = 150


@dataclass(frozen=True)
class Awarded:
    order_id: str
    plan_id: str
    lots: list[LotView]


def awarded_order(world: World) -> Awarded:
    """An order of the buyer, specified, planned and awarded with the services (three INVITED
    lots at three manufacturers), for tests whose subject comes after the award."""
    body = order_body()
    terms = OrderTerms.model_validate(body.pop("terms"))
    buyer, db = world.buyer.principal, world.db
    order = orders.create_order(db, buyer, OrderSpec.model_validate(body), terms=terms)
    orders.act_on_order(db, buyer, order.id, "specify")
    plan = orders.plan(db, buyer, order.id)
    lots = orders.award(db, buyer, order.id, plan.plan_id)
    assert len({lot.manufacturer_org_id for lot in lots}) == len(lots) == 3
    return Awarded(order.id, plan.plan_id, lots)


def order_body(
    quantity: int = ORDER_QUANTITY, name: str = "Finger splints for Nairobi"
) -> dict[str, Any]:
    """The order file as JSON, plus contract terms (Incoterm; no dispute window, so delivered
    and paid lots can close at once)."""
    return {
        "name": name,
        "order_date": "2027-01-04",
        "currency": "EUR",
        "products": [{"design": DESIGN_ID, "key": "splint"}],
        "delivery_points": [
            {"id": "knh", "name": "Kenyatta National Hospital", "place": "Nairobi, KE",
             "due_days": 28, "demand": {"splint": quantity}},
        ],
        "terms": {
            "delivery": {"rule": "DAP", "named_place": "Nairobi, KE", "transport_mode": "road"},
            "dispute_window_days": 0,
        },
    }  # fmt: skip


@pytest.fixture
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("api-orders"),
        secret_key="api-orders-test-secret",
        max_file_bytes=100_000,
    )


def _member(db: Database, settings: Settings, name: str, kind: OrgKind,
            facility_ids: tuple[str, ...] = (), scope: Scope = Scope.WRITE) -> Member:  # fmt: skip
    """One more organisation with a user and a token (sealed under ``settings``' key)."""
    return _shared_member(db, settings, name, kind, facility_ids, scope)


@pytest.fixture
def world(db: Database, api_settings: Settings) -> Iterator[World]:
    shared = build_world(db, api_settings)
    app = create_app(api_settings, db=db, run_jobs=False, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        shared.client = client
        yield shared


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of a response that must have ``status``."""
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body
