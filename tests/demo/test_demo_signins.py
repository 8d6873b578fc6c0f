"""Demo sign-ins: one per role, each a working email and password."""

from __future__ import annotations

from fabnet.domain.identity import OrgKind
from fabnet.services.demo.signins import add_demo_signins
from fabnet.services.identity.accounts import create_organisation, create_user, get_organisation
from fabnet.services.identity.auth import authenticate_password
from fabnet.settings import Settings
from fabnet.storage.db import Database


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
