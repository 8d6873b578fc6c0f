"""Sign-ins for the demo world: one email and password per role, printed by ``fabnet demo``.

The story's buyer, inspector and first two manufacturers get a password; a licensor (designer
organisation, made the licensor of every design no organisation licenses yet, so its pages show
the demo designs and the orders using them) and a platform admin are added. Users the story did
not make (``--no-story``) are created with their organisation. Demo passwords are fixed and
printed: only for demo databases.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabnet.domain.identity import OrgKind
from fabnet.services.catalogue.licensors import designs_without_licensor, link_design_licensor
from fabnet.services.identity.accounts import create_organisation, create_user, hash_password
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.identity import IdentityRepository


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    password: str
    organisation: str


_ROLES: tuple[tuple[str, str, str, OrgKind], ...] = (
    ("buyer", "procurement@eahs.example", "East Africa Health Supply (demo buyer)", OrgKind.BUYER),
    ("manufacturer", "maker0@fabnet-demo.example", "Demo manufacturer 1", OrgKind.MANUFACTURER),
    ("manufacturer", "maker1@fabnet-demo.example", "Demo manufacturer 2", OrgKind.MANUFACTURER),
    (
        "inspector",
        "inspections@afriqa.example",
        "AfriQA Inspection Services (demo)",
        OrgKind.INSPECTION_BODY,
    ),
    (
        "licensor",
        "licensing@openhw-designs.example",
        "Open Hardware Designs (demo licensor)",
        OrgKind.DESIGNER,
    ),
    (
        "platform admin",
        "admin@fabnet-demo.example",
        "fabnet platform (demo operator)",
        OrgKind.PLATFORM,
    ),
)


def demo_password(role: str, index: int) -> str:
    return f"demo-{role.replace(' ', '-')}-{index + 1}"


def add_demo_signins(db: Database, settings: Settings) -> list[DemoSignIn]:
    """Give each demo role a user with a known password (creating what is missing)."""
    out: list[DemoSignIn] = []
    for index, (role, email, org_name, kind) in enumerate(_ROLES):
        password = demo_password(role, index)
        with db.transaction() as session:
            repo = IdentityRepository(session)
            row = repo.user_row_by_email(email)
            if row is not None:
                row.password_hash = hash_password(password)
                org = repo.organisation_row(row.org_id)
                name = org.name if org is not None else org_name
                session.flush()
        if row is None:
            created = create_organisation(db, org_name, kind, actor=None)
            create_user(
                db,
                email,
                created.id,
                actor=None,
                password=password,
                settings=settings,
                display_name=f"{org_name.split(' (')[0]} (demo user)",
            )
            name = created.name
        if kind is OrgKind.DESIGNER:
            _license_unclaimed_designs(db, email)
        out.append(DemoSignIn(role, email, password, name))
    return out


def _license_unclaimed_designs(db: Database, email: str) -> None:
    with db.read() as session:
        user = IdentityRepository(session).user_row_by_email(email)
        org_id = user.org_id if user is not None else None
    if org_id is None:
        return
    for design_id in designs_without_licensor(db):
        link_design_licensor(db, None, design_id, org_id)
