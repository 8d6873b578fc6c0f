"""An API client over the ``db`` fixture, with organisations, users and tokens of each scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind, Scope
from fabnet.server import create_app
from fabnet.services.identity import accounts as identity
from fabnet.settings import Settings
from fabnet.storage.db import Database


@dataclass(frozen=True)
class Parties:
    buyer_org: str
    platform_org: str
    buyer_user: str
    reader: str
    writer: str
    admin: str
    platform_admin: str

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("api-data"),
        secret_key="api-test-secret",
        max_file_bytes=200_000,
    )


@pytest.fixture
def client(db: Database, api_settings: Settings) -> Iterator[TestClient]:
    app = create_app(api_settings, db=db, run_jobs=False, web=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def parties(db: Database, api_settings: Settings) -> Parties:
    buyer = identity.create_organisation(db, "Buyer Co", OrgKind.BUYER, actor=None)
    platform = identity.create_organisation(db, "Operator", OrgKind.PLATFORM, actor=None)
    user = identity.create_user(db, "ana@buyer.org", buyer.id, actor=None, settings=api_settings)
    root = identity.create_user(db, "root@op.org", platform.id, actor=None, settings=api_settings)

    def token(user_id: str, scope: Scope) -> str:
        return identity.create_token(db, user_id, [scope], actor=None).raw

    return Parties(
        buyer_org=buyer.id,
        platform_org=platform.id,
        buyer_user=user.id,
        reader=token(user.id, Scope.READ),
        writer=token(user.id, Scope.WRITE),
        admin=token(user.id, Scope.ADMIN),
        platform_admin=token(root.id, Scope.ADMIN),
    )
