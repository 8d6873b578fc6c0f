"""A plan made without an order (``fabnet plan --as EMAIL``) is readable by its organisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.errors import NotFoundError
from fabnet.services.identity.accounts import create_organisation
from fabnet.services.orders.orders import get_order_plan
from fabnet.services.sourcing.planning import plan_order
from fabnet.storage.db import Database

from .test_plan_order import _spec


def _reader(db: Database, name: str) -> Principal:
    org = create_organisation(db, name, OrgKind.BUYER, (), actor=None)
    return Principal(user_id="u-" + name, org_id=org.id, org_kind=OrgKind.BUYER,
                     scopes=frozenset({Scope.READ}))  # fmt: skip


def test_a_standalone_plan_belongs_to_the_organisation_that_made_it(
    catalogue: Database, tmp_path: Path
) -> None:
    owner, other = _reader(catalogue, "Owner"), _reader(catalogue, "Other")
    record = plan_order(catalogue, _spec(tmp_path), owner_org_id=owner.org_id)
    assert get_order_plan(catalogue, owner, record.id).id == record.id
    with pytest.raises(NotFoundError):
        get_order_plan(catalogue, other, record.id)
    anonymous = plan_order(catalogue, _spec(tmp_path))
    with pytest.raises(NotFoundError):
        get_order_plan(catalogue, owner, anonymous.id)
    assert get_order_plan(catalogue, None, anonymous.id).id == anonymous.id
