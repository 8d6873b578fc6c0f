"""The caller's notifications: what other parties did to the orders the user takes part in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fabnet.api.deps import DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.services.platform import notifications
from fabnet.services.platform.notifications import Notification

router = APIRouter(prefix="/v1/notifications", tags=["notifications"], responses=PROBLEM_RESPONSES)


class NotificationList(BaseModel):
    items: list[Notification]
    unread: int


class ReadIn(BaseModel):
    ids: list[int] | None = Field(default=None, description="Which to mark read (none: all)")


class ReadOut(BaseModel):
    marked: int


@router.get("", response_model=NotificationList)
def list_notifications(
    db: DbDep,
    principal: Reader,
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> NotificationList:
    """Newest first, with the number still unread."""
    items = notifications.list_notifications(db, principal, unread_only=unread, limit=limit)
    return NotificationList(items=items, unread=notifications.unread_count(db, principal))


@router.post("/read", response_model=ReadOut)
def mark_read(body: ReadIn, db: DbDep, principal: Reader) -> ReadOut:
    """Mark notifications read (only the caller's own)."""
    return ReadOut(marked=notifications.mark_read(db, principal, body.ids))
