"""Webhook subscriptions per organisation, and turning events into signed deliveries.

``emit_event_webhooks(db, event)`` is what other services call when something happened (an order
or lot transition, later): it records one delivery per matching active subscription and submits a
``webhooks.deliver`` job for each. Pass ``session`` to make the deliveries part of the caller's
transaction (they are sent only if it commits).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.errors import InputError, NotFoundError, PermissionDeniedError
from fabnet.outbox.queue import submit
from fabnet.services.platform.pagination import Page, check_limit, decode_time_cursor, page_by_time
from fabnet.services.platform.secrets_box import WEBHOOK_SECRET_PURPOSE, seal, unseal
from fabnet.settings import Settings, get_settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import IdentityRepository, aware, aware_or_none
from fabnet.storage.webhooks import WebhookDeliveryRow, WebhookSubscriptionRow

DELIVER_JOB = "webhooks.deliver"
SECRET_PURPOSE = WEBHOOK_SECRET_PURPOSE
ALL_EVENTS = "*"


class WebhookSubscription(Frozen):
    id: str
    org_id: str
    url: str
    event_types: tuple[str, ...] = Field(
        description="Event types delivered: exact names, 'prefix.*' or '*' for all"
    )
    active: bool
    version: int
    created_at: datetime


class CreatedSubscription(Frozen):
    subscription: WebhookSubscription
    secret: str = Field(description="The signing secret; shown once when fabnet generated it")


class WebhookEvent(Frozen):
    """Something that happened, for the organisations in ``org_ids``."""

    type: str = Field(min_length=1, max_length=100)
    org_ids: tuple[str, ...]
    data: dict[str, Any]
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = Field(default_factory=utc_now)


class WebhookDelivery(Frozen):
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class OutgoingWebhook(Frozen):
    """What the delivery job sends."""

    delivery_id: str
    url: str
    secret: str
    event_type: str
    body: bytes


def _subscription(row: WebhookSubscriptionRow) -> WebhookSubscription:
    return WebhookSubscription(
        id=row.id,
        org_id=row.org_id,
        url=row.url,
        event_types=tuple(row.event_types),
        active=row.active,
        version=row.version,
        created_at=aware(row.created_at),
    )


def _delivery(row: WebhookDeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=aware(row.created_at),
        delivered_at=aware_or_none(row.delivered_at),
    )


Resolver = Callable[[str], list[str]]
"""A host name to the addresses it stands for (``socket.getaddrinfo`` by default)."""


def system_resolver(name: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)]


def _why_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_global and not address.is_multicast:
        return None
    return f"{address} is not a globally routable address"


def resolve_target(
    host: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> tuple[str | None, str | None]:
    """Resolve ``host`` once: (the address to connect to, None), or (None, why not).

    Every address the name resolves to must be globally routable (``ipaddress`` ``is_global``:
    no loopback, private, link-local, shared 100.64.0.0/10, reserved or IPv4-mapped internal
    address) unless ``allow_private``; the caller connects to the returned address, never to the
    name again, so a resolver that answers differently the second time cannot redirect it."""
    name = host.strip("[]").lower()
    if not allow_private and (name == "localhost" or name.endswith(".localhost")):
        return None, f"{host} is this machine"
    try:
        addresses = [ipaddress.ip_address(name)]
    except ValueError:
        try:
            addresses = [
                ipaddress.ip_address(a.split("%")[0]) for a in (resolver or system_resolver)(name)
            ]
        except (OSError, ValueError) as exc:
            return None, f"{host} could not be resolved: {exc}"
    if not addresses:
        return None, f"{host} resolves to no address"
    if not allow_private:
        for address in addresses:
            why = _why_internal(address)
            if why:
                return None, f"{host} is an internal address ({why})"
    return str(addresses[0]), None


def private_target(host: str, *, resolve: bool, resolver: Resolver | None = None) -> str | None:
    """Why ``host`` is an internal target (not globally routable), or None.

    With ``resolve`` a name is looked up and every address it resolves to is checked; a name that
    does not resolve is not judged here (delivering to it fails anyway)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        ipaddress.ip_address(name)
    except ValueError:
        if not resolve:
            return None
    address, why = resolve_target(host, resolver=resolver)
    if address is None and why is not None and "could not be resolved" in why:
        return None
    return why


