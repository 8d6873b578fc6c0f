"""A client of the composed app (web at /, API at /v1) with a buyer and a second organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind
from fabnet.server import create_app
from fabnet.services.identity import accounts as identity
from fabnet.settings import Settings
from fabnet.storage.db import Database

PASSWORD = "correct horse battery"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _chromium_installed(request: pytest.FixtureRequest) -> None:
    """A browser test without Debian's Chromium fails (scripts/setup.sh installs it): the browser
    checks are never skipped."""
    if request.node.get_closest_marker("browser") and not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh", pytrace=False)


@dataclass(frozen=True)
class WebParties:
    buyer_email: str
    other_email: str


@pytest.fixture
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web-data"), secret_key="web-test-secret")


@pytest.fixture
def web(db: Database, web_settings: Settings) -> Iterator[TestClient]:
    app = create_app(web_settings, db=db, run_jobs=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def web_parties(db: Database, web_settings: Settings) -> WebParties:
    buyer = identity.create_organisation(db, "Buyer Co", OrgKind.BUYER, actor=None)
    other = identity.create_organisation(db, "Other Buyer", OrgKind.BUYER, actor=None)
    identity.create_user(
        db, "ana@buyer.org", buyer.id, actor=None, password=PASSWORD, settings=web_settings
    )
    identity.create_user(
        db, "olu@other.org", other.id, actor=None, password=PASSWORD, settings=web_settings
    )
    return WebParties("ana@buyer.org", "olu@other.org")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/signin").text)
    answer = client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
