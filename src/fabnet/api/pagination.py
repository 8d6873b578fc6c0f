"""Cursor pagination parameters of every listing endpoint (the page itself is
:class:`fabnet.services.platform.pagination.Page`, the one shape of every listing)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel

from fabnet.services.platform.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
)


class PageParams(BaseModel):
    limit: int
    cursor: str | None


async def page_params(
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