def _check_url(url: str, settings: Settings) -> str:
    value = url.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{url!r} is not an http(s) URL", field="url", hint="e.g. https://example.org/hooks"
        )
    if len(value) > 2000:
        raise InputError("the URL is longer than 2000 characters", field="url")
    if not settings.webhook_allow_private_targets:
        why = private_target(parts.hostname, resolve=False)
        if why:
            raise InputError(
                f"webhooks are not sent to internal addresses: {why}",
                field="url",
                hint="use a public URL (FABNET_WEBHOOK_ALLOW_PRIVATE_TARGETS=1 on closed networks)",
            )
    return value


def _check_event_types(event_types: Iterable[str]) -> list[str]:
    types = sorted({t.strip() for t in event_types if t.strip()})
    if not types:
        raise InputError(
            "no event types", field="event_types", hint="list event types, or '*' for all"
        )
    for t in types:
        if len(t) > 100 or " " in t:
            raise InputError(f"{t!r} is not an event type", field="event_types")
    return types


def create_subscription(
    db: Database,
    org_id: str,
    url: str,
    event_types: Iterable[str],
    *,
    actor: Principal | None,
    secret: str | None = None,
    settings: Settings | None = None,
) -> CreatedSubscription:
    """Register ``url`` for ``org_id``; without ``secret`` a random one is generated."""
    if actor is not None:
        actor.require(Scope.WRITE)
        actor.require_member(org_id)
    settings = settings or get_settings()
    if secret is not None and len(secret) < 16:
        raise InputError("the secret has fewer than 16 characters", field="secret")
    signing_secret = secret or "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    row = WebhookSubscriptionRow(
        id=str(uuid.uuid4()),
        org_id=org_id,
        url=_check_url(url, settings),
        secret_sealed=seal(
            signing_secret.encode("utf-8"), secret_key=settings.secret_key, purpose=SECRET_PURPOSE
        ),
        event_types=_check_event_types(event_types),
        active=True,
        version=1,
    )
    with db.transaction() as session:
        if IdentityRepository(session).organisation_row(org_id) is None:
            raise InputError(f"no organisation with id {org_id}", field="org_id")
        session.add(row)
        session.flush()
        return CreatedSubscription(subscription=_subscription(row), secret=signing_secret)


def _owned_subscription(
    session: Session, subscription_id: str, actor: Principal | None
) -> WebhookSubscriptionRow:
    row = session.get(WebhookSubscriptionRow, subscription_id)
    if row is None or (
        actor is not None and not actor.is_platform_admin and row.org_id != actor.org_id
    ):
        raise NotFoundError(f"no webhook subscription with id {subscription_id}")
    return row


def get_subscription(
    db: Database, subscription_id: str, *, actor: Principal | None
) -> WebhookSubscription:
    if actor is not None:
        actor.require(Scope.READ)
    with db.read() as session:
        return _subscription(_owned_subscription(session, subscription_id, actor))


def list_subscriptions(
    db: Database,
    *,
    actor: Principal | None,
    limit: int = 50,
    cursor: str | None = None,
    all_organisations: bool = False,
) -> Page[WebhookSubscription]:
    """The actor's organisation's subscriptions (all of them for the local operator, and for
    platform admins who ask for ``all_organisations``)."""
    if actor is not None:
        actor.require(Scope.READ)
        if all_organisations and not actor.is_platform_admin:
            raise PermissionDeniedError("only platform admins list every organisation's webhooks")
    check_limit(limit)
    after = decode_time_cursor(cursor)
    query = select(WebhookSubscriptionRow)
    if actor is not None and not all_organisations:
        query = query.where(WebhookSubscriptionRow.org_id == actor.org_id)
    if after is not None:
        at, after_id = after
        query = query.where(
            or_(
                WebhookSubscriptionRow.created_at > at,
                and_(WebhookSubscriptionRow.created_at == at, WebhookSubscriptionRow.id > after_id),
            )
        )
    query = query.order_by(WebhookSubscriptionRow.created_at, WebhookSubscriptionRow.id)
    with db.read() as session:
        items = [_subscription(r) for r in session.scalars(query.limit(limit + 1))]
    return page_by_time(items, limit, lambda s: (s.created_at, s.id))


