"""Taxonomy semantics for processes and materials, safe for ids a vocabulary does not know.

A requirement is met by the same node or a more specific one (a descendant), never by a more
general node or a sibling. An id a vocabulary does not know meets only itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import get_process_taxonomy


class Hierarchy(Protocol):
    def satisfies(self, offered: str, required: str) -> bool: ...

    def ancestors(self, term_id: str) -> Iterable[str]: ...

    def ids(self) -> Iterable[str]: ...


class Terms:
    """One vocabulary with cached closures (the node and all its ancestors)."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self._hierarchy = hierarchy
        self._known = frozenset(hierarchy.ids())
        self._closures: dict[str, tuple[str, ...]] = {}

    def known(self, term_id: str) -> bool:
        return term_id in self._known

    def closure(self, term_id: str) -> tuple[str, ...]:
        """``term_id`` and every more general node: the requirements that it satisfies."""
        cached = self._closures.get(term_id)
        if cached is None:
            if term_id in self._known:
                ancestors = [a for a in self._hierarchy.ancestors(term_id) if a != term_id]
                cached = (term_id, *ancestors)
            else:
                cached = (term_id,)
            self._closures[term_id] = cached
        return cached

    def satisfies(self, offered: str, required: str) -> bool:
        return required in self.closure(offered)

    def any_satisfies(self, offered: Iterable[str], required: Iterable[str]) -> bool:
        wanted = set(required)
        return any(not wanted.isdisjoint(self.closure(o)) for o in offered)


@lru_cache(maxsize=1)
def process_terms() -> Terms:
    return Terms(get_process_taxonomy())


@lru_cache(maxsize=1)
def material_terms() -> Terms:
    return Terms(get_material_vocabulary())
