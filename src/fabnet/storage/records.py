"""Small value types the repositories return, and helpers shared by them."""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, FromClause, Select, select
from sqlalchemy.orm import Session

#: Bound parameters per ``IN (...)`` clause; well under SQLite's and PostgreSQL's limits.
IN_CHUNK = 500


@dataclass(frozen=True)
class RecordRef:
    """An id and the name that goes with it (for listings and "did you mean" messages)."""

    id: str
    name: str


class WriteOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class UpsertCounts:
    """What a bulk write did, by id."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def add(self, outcome: WriteOutcome, record_id: str) -> None:
        {
            WriteOutcome.CREATED: self.created,
            WriteOutcome.UPDATED: self.updated,
            WriteOutcome.UNCHANGED: self.unchanged,
        }[outcome].append(record_id)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def content_hash(model: BaseModel) -> str:
    """sha256 of a domain model's canonical JSON: equal models give equal hashes."""
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()


def chunks(items: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_by_owner(
    session: Session,
    table: FromClause,
    owner_column: str,
    owner_ids: Sequence[str] | None,
    order_by: Iterable[str],
) -> dict[str, list[dict[str, Any]]]:
    """Rows of a child ``table`` grouped by owner id, in ``order_by`` order.

    ``owner_ids=None`` loads the whole table in one query (bulk load); otherwise chunked ``IN``.
    """
    owner = table.c[owner_column]
    ordering = [owner, *(table.c[name] for name in order_by)]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    filters: list[ColumnElement[bool] | None] = (
        [None] if owner_ids is None else [owner.in_(chunk) for chunk in chunks(owner_ids)]
    )
    for where in filters:
        query = select(table).order_by(*ordering)
        if where is not None:
            query = query.where(where)
        for row in fetch_dicts(session, query):
            grouped[row[owner_column]].append(row)
    return grouped


def fetch_dicts(session: Session, query: Select[Any]) -> list[dict[str, Any]]:
    """The rows of ``query`` as plain dicts (cheaper than RowMapping for bulk loads)."""
    result = session.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects (bulk loads).

    Building thousands of frozen models triggers repeated full collections that find nothing;
    pausing it makes loading the whole registry about a third faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def str_list(value: Any) -> tuple[str, ...]:
    """A JSON list column as a tuple of strings (``None`` reads as empty)."""
    return tuple(str(v) for v in (value or []))