def delete_subscription(db: Database, subscription_id: str, *, actor: Principal | None) -> None:
    if actor is not None:
        actor.require(Scope.WRITE)
    with db.transaction() as session:
        session.delete(_owned_subscription(session, subscription_id, actor))


def list_deliveries(
    db: Database, subscription_id: str, *, actor: Principal | None, limit: int = 50
) -> list[WebhookDelivery]:
    """The latest deliveries of a subscription, newest first."""
    if actor is not None:
        actor.require(Scope.READ)
    check_limit(limit)
    with db.read() as session:
        _owned_subscription(session, subscription_id, actor)
        rows = session.scalars(
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.subscription_id == subscription_id)
            .order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc())
            .limit(limit)
        )
        return [_delivery(r) for r in rows]


def _matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern in (ALL_EVENTS, event_type):
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def event_body(event: WebhookEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.data,
    }


def _emit(db: Database, session: Session, event: WebhookEvent) -> list[str]:
    if not event.org_ids:
        return []
    rows = session.scalars(
        select(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.org_id.in_(event.org_ids), WebhookSubscriptionRow.active
        )
    )
    body = json.loads(json.dumps(event_body(event), default=str))
    delivery_ids: list[str] = []
    for subscription in rows:
        if not _matches(subscription.event_types, event.type):
            continue
        delivery = WebhookDeliveryRow(
            id=str(uuid.uuid4()),
            subscription_id=subscription.id,
            event_id=event.id,
            event_type=event.type,
            body=body,
            status="pending",
            attempts=0,
        )
        session.add(delivery)
        session.flush()
        delivery.job_id = submit(DELIVER_JOB, {"delivery_id": delivery.id}, db=db, session=session)
        delivery_ids.append(delivery.id)
    return delivery_ids


def emit_event_webhooks(
    db: Database, event: WebhookEvent, *, session: Session | None = None
) -> list[str]:
    """Record and schedule a delivery per matching subscription; returns the delivery ids."""
    if session is not None:
        return _emit(db, session, event)
    with db.transaction() as own:
        return _emit(db, own, event)


def outgoing_webhook(
    db: Database, delivery_id: str, *, settings: Settings
) -> OutgoingWebhook | None:
    """What to send for ``delivery_id``; None when it was delivered or its subscription is gone."""
    with db.read() as session:
        delivery = session.get(WebhookDeliveryRow, delivery_id)
        if delivery is None or delivery.status == "delivered":
            return None
        subscription = session.get(WebhookSubscriptionRow, delivery.subscription_id)
        if subscription is None or not subscription.active:
            return None
        secret = unseal(
            subscription.secret_sealed,
            secret_key=settings.secret_key,
            purpose=SECRET_PURPOSE,
            previous_keys=settings.secret_keys[1:],
        ).decode("utf-8")
        body = json.dumps(delivery.body, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return OutgoingWebhook(
            delivery_id=delivery.id,
            url=subscription.url,
            secret=secret,
            event_type=delivery.event_type,
            body=body,
        )


def record_delivery_attempt(
    db: Database,
    delivery_id: str,
    *,
    attempt: int,
    status_code: int | None,
    error: str | None,
    final: bool,
) -> None:
    """Record one attempt: delivered on a 2xx, failed when it was the last attempt."""
    delivered = status_code is not None and 200 <= status_code < 300
    with db.transaction() as session:
        row = session.get(WebhookDeliveryRow, delivery_id)
        if row is None:
            return
        row.attempts = attempt
        row.last_status_code = status_code
        row.last_error = None if delivered else error
        if delivered:
            row.status = "delivered"
            row.delivered_at = utc_now()
        elif final:
            row.status = "failed"
