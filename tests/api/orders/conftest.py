"""A small manufacturing world behind the API, on the root ``db`` fixture (SQLite and PostgreSQL).

One design (a 3D-printed finger splint, one part), five FDM facilities around Lake Victoria with
rate cards that include ``units_per_hour`` and a weekly capacity small enough that the planner
needs three of them for 150 splints; four manufacturer organisations running them, a buyer, two
inspection bodies, a second buyer (the foreign organisation) and the platform operator. Each
organisation has one user with a write token; the buyer also has a read-only token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.design import Design, Part
from fabnet.domain.facility import (
    Capacity,
    Equipment,
    FabnetExtension,
    Facility,
    LeadTimes,
    ProcessRate,
    RateCard,
)
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.server import create_app
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import LotView, OrderTerms, orders
from fabnet.settings import Settings
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

DESIGN_ID = "design-finger-splint-test"
PROBLEM = "application/problem+json"
#: (facility id, city, latitude, longitude, country, hourly rate)
SITES = (
    ("fac-nairobi", "Nairobi", -1.29, 36.82, "KE", 20.0),
    ("fac-kisumu", "Kisumu", -0.09, 34.77, "KE", 21.0),
    ("fac-kampala", "Kampala", 0.35, 32.58, "UG", 22.0),
    ("fac-arusha", "Arusha", -3.37, 36.68, "TZ", 23.0),
    ("fac-mwanza", "Mwanza", -2.52, 32.90, "TZ", 24.0),
)
#: Manufacturer organisation -> the facilities it runs (the last one runs two).
MAKER_SITES = (("fac-nairobi",), ("fac-kisumu",), ("fac-kampala",), ("fac-arusha", "fac-mwanza"))
ORDER_QUANTITY = 150


@dataclass(frozen=True)
class Member:
    """One organisation's user and API token."""

    name: str
    kind: OrgKind
    org_id: str
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def principal(self) -> Principal:
        """The same caller for service calls that set the scene (write scope)."""
        return Principal(user_id=self.user_id, org_id=self.org_id, org_kind=self.kind,
                         scopes=frozenset({Scope.WRITE}))  # fmt: skip


@dataclass
class World:
    db: Database
    client: TestClient
    settings: Settings
    buyer: Member
    buyer_reader: Member
    makers: list[Member]
    inspector: Member
    other_inspector: Member
    stranger: Member
    operator: Member

    def maker_of(self, lot: dict[str, Any] | LotView) -> Member:
        org_id = lot["manufacturer_org_id"] if isinstance(lot, dict) else lot.manufacturer_org_id
        return next(m for m in self.makers if m.org_id == org_id)

    def file_store(self) -> FileStore:
        return FileStore(self.settings.file_store_dir, max_bytes=self.settings.max_file_bytes)


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


def splint_design() -> Design:
    part = Part(
        id="splint",
        name="Splint",
        processes=("fdm",),
        materials=("pla",),
        mass_g=12.0,
        outer_dimensions=Dimensions(x_mm=80, y_mm=20, z_mm=10),
    )
    return Design(
        id=DESIGN_ID,
        name="Finger splint",
        license="CERN-OHL-S-2.0",
        licensor=("Splint Collective",),
        parts=(part,),
    )


def facility(
    facility_id: str, city: str, lat: float, lon: float, country: str, rate: float
) -> Facility:
    printer = Equipment(
        id="printer",
        equipment_type="3D printer",
        processes=("fdm",),
        materials=("pla",),
        quantity=4,
        envelope=Dimensions(x_mm=250, y_mm=210, z_mm=200),
    )
    rates = RateCard(
        currency="EUR",
        rates=(
            ProcessRate(
                process="fdm", hourly_rate=rate, setup_cost=10.0, material_cost_per_kg=25.0,
                units_per_hour=4.0,
            ),
        ),
    )  # fmt: skip
    return Facility(
        id=facility_id,
        name=f"Fab {city}",
        location=Location(latitude=lat, longitude=lon, country=country, city=city),
        processes=("fdm",),
        equipment=(printer,),
        typical_materials=("pla",),
        extension=FabnetExtension(
            rate_card=rates,
            capacity=Capacity(hours_per_week=40, units_per_week=15),
            lead_times=LeadTimes(),
        ),
    )


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
    org = identity.create_organisation(db, name, kind, facility_ids, actor=None)
    slug = name.lower().replace(" ", "-")
    user = identity.create_user(db, f"{slug}@example.org", org.id, actor=None, settings=settings)
    token = identity.create_token(db, user.id, [scope], actor=None).raw
    return Member(name, kind, org.id, user.id, token)


@pytest.fixture
def world(db: Database, api_settings: Settings) -> Iterator[World]:
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_design())
        for site in SITES:
            FacilityRepository(session).add_or_replace(facility(*site))
    buyer = _member(db, api_settings, "Clinic", OrgKind.BUYER)
    reader_token = identity.create_token(db, buyer.user_id, [Scope.READ], actor=None).raw
    makers = [
        _member(db, api_settings, f"Maker {i}", OrgKind.MANUFACTURER, sites)
        for i, sites in enumerate(MAKER_SITES)
    ]
    app = create_app(api_settings, db=db, run_jobs=False, web=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(
            db=db,
            client=client,
            settings=api_settings,
            buyer=buyer,
            buyer_reader=Member(
                "Clinic reader", OrgKind.BUYER, buyer.org_id, buyer.user_id, reader_token
            ),
            makers=makers,
            inspector=_member(db, api_settings, "Inspect Co", OrgKind.INSPECTION_BODY),
            other_inspector=_member(db, api_settings, "Other Inspect", OrgKind.INSPECTION_BODY),
            stranger=_member(db, api_settings, "Other Clinic", OrgKind.BUYER),
            operator=_member(db, api_settings, "Operator", OrgKind.PLATFORM, scope=Scope.ADMIN),
        )


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
