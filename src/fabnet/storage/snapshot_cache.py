"""What a read snapshot read, kept for the snapshot's life: a query asked twice is read once.

A page that asks many services about one order (the order dashboard asks seven about each of
its lots) repeats queries: each service loads the lot, its order and the order's parties before
it answers. Inside :meth:`fabnet.storage.db.Database.read_snapshot` the session carries a
:class:`SnapshotCache`: a SELECT whose statement and bound values it has answered already is
answered from the rows it read then, through the session's identity map, without a round trip.

A snapshot is for reads only (writes use their own sessions), so what it read stays what it
shows for the page it builds. Row locks (``FOR UPDATE``) and ``populate_existing`` always go to
the database.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Result
from sqlalchemy.engine.result import FrozenResult
from sqlalchemy.orm import ORMExecuteState, Session, loading
from sqlalchemy.sql import ClauseElement

_INFO_KEY = "fabnet_snapshot_cache"
T = TypeVar("T")


class SnapshotCache:
    """The frozen results of one snapshot session's SELECTs, by statement and bound values."""

    def __init__(self) -> None:
        self.results: dict[Hashable, FrozenResult[Any]] = {}
        self.answers: dict[Hashable, Any] = {}
        #: Every row object the snapshot loaded, held so the session's (weak) identity map keeps
        #: it: ``session.get`` of a row read earlier in the page is then answered without a query.
        self.rows: list[object] = []
        self.hits = 0
        self.misses = 0


def attach(session: Session) -> SnapshotCache:
    """Give ``session`` a cache (for the life of a read snapshot)."""
    cache = SnapshotCache()
    session.info[_INFO_KEY] = cache
    return cache


@event.listens_for(Session, "loaded_as_persistent")
def _hold_row(session: Session, instance: object) -> None:
    cache = session.info.get(_INFO_KEY)
    if isinstance(cache, SnapshotCache):
        cache.rows.append(instance)


def detach(session: Session) -> None:
    session.info.pop(_INFO_KEY, None)


def active(session: Session) -> bool:
    """Whether ``session`` belongs to a read snapshot (so reading ahead pays)."""
    return isinstance(session.info.get(_INFO_KEY), SnapshotCache)


def store(session: Session, key: Hashable, answer: Any) -> None:
    """Record what :func:`remember` would load for ``key`` (read ahead for many keys in one
    query); nothing outside a snapshot."""
    cache = session.info.get(_INFO_KEY)
    if isinstance(cache, SnapshotCache):
        cache.answers.setdefault(key, answer)


def remember(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, read once per snapshot for ``key`` (every time outside a snapshot): for a
    repository's hottest reads, which then skip even building their statement. The answer is
    shared, so callers must not change it."""
    cache = session.info.get(_INFO_KEY)
    if not isinstance(cache, SnapshotCache):
        return load()
    if key in cache.answers:
        cache.hits += 1
        return cache.answers[key]  # type: ignore[no-any-return]
    cache.misses += 1
    answer = cache.answers[key] = load()
    return answer


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value  # type: ignore[no-any-return]


def _key(state: ORMExecuteState) -> Hashable | None:
    statement = state.statement
    if not isinstance(statement, ClauseElement):
        return None
    generated = statement._generate_cache_key()  # SQLAlchemy's own statement key
    if generated is None:  # a construct SQLAlchemy cannot key: always ask the database
        return None
    values = tuple(_hashable(bind.effective_value) for bind in generated.bindparams)
    return (generated.key, values, _hashable(state.parameters or {}))


@event.listens_for(Session, "do_orm_execute")
def _answer_from_snapshot(state: ORMExecuteState) -> Result[Any] | None:
    cache = state.session.info.get(_INFO_KEY)
    if not isinstance(cache, SnapshotCache) or not state.is_select:
        return None
    if state.is_column_load or state.is_relationship_load:
        return None  # refreshes and lazy loads: the identity map handles them
    locks = getattr(state.statement, "_for_update_arg", None) is not None
    if locks or state.execution_options.get("populate_existing"):
        return None
    key = _key(state)
    if key is None:
        return None
    frozen = cache.results.get(key)
    if frozen is None:
        cache.misses += 1
        frozen = state.invoke_statement().freeze()
        cache.results[key] = frozen
    else:
        cache.hits += 1
    merged: FrozenResult[Any] = loading.merge_frozen_result(  # type: ignore[no-untyped-call]
        state.session, state.statement, frozen, load=False
    )
    return merged()
