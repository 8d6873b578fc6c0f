"""Demo sign-ins: one per role, each a working email and password."""

from __future__ import annotations

from fabnet.domain.design import Design, Part
from fabnet.domain.identity import OrgKind
from fabnet.services.catalogue.licensors import design_licensor, link_design_licensor
from fabnet.services.demo.signins import add_demo_signins
from fabnet.services.identity.accounts import create_organisation, create_user, get_organisation
from fabnet.services.identity.auth import authenticate_password
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository


def test_every_role_gets_a_sign_in_that_works(sqlite_db: Database) -> None:
    settings = Settings(secret_key="demo-signins")
    story_buyer = create_organisation(sqlite_db, "Story buyer", OrgKind.BUYER, actor=None)
    create_user(
        sqlite_db, "procurement@eahs.example", story_buyer.id, actor=None, settings=settings
    )
    signins = add_demo_signins(sqlite_db, settings)
    assert [s.role for s in signins] == [
        "buyer",
        "manufacturer",
        "manufacturer",
        "inspector",
        "licensor",
        "platform admin",
    ]
    assert signins[0].organisation == "Story buyer"  # the story's user, now with a password
    kinds = []
    for s in signins:
        user = authenticate_password(sqlite_db, s.email, s.password)
        kinds.append(get_organisation(sqlite_db, user.org_id, actor=None).kind)
    assert kinds == [
        OrgKind.BUYER,
        OrgKind.MANUFACTURER,
        OrgKind.MANUFACTURER,
        OrgKind.INSPECTION_BODY,
        OrgKind.DESIGNER,
        OrgKind.PLATFORM,
    ]
    assert len({s.password for s in signins}) == len(signins)


def test_the_demo_licensor_licenses_the_designs_nobody_licenses(sqlite_db: Database) -> None:
    with sqlite_db.transaction() as session:
        for design_id in ("d-open", "d-claimed"):
            DesignRepository(session).add_or_replace(
                Design(id=design_id, name=design_id, license="CERN-OHL-S-2.0",
                       parts=(Part(id="p", name="P"),))
            )  # fmt: skip
    studio = create_organisation(sqlite_db, "Studio", OrgKind.DESIGNER, actor=None)
    link_design_licensor(sqlite_db, None, "d-claimed", studio.id)
    signins = add_demo_signins(sqlite_db, Settings(secret_key="demo-signins"))
    [licensor] = [s for s in signins if s.role == "licensor"]
    assert design_licensor(sqlite_db, None, "d-open").org_name == licensor.organisation
    assert design_licensor(sqlite_db, None, "d-claimed").org_id == studio.id
