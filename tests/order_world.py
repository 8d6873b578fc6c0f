"""The one order world of the order tests (services, API and CLI alike).

Organisations, each with one user and an API token: a buyer (plus a read-only token of the same
user), four manufacturers, two inspection bodies, a second buyer (the foreign organisation) and
the platform operator. Two designs under CERN-OHL-S-2.0:

- a face shield of one bare part (``headband``) for tests that award lots themselves, as the
  planner would propose them, at the workshops ``fac-0``..``fac-2`` (manufacturers 0-2);
- a 3D-printed finger splint (``splint``, FDM in PLA) that the planner can plan: five FDM
  facilities around Lake Victoria with rate cards including ``units_per_hour`` and a weekly
  capacity small enough that 150 splints need three of them (manufacturer 3 runs two).

Three evidence files (photos) are stored in the world's file store. Every member is itself a
``Principal`` (write scope), so service calls take ``world.buyer`` as the caller; API calls use
``member.headers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from fabnet.domain.common import Dimensions, Location
from fabnet.domain.design import Assembly, BomLine, Design, Part
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
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import LotView
from fabnet.services.platform.files import store_bytes
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

FACE_SHIELD_ID = "design-face-shield"
SPLINT_ID = "design-finger-splint-test"
#: (facility id, city, latitude, longitude, country, hourly rate) of the splint makers
SITES = (
    ("fac-nairobi", "Nairobi", -1.29, 36.82, "KE", 20.0),
    ("fac-kisumu", "Kisumu", -0.09, 34.77, "KE", 21.0),
    ("fac-kampala", "Kampala", 0.35, 32.58, "UG", 22.0),
    ("fac-arusha", "Arusha", -3.37, 36.68, "TZ", 23.0),
    ("fac-mwanza", "Mwanza", -2.52, 32.90, "TZ", 24.0),
)
#: Manufacturer i runs workshop fac-i (i < 3) and these splint sites (the last one runs two).
MAKER_SITES = (("fac-nairobi",), ("fac-kisumu",), ("fac-kampala",), ("fac-arusha", "fac-mwanza"))
WORKSHOPS = 3


class Member(Principal):
    """One organisation's user and API token; as a ``Principal`` it is that user with write
    scope (the operator: admin scope)."""

    name: str
    token: str

    @property
    def kind(self) -> OrgKind:
        return self.org_kind

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def principal(self) -> Principal:
        """The same caller as a plain ``Principal`` with write scope."""
        return Principal(user_id=self.user_id, org_id=self.org_id, org_kind=self.org_kind,
                         scopes=frozenset({Scope.WRITE}))  # fmt: skip


@dataclass
class World:
    db: Database
    settings: Settings
    store: FileStore
    buyer: Member
    buyer_reader: Member
    makers: list[Member]
    inspector: Member
    other_inspector: Member
    stranger: Member
    operator: Member
    evidence: list[str]
    """sha256 of three stored photos, for evidence of prototypes, inspections and deliveries."""
    client: TestClient | None = None
    """The API over ``db`` (the API tests' world)."""

    @property
    def api(self) -> TestClient:
        assert self.client is not None, "this world has no API client"
        return self.client

    def maker_of(self, lot: dict[str, Any] | LotView) -> Member:
        org_id = lot["manufacturer_org_id"] if isinstance(lot, dict) else lot.manufacturer_org_id
        return next(m for m in self.makers if m.org_id == org_id)

    def file_store(self) -> FileStore:
        return self.store


def face_shield_design() -> Design:
    headband = Part(id="headband", name="Headband")
    return Design(id=FACE_SHIELD_ID, name="Face shield", license="CERN-OHL-S-2.0",
                  licensor=("Prusa Research",), parts=(headband,))  # fmt: skip


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
        id=SPLINT_ID,
        name="Finger splint",
        license="CERN-OHL-S-2.0",
        licensor=("Splint Collective",),
        parts=(part,),
    )


