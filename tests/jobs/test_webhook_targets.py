"""Webhooks are never sent to internal addresses unless the deployment allows it."""

from __future__ import annotations

import pytest

from fabnet.domain.identity import OrgKind
from fabnet.errors import InputError
from fabnet.services import identity, webhooks
from fabnet.services.webhooks import private_target
from fabnet.settings import Settings
from fabnet.storage.db import Database

STRICT = Settings(webhook_allow_private_targets=False, secret_key="test-key-for-webhook-targets")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_internal_targets_are_refused(db: Database, url: str) -> None:
    org = identity.create_organisation(db, "Buyer", OrgKind.BUYER, actor=None)
    with pytest.raises(InputError, match="internal"):
        webhooks.create_subscription(db, org.id, url, ["*"], actor=None, settings=STRICT)


def test_public_targets_are_accepted(db: Database) -> None:
    org = identity.create_organisation(db, "Buyer", OrgKind.BUYER, actor=None)
    created = webhooks.create_subscription(
        db, org.id, "https://93.184.215.14/hooks", ["order.*"], actor=None, settings=STRICT
    )
    assert created.subscription.url == "https://93.184.215.14/hooks"


def test_names_are_checked_after_resolution() -> None:
    assert private_target("localhost", resolve=False) is not None
    assert private_target("127.0.0.1", resolve=True) is not None
    assert private_target("93.184.215.14", resolve=True) is None
