"""The Celery runner with Redis: a webhook delivery runs through a real worker and is retried.

Needs Redis at FABNET_TEST_REDIS_URL (default redis://127.0.0.1:6379, database 15 here); the test
fails when it is not reachable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from tests.webhook_receiver import Receiver

from fabnet.domain.identity import OrgKind
from fabnet.jobs.webhooks import SIGNATURE_HEADER, verify_signature
from fabnet.outbox import celery_app
from fabnet.outbox.queue import CeleryQueue, install_queue
from fabnet.services.identity import accounts as identity
from fabnet.services.platform import webhooks
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow
from fabnet.storage.webhooks import WebhookDeliveryRow


@pytest.fixture
def redis_url(redis_db: Callable[[int], str]) -> str:
    return redis_db(15)


@pytest.fixture
def celery_queue(sqlite_db: Database, redis_url: str) -> Iterator[CeleryQueue]:
    from celery.contrib.testing.worker import start_worker

    settings = Settings(
        job_backend="celery",
        redis_url=redis_url,
        secret_key="celery-test",
        job_retry_base_seconds=0.2,
        job_retry_max_seconds=0.4,
    )
    queue = CeleryQueue(sqlite_db, settings)
    previous = install_queue(queue)
    try:
        with start_worker(
            celery_app.app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            yield queue
    finally:
        install_queue(previous)
        celery_app.configure(get_settings())


def test_celery_worker_delivers_a_webhook_after_a_retry(
    celery_queue: CeleryQueue, receiver: Receiver
) -> None:
    db, settings = celery_queue.db, celery_queue.settings
    receiver.fail_first = 1
    org = identity.create_organisation(db, "Maker", OrgKind.MANUFACTURER, actor=None)
    webhooks.create_subscription(
        db, org.id, receiver.url, ["*"], actor=None, secret="x" * 20, settings=settings
    )
    (delivery_id,) = webhooks.emit_event_webhooks(
        db, webhooks.WebhookEvent(type="lot.shipped", org_ids=(org.id,), data={"n": 1})
    )
    received = receiver.wait_for(2, timeout=30)
    assert all(verify_signature("x" * 20, r.headers[SIGNATURE_HEADER], r.body) for r in received)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with db.read() as session:
            delivery = session.get(WebhookDeliveryRow, delivery_id)
            job = session.get(JobRow, delivery.job_id) if delivery and delivery.job_id else None
            if delivery and job and delivery.status == "delivered" and job.status == "succeeded":
                assert (delivery.attempts, job.attempts) == (2, 2)
                return
        time.sleep(0.1)
    raise AssertionError("the Celery worker did not finish the delivery")


def test_a_new_broker_is_used_for_sending_after_an_earlier_one(
    redis_db: Callable[[int], str],
) -> None:
    # A process that sent through one broker and is then configured for another (a CLI call, a test
    # after another test) must send to the new one, not through the pooled connection to the old.
    first, second = redis_db(13), redis_db(12)
    try:
        celery_app.configure(Settings(job_backend="celery", redis_url=first))
        with celery_app.app.producer_or_acquire() as producer:
            assert producer.connection.as_uri().endswith("/13")
        celery_app.configure(Settings(job_backend="celery", redis_url=second))
        with celery_app.app.producer_or_acquire() as producer:
            assert producer.connection.as_uri().endswith("/12")
    finally:
        celery_app.configure(get_settings())
