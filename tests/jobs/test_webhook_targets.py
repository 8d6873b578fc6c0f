"""Webhooks are never sent to internal addresses unless the deployment allows it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from tests.webhook_receiver import Receiver

from fabnet.domain.identity import OrgKind
from fabnet.errors import InputError
from fabnet.jobs import webhooks as delivery
from fabnet.outbox.queue import InProcessQueue
from fabnet.services.identity import accounts as identity
from fabnet.services.platform import webhooks
from fabnet.services.platform.webhooks import private_target, resolve_target
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


@pytest.mark.parametrize(
    "address",
    ["100.64.0.1", "100.127.255.254", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "0.0.0.0",
     "198.18.0.1", "fc00::1", "fe80::1", "240.0.0.1", "224.0.0.1"],
)  # fmt: skip
def test_every_address_that_is_not_globally_routable_is_refused(address: str) -> None:
    assert private_target(address, resolve=True) is not None
    assert private_target("hooks.example.test", resolve=True, resolver=lambda _: [address])


def test_a_name_with_one_internal_address_among_public_ones_is_refused() -> None:
    def lying(_: str) -> list[str]:
        return ["93.184.215.14", "127.0.0.1"]

    address, why = resolve_target("hooks.example.test", resolver=lying)
    assert address is None and why is not None and "127.0.0.1" in why


def test_the_name_is_resolved_once_and_the_checked_address_is_returned() -> None:
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])  # public first, loopback afterwards
    calls: list[str] = []

    def rebinding(name: str) -> list[str]:
        calls.append(name)
        return next(answers)

    assert resolve_target("hooks.example.test", resolver=rebinding) == ("93.184.215.14", None)
    assert calls == ["hooks.example.test"]


def test_delivery_connects_to_the_checked_address_not_the_name_again(
    db: Database,
    queue: InProcessQueue,
    fast_settings: Settings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The URL's name resolves only through fabnet's resolver (to the receiver's 127.0.0.1):
    a client that resolved the name again itself could not reach the receiver."""
    port = urlsplit(receiver.url).port
    monkeypatch.setattr(delivery, "RESOLVER", lambda name: ["127.0.0.1"])
    org = identity.create_organisation(db, "Maker", OrgKind.MANUFACTURER, actor=None)
    webhooks.create_subscription(
        db, org.id, f"http://hooks.fabnet-pinning.invalid:{port}/hooks/fabnet", ["*"],
        actor=None, settings=fast_settings,
    )  # fmt: skip
    event = webhooks.WebhookEvent(type="lot.accepted", org_ids=(org.id,), data={})
    webhooks.emit_event_webhooks(db, event)
    (request,) = receiver.wait_for(1)
    assert request.headers["Host"] == f"hooks.fabnet-pinning.invalid:{port}"