SPLINT_KIT_ID = "design-splint-kit-test"


def splint_kit_design() -> Design:
    """Not in the world: the finger splint held by two FDM clips, clipped on by hand (a manual
    final assembly, so an order may ask for kits the recipient assembles)."""
    splint = splint_design().parts[0]
    clip = Part(id="clip", name="Clip", processes=("fdm",), materials=("pla",), mass_g=2.0,
                outer_dimensions=splint.outer_dimensions)  # fmt: skip
    step = Assembly(
        id="splint-kit", name="Splint kit", manual=True, minutes_per_unit=0.5,
        lines=(BomLine(item_id="splint", quantity=1), BomLine(item_id="clip", quantity=2)),
    )  # fmt: skip
    return Design(id=SPLINT_KIT_ID, name="Splint kit", license="CERN-OHL-S-2.0",
                  licensor=("Splint Collective",), parts=(splint, clip), assemblies=(step,),
                  root_assembly_id=step.id)  # fmt: skip


def splint_facility(
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


def _member(db: Database, settings: Settings | None, name: str, kind: OrgKind,
            facility_ids: tuple[str, ...] = (), scope: Scope = Scope.WRITE) -> Member:  # fmt: skip
    org = identity.create_organisation(db, name, kind, facility_ids, actor=None)
    email = f"{name.lower().replace(' ', '.')}@example.org"
    user = identity.create_user(db, email, org.id, actor=None, settings=settings)
    token = identity.create_token(db, user.id, [scope], actor=None).raw
    return Member(user_id=user.id, org_id=org.id, org_kind=kind, scopes=frozenset({scope}),
                  name=name, token=token)  # fmt: skip


def build_world(
    db: Database, settings: Settings | None = None, *, store: FileStore | None = None
) -> World:
    """The order world in ``db`` (see the module docstring). ``settings``: the secret key users'
    signing keys are sealed with (default: the process's settings, as services use them when
    called without); ``store``: the file store (default: the one of ``settings``)."""
    resolved = settings or get_settings()
    with db.transaction() as session:
        facilities = FacilityRepository(session)
        facilities.bulk_upsert(
            Facility(id=f"fac-{i}", name=f"Maker {i}'s workshop") for i in range(WORKSHOPS)
        )
        for site in SITES:
            facilities.add_or_replace(splint_facility(*site))
        designs = DesignRepository(session)
        designs.add_or_replace(face_shield_design())
        designs.add_or_replace(splint_design())
    store = store or FileStore(resolved.file_store_dir, max_bytes=resolved.max_file_bytes)
    evidence = [
        store_bytes(db, store, f"photo {i}".encode(), original_name=f"photo-{i}.jpg").sha256
        for i in range(3)
    ]
    buyer = _member(db, settings, "Buyer Hospital", OrgKind.BUYER)
    reader_token = identity.create_token(db, buyer.user_id, [Scope.READ], actor=None).raw
    makers = [
        _member(
            db,
            settings,
            f"Maker {i}",
            OrgKind.MANUFACTURER,
            ((f"fac-{i}",) if i < WORKSHOPS else ()) + sites,
        )
        for i, sites in enumerate(MAKER_SITES)
    ]
    return World(
        db=db,
        settings=resolved,
        store=store,
        buyer=buyer,
        buyer_reader=buyer.model_copy(
            update={
                "name": "Buyer Hospital reader",
                "token": reader_token,
                "scopes": frozenset({Scope.READ}),
            }
        ),
        makers=makers,
        inspector=_member(db, settings, "Inspect Co", OrgKind.INSPECTION_BODY),
        other_inspector=_member(db, settings, "Other Inspect", OrgKind.INSPECTION_BODY),
        stranger=_member(db, settings, "Other Buyer", OrgKind.BUYER),
        operator=_member(db, settings, "Operator", OrgKind.PLATFORM, scope=Scope.ADMIN),
        evidence=evidence,
    )
