"""Cursor pagination shared by every listing service (and the REST API on top).

A cursor is opaque to clients: URL-safe base64 of a small JSON list of the last item's sort key,
e.g. ``[created_at_iso, id]`` or ``[id]``. Services decode it into a typed key, query with a
keyset condition (``(created_at, id) > key``) and return a :class:`Page` with ``next_cursor`` set
when there may be more.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from fabnet.errors import InputError

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing; pass ``next_cursor`` back as ``cursor`` for the next page.

    The one page shape of every listing: service results, API responses and ``--json`` output.
    """

    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Opaque; pass as ?cursor= for the next page. null: last page"
    )


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            f"limit must be between 1 and {MAX_LIMIT}, got {limit}",
            field="limit",
            hint="ask for the next page with next_cursor",
        )
    return limit


def encode_cursor(key: Sequence[str]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """The key inside ``cursor``; a cursor that is not one of ours is an InputError."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        value = None
    if not (
        isinstance(value, list) and len(value) == parts and all(isinstance(v, str) for v in value)
    ):
        raise InputError(
            "the cursor is not valid",
            field="cursor",
            hint="pass next_cursor from the previous page",
        )
    return [str(v) for v in value]


def decode_id_cursor(cursor: str | None) -> str | None:
    """Decode an ``[id]`` cursor (listings ordered by id); None stays None (first page)."""
    return None if cursor is None else decode_cursor(cursor, 1)[0]


def page_by_id(items: Sequence[T], limit: int, key: Callable[[T], str]) -> Page[T]:
    """A page from up to ``limit + 1`` items ordered by id (the extra one only says 'there is
    more')."""
    page = list(items[:limit])
    next_cursor = encode_cursor([key(page[-1])]) if len(items) > limit and page else None
    return Page[T](items=page, next_cursor=next_cursor)


def decode_time_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """Decode a ``(created_at, id)`` cursor; None stays None (first page)."""
    if cursor is None:
        return None
    at, item_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(at), item_id
    except ValueError:
        raise InputError("the cursor is not valid", field="cursor") from None


def page_by_time(items: list[T], limit: int, key: Callable[[T], tuple[datetime, str]]) -> Page[T]:
    """A page from up to ``limit + 1`` fetched items (the extra one only says 'there is more')."""
    has_more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if has_more and items:
        at, item_id = key(items[-1])
        next_cursor = encode_cursor([at.isoformat(), item_id])
    return Page[T](items=items, next_cursor=next_cursor)
