"""Webhook subscriptions of the caller's organisation, and their delivery records."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from fabnet.api.deps import DbDep, Reader, SettingsDep, Writer
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.schemas import WebhookCreate
from fabnet.services.platform import webhooks
from fabnet.services.platform.pagination import Page
from fabnet.services.platform.webhooks import WebhookDelivery, WebhookSubscription

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=PROBLEM_RESPONSES)


class SubscriptionCreated(BaseModel):
    subscription: WebhookSubscription
    secret: str


@router.get("", response_model=Page[WebhookSubscription])
def list_webhooks(db: DbDep, principal: Reader, page: PageDep) -> Page[WebhookSubscription]:
    return webhooks.list_subscriptions(db, actor=principal, limit=page.limit, cursor=page.cursor)


@router.post("", response_model=SubscriptionCreated, status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookCreate, db: DbDep, settings: SettingsDep, principal: Writer, response: Response
) -> SubscriptionCreated:
    """Register a URL; deliveries are POSTed with ``X-Fabnet-Signature`` (HMAC-SHA256)."""
    created = webhooks.create_subscription(
        db,
        body.org_id or principal.org_id,
        body.url,
        body.event_types,
        actor=principal,
        secret=body.secret,
        settings=settings,
    )
    response.headers["Location"] = f"/v1/webhooks/{created.subscription.id}"
    response.headers["Cache-Control"] = "no-store"
    return SubscriptionCreated(subscription=created.subscription, secret=created.secret)


@router.get("/{subscription_id}", response_model=WebhookSubscription)
def get_webhook(subscription_id: str, db: DbDep, principal: Reader) -> WebhookSubscription:
    return webhooks.get_subscription(db, subscription_id, actor=principal)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(subscription_id: str, db: DbDep, principal: Writer) -> Response:
    webhooks.delete_subscription(db, subscription_id, actor=principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{subscription_id}/deliveries", response_model=list[WebhookDelivery])
def list_deliveries(
    subscription_id: str, db: DbDep, principal: Reader, limit: int = 50
) -> list[WebhookDelivery]:
    return webhooks.list_deliveries(db, subscription_id, actor=principal, limit=limit)
