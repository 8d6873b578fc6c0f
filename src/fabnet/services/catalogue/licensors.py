"""Which organisation licenses a design on the platform.

A design's manifest names its licensor in words (``Design.licensor``); names are labels only, so
the designer organisation that speaks for the design (sees the orders that use it, answers
permission requests) is linked to it by id. Platform admins (and the local operator) link and
unlink; anyone signed in may read who licenses a design.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.errors import InputError, NotFoundError, PermissionDeniedError
from fabnet.storage.db import Database
from fabnet.storage.design_tables import DesignRow
from fabnet.storage.identity import IdentityRepository, aware
from fabnet.storage.licensing import DesignLicensorRow, LicensingRepository

#: Organisations that may license designs.
LICENSOR_KINDS = frozenset({OrgKind.DESIGNER})


class DesignLicensor(Frozen):
    design_id: str
    design_name: str
    licensor_names: tuple[str, ...]
    """Who the manifest names as licensor (words, from the design)."""
    org_id: str
    org_name: str
    linked_at: datetime


def _require_admin(actor: Principal | None) -> None:
    if actor is None:
        return
    actor.require(Scope.ADMIN)
    if not actor.is_platform_admin:
        raise PermissionDeniedError("only platform admins link designs to their licensors")


def _view(session: Session, row: DesignLicensorRow) -> DesignLicensor:
    design = session.get(DesignRow, row.design_id)
    org = IdentityRepository(session).organisation_row(row.org_id)
    return DesignLicensor(
        design_id=row.design_id,
        design_name=design.name if design is not None else row.design_id,
        licensor_names=tuple(design.licensor) if design is not None else (),
        org_id=row.org_id,
        org_name=org.name if org is not None else row.org_id,
        linked_at=aware(row.created_at),
    )


def link_design_licensor(
    db: Database, actor: Principal | None, design_id: str, org_id: str
) -> DesignLicensor:
    """Make ``org_id`` (a designer organisation) the licensor of ``design_id`` on the platform,
    replacing an earlier link."""
    _require_admin(actor)
    with db.transaction() as session:
        if session.get(DesignRow, design_id) is None:
            raise InputError(f"no design with id {design_id!r} in the registry",
                             field="design_id", hint="give the design's full id")  # fmt: skip
        org = IdentityRepository(session).organisation_row(org_id)
        if org is None:
            raise InputError(f"no organisation with id {org_id!r}", field="org_id")
        if OrgKind(org.kind) not in LICENSOR_KINDS:
            raise InputError(
                f"{org.name} is a {org.kind} organisation; designs are licensed by designer "
                "organisations",
                field="org_id",
            )
        row = LicensingRepository(session).link(
            design_id, org_id, actor.user_id if actor is not None else None
        )
        return _view(session, row)


def unlink_design_licensor(db: Database, actor: Principal | None, design_id: str) -> None:
    _require_admin(actor)
    with db.transaction() as session:
        if not LicensingRepository(session).unlink(design_id):
            raise NotFoundError(f"design {design_id} has no licensor organisation")


def design_licensor(db: Database, actor: Principal | None, design_id: str) -> DesignLicensor:
    """The organisation that licenses ``design_id``; NotFoundError when none is linked."""
    if actor is not None:
        actor.require(Scope.READ)
    with db.read() as session:
        row = LicensingRepository(session).licensor_of(design_id)
        if row is None:
            raise NotFoundError(f"design {design_id} has no licensor organisation on the platform")
        return _view(session, row)


def list_design_licensors(db: Database, actor: Principal | None) -> list[DesignLicensor]:
    """Every link (platform admins)."""
    _require_admin(actor)
    with db.read() as session:
        rows = session.scalars(select(DesignLicensorRow).order_by(DesignLicensorRow.design_id))
        return [_view(session, r) for r in rows]


def designs_licensed_by(db: Database, actor: Principal, org_id: str | None = None) -> list[str]:
    """Ids of the designs ``org_id`` (default: the actor's organisation) licenses."""
    actor.require(Scope.READ)
    org = org_id or actor.org_id
    if org != actor.org_id and not actor.is_platform_admin:
        raise NotFoundError(f"no organisation with id {org}")
    with db.read() as session:
        return LicensingRepository(session).designs_of(org)


def designs_without_licensor(db: Database) -> list[str]:
    """Ids of the registry's designs no organisation licenses yet (for the operator)."""
    with db.read() as session:
        linked = select(DesignLicensorRow.design_id)
        return list(
            session.scalars(
                select(DesignRow.id).where(DesignRow.id.not_in(linked)).order_by(DesignRow.id)
            )
        )


def claim_added_design(db: Database, actor: Principal | None, design_id: str) -> bool:
    """A designer organisation that adds a design new to the registry becomes its licensor
    (until a platform admin links it to another); returns whether it did. Anyone else adding
    a design, or a design licensed already, changes nothing."""
    if actor is None or actor.org_kind not in LICENSOR_KINDS:
        return False
    with db.transaction() as session:
        repo = LicensingRepository(session)
        if repo.licensor_of(design_id) is not None or session.get(DesignRow, design_id) is None:
            return False
        repo.link(design_id, actor.org_id, actor.user_id)
        return True
