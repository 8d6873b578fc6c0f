"""Webhook deliveries: signed, retried with growing delays, recorded; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest
import standardwebhooks
import standardwebhooks.webhooks
from sqlalchemy import select
from tests.webhook_receiver import Receiver

from fabnet.domain.identity import OrgKind
from fabnet.jobs.webhooks import (
    SIGNATURE_HEADER,
    signature_header,
    standard_headers,
    verify_signature,
)
from fabnet.outbox.queue import InProcessQueue
from fabnet.services.identity import accounts as identity
from fabnet.services.platform import webhooks
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow
from fabnet.storage.webhooks import WebhookDeliveryRow

SECRET = "whsec_test_secret_0123456789"


def _subscribe(db: Database, settings: Settings, url: str, types: list[str]) -> str:
    org = identity.create_organisation(db, "Maker", OrgKind.MANUFACTURER, actor=None)
    webhooks.create_subscription(
        db, org.id, url, types, actor=None, secret=SECRET, settings=settings
    )
    return org.id


def _wait_delivery(db: Database, delivery_id: str, status: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as session:
            row = session.get(WebhookDeliveryRow, delivery_id)
            if row is not None and row.status == status:
                return
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} never became {status}")


def _settled_job(db: Database, timeout: float = 10.0) -> tuple[str, int, str | None]:
    """The one job's (status, attempts, last error) once its runner has closed it: the delivery
    row is updated inside the attempt, the job row right after it."""
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as session:
            job = session.scalars(select(JobRow)).one()
            found = (job.status, job.attempts, job.last_error)
        if found[0] != "running" or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_delivery_is_signed_and_retried_with_backoff_until_it_succeeds(
    db: Database, queue: InProcessQueue, fast_settings: Settings, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    org_id = _subscribe(db, fast_settings, receiver.url, ["lot.*"])
    event = webhooks.WebhookEvent(type="lot.accepted", org_ids=(org_id,), data={"lot_id": "L1"})
    (delivery_id,) = webhooks.emit_event_webhooks(db, event)

    received = receiver.wait_for(3)
    _wait_delivery(db, delivery_id, "delivered")
    for request in received:
        assert verify_signature(SECRET, request.headers[SIGNATURE_HEADER], request.body)
        assert not verify_signature(
            "another secret", request.headers[SIGNATURE_HEADER], request.body
        )
        assert request.body == received[0].body
        assert request.headers["X-Fabnet-Event"] == "lot.accepted"
        # Standard Webhooks: the convention's own library verifies it; one id on every retry
        verified = standardwebhooks.Webhook(SECRET).verify(request.body, request.headers)
        assert verified["id"] == event.id
        assert request.headers["webhook-id"] == delivery_id
        with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
            standardwebhooks.Webhook(b"another secret").verify(request.body, request.headers)
    assert json.loads(received[0].body) == {
        "id": event.id,
        "type": "lot.accepted",
        "occurred_at": event.occurred_at.isoformat(),
        "data": {"lot_id": "L1"},
    }
    # Equal-jitter backoff: after attempt n the delay is in [base 2^(n-1) / 2, base 2^(n-1)].
    first_gap = received[1].at - received[0].at
    second_gap = received[2].at - received[1].at
    assert first_gap >= 0.1
    assert second_gap >= 0.2
    history = webhooks.list_deliveries(
        db, webhooks.list_subscriptions(db, actor=None).items[0].id, actor=None
    )
    assert [(d.status, d.attempts, d.last_status_code) for d in history] == [("delivered", 3, 204)]
    status, attempts, _ = _settled_job(db)
    assert (status, attempts) == ("succeeded", 3)


def test_delivery_gives_up_after_max_attempts_and_records_it(
    db: Database, queue: InProcessQueue, fast_settings: Settings, receiver: Receiver
) -> None:
    receiver.fail_first = 1000
    org_id = _subscribe(db, fast_settings, receiver.url, ["*"])
    (delivery_id,) = webhooks.emit_event_webhooks(
        db, webhooks.WebhookEvent(type="order.cancelled", org_ids=(org_id,), data={})
    )
    _wait_delivery(db, delivery_id, "failed", timeout=30)
    assert len(receiver.requests) == 8
    status, attempts, last_error = _settled_job(db)
    assert (status, attempts) == ("dead", 8)
    assert "answered HTTP 503" in (last_error or "")


def test_only_matching_subscriptions_of_the_addressed_organisations_get_events(
    db: Database, fast_settings: Settings
) -> None:
    org_id = _subscribe(db, fast_settings, "https://example.org/a", ["lot.shipped"])
    other = identity.create_organisation(db, "Buyer", OrgKind.BUYER, actor=None)
    webhooks.create_subscription(
        db, other.id, "https://example.org/b", ["*"], actor=None, settings=fast_settings
    )
    # No runner is started here: the deliveries are recorded, not sent.
    from fabnet.outbox.queue import InProcessQueue, install_queue

    idle = InProcessQueue(db, fast_settings)
    previous = install_queue(idle)
    try:
        assert (
            webhooks.emit_event_webhooks(
                db, webhooks.WebhookEvent(type="lot.accepted", org_ids=(org_id,), data={})
            )
            == []
        )
        assert (
            len(
                webhooks.emit_event_webhooks(
                    db,
                    webhooks.WebhookEvent(type="lot.shipped", org_ids=(org_id, other.id), data={}),
                )
            )
            == 2
        )
        # Deliveries inside a caller's transaction vanish with its rollback.
        try:
            with db.transaction() as session:
                webhooks.emit_event_webhooks(
                    db,
                    webhooks.WebhookEvent(type="lot.shipped", org_ids=(org_id,), data={}),
                    session=session,
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with db.read() as session:
            assert len(session.scalars(select(JobRow)).all()) == 2
    finally:
        idle.stop()
        install_queue(previous)


def test_generated_whsec_secrets_verify_with_the_standard_library() -> None:
    import base64
    import secrets

    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    body = b'{"id":"evt_1"}'
    now = int(time.time())
    headers = standard_headers(secret, "dlv_1", now, body)
    assert standardwebhooks.Webhook(secret).verify(body, headers) == {"id": "evt_1"}
    tampered = dict(headers, **{"webhook-id": "dlv_2"})
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body, tampered)
    stale = standard_headers(secret, "dlv_1", now - 600, body)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(body, stale)


def test_signature_header_rejects_tampering_and_stale_timestamps() -> None:
    body = b'{"a":1}'
    now = 1_700_000_000
    header = signature_header("s3cret", body, now)
    assert header.startswith(f"t={now},v1=")
    assert verify_signature("s3cret", header, body, now=now + 10)
    assert not verify_signature("s3cret", header, b'{"a":2}', now=now)
    assert not verify_signature("s3cret", header, body, now=now + 301)
    assert not verify_signature("s3cret", "v1=abc", body, now=now)
