"""Cursor pagination parameters and the page shape of every listing endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from fabnet.services.platform.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
)

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(description="next_cursor of the previous page; omit for the first")
    ] = None,
) -> PageParams:
    # An empty ``cursor=`` (a client templating next_cursor: null) means the first page.
    return PageParams(limit=limit, cursor=cursor or None)


PageDep = Annotated[PageParams, Depends(page_params)]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Opaque; pass as ?cursor= for the next page. null: last page"
    )


def id_cursor(after_id: str | None) -> str | None:
    """Wrap an ``after_id`` keyset (designs, facilities) in the opaque cursor format."""
    return None if after_id is None else encode_cursor([after_id])


def after_id(cursor: str | None) -> str | None:
    return None if cursor is None else decode_cursor(cursor, 1)[0]
