"""A tree of terms (processes, materials) with an exact, folded lookup index.

Both vocabularies share the same shape: a YAML tree of nodes, each with an ``id`` (kebab slug),
a ``label``, ``aliases`` and ``children``, plus vocabulary-specific code lists. The YAML is
validated on load; a broken file is a :class:`~fabnet.errors.ConfigurationError` naming the
file and the node, because the files ship with fabnet and a user cannot fix them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import yaml

from fabnet.errors import ConfigurationError, UnknownTermError
from fabnet.vocab._text import fold, wikidata_id, wikipedia_title

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9]\d*$")


class TermNode(Protocol):
    """What every vocabulary node offers (processes and materials)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def wikipedia(self) -> tuple[str, ...]: ...
    @property
    def wikidata(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=TermNode)

RawNode = dict[str, Any]


def load_yaml_tree(
    path: Path, *, list_fields: Sequence[str], scalar_fields: Sequence[str] = ()
) -> list[RawNode]:
    """Read a YAML tree into a flat, pre-order list of nodes with a ``parent`` key.

    The file holds ``nodes:``, a list of mappings with ``id``, ``label``, optional ``children``
    and the optional string lists named in ``list_fields``. Unknown keys, bad ids, duplicate ids
    and non-string entries raise ConfigurationError.
    """
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{source}: cannot read vocabulary: {exc}") from exc
    return flatten_tree(data, source=source, list_fields=list_fields, scalar_fields=scalar_fields)


def flatten_tree(
    data: object,
    *,
    source: str,
    list_fields: Sequence[str],
    scalar_fields: Sequence[str] = (),
) -> list[RawNode]:
    """Validate a parsed tree (see :func:`load_yaml_tree`) and flatten it, parents first."""
    if not isinstance(data, Mapping) or not isinstance(data.get("nodes"), list):
        raise ConfigurationError(f"{source}: expected a mapping with a 'nodes' list")
    allowed = {"id", "label", "children", *list_fields, *scalar_fields}
    out: list[RawNode] = []
    seen: set[str] = set()

    def walk(items: object, parent: str | None, where: str) -> None:
        if not isinstance(items, list):
            raise ConfigurationError(f"{source}: {where}: 'children' must be a list")
        for pos, item in enumerate(items):
            here = f"{where}[{pos}]"
            if not isinstance(item, Mapping):
                raise ConfigurationError(f"{source}: {here}: a node must be a mapping")
            node_id = item.get("id")
            if not isinstance(node_id, str) or not _SLUG.match(node_id):
                raise ConfigurationError(
                    f"{source}: {here}: id {node_id!r} is not a kebab-case slug"
                )
            here = f"{here} ({node_id})"
            unknown = sorted(set(item) - allowed)
            if unknown:
                raise ConfigurationError(f"{source}: {here}: unknown keys {', '.join(unknown)}")
            if node_id in seen:
                raise ConfigurationError(f"{source}: {here}: duplicate id {node_id!r}")
            seen.add(node_id)
            label = item.get("label")
            if not isinstance(label, str) or not label.strip():
                raise ConfigurationError(f"{source}: {here}: 'label' must be a non-empty string")
            raw: RawNode = {"id": node_id, "label": label.strip(), "parent": parent}
            for name in list_fields:
                values = item.get(name, [])
                if not isinstance(values, list) or not all(
                    isinstance(v, str | int | float) and str(v).strip() for v in values
                ):
                    raise ConfigurationError(
                        f"{source}: {here}: '{name}' must be a list of non-empty strings"
                    )
                raw[name] = tuple(str(v).strip() for v in values)
            for name in scalar_fields:
                value = item.get(name)
                if value is not None and not isinstance(value, str):
                    raise ConfigurationError(f"{source}: {here}: '{name}' must be a string")
                raw[name] = value
            for qid in raw.get("wikidata", ()):
                if not _QID.match(qid):
                    raise ConfigurationError(f"{source}: {here}: {qid!r} is not a Wikidata Q-id")
            out.append(raw)
            walk(item.get("children", []), node_id, f"{here}.children")

    walk(data["nodes"], None, "nodes")
    return out


class TermTree(Generic[N]):
    """Nodes by id, the parent/child structure and three exact lookup indexes.

    * plain keys: folded id, label, aliases and whatever ``extra_keys`` adds (codes);
    * Wikipedia: folded article titles of the nodes' English Wikipedia URLs;
    * Wikidata: Q-ids.

    A key that would point at two different nodes is a load error.
    """

    kind: str = "term"

    def __init__(
        self,
        nodes: Sequence[N],
        *,
        source: str,
        extra_keys: Callable[[N], Iterable[str]] = lambda node: (),
    ) -> None:
        self.source = source
        self._nodes: dict[str, N] = {}
        self._children: dict[str, list[str]] = {}
        self._roots: list[str] = []
        for node in nodes:
            if node.id in self._nodes:
                raise ConfigurationError(f"{source}: duplicate {self.kind} id {node.id!r}")
            self._nodes[node.id] = node
            self._children[node.id] = []
        for node in nodes:
            if node.parent is None:
                self._roots.append(node.id)
            elif node.parent not in self._nodes:
                raise ConfigurationError(
                    f"{source}: {node.id!r} names unknown parent {node.parent!r}"
                )
            else:
                self._children[node.parent].append(node.id)
        self._keys: dict[str, str] = {}
        self._wikipedia: dict[str, str] = {}
        self._wikidata: dict[str, str] = {}
        for node in nodes:
            plain = [node.id, node.label, *node.aliases, *extra_keys(node)]
            for text in plain:
                self._add(self._keys, fold(text), node.id, text)
            for url in node.wikipedia:
                title = wikipedia_title(url)
                if title is None:
                    raise ConfigurationError(
                        f"{source}: {node.id}: {url!r} is not an English Wikipedia URL"
                    )
                self._add(self._wikipedia, title, node.id, url)
            for qid in node.wikidata:
                self._add(self._wikidata, qid.upper(), node.id, qid)

    def _add(self, index: dict[str, str], key: str, node_id: str, text: str) -> None:
        if not key:
            raise ConfigurationError(f"{self.source}: {node_id}: empty key from {text!r}")
        other = index.setdefault(key, node_id)
        if other != node_id:
            raise ConfigurationError(
                f"{self.source}: {text!r} names both {other!r} and {node_id!r}; "
                "a term must map to exactly one node"
            )

    # -- lookups ---------------------------------------------------------------------------

    def node(self, id: str) -> N:
        """The node with this id; UnknownTermError (with suggestions) when there is none."""
        try:
            return self._nodes[id]
        except KeyError:
            raise self.unknown(id) from None

    def unknown(self, term: str, *, field: str | None = None) -> UnknownTermError:
        """An UnknownTermError for ``term`` whose hint lists the closest known ids."""
        hint = None
        suggestions = self.suggest(term)
        if suggestions:
            hint = "did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        return UnknownTermError(
            f"unknown {self.kind} {term!r}",
            source=f"{self.kind} vocabulary",
            field=field,
            hint=hint,
        )

    def ids(self) -> tuple[str, ...]:
        """All ids, parents before children, in file order."""
        return tuple(self._nodes)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def resolve(self, term: str) -> str | None:
        """The id that ``term`` names exactly (after folding), or None. Never fuzzy.

        Matches ids, labels, aliases and codes; a Wikipedia URL matches the nodes' Wikipedia
        links only, a Wikidata id or URL the nodes' Q-ids only.
        """
        text = term.strip()
        if not text:
            return None
        title = wikipedia_title(text)
        if title is not None:
            return self._wikipedia.get(title)
        qid = wikidata_id(text)
        if qid is not None:
            return self._wikidata.get(qid)
        return self._keys.get(fold(text))

    def suggest(self, term: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` ids whose names look like ``term`` (difflib). For messages only."""
        key = fold(term)
        if not key or limit <= 0:
            return []
        out: list[str] = []
        for match in difflib.get_close_matches(key, list(self._keys), n=limit * 4, cutoff=0.6):
            node_id = self._keys[match]
            if node_id not in out:
                out.append(node_id)
        if len(key) >= 3:
            for k, node_id in self._keys.items():
                if key in k and node_id not in out:
                    out.append(node_id)
        return out[:limit]

    # -- structure -------------------------------------------------------------------------

    def children(self, id: str) -> tuple[str, ...]:
        self.node(id)
        return tuple(self._children[id])

    def roots(self) -> tuple[str, ...]:
        return tuple(self._roots)

    def ancestors(self, id: str) -> tuple[str, ...]:
        """Parent first, up to the root; empty for a root."""
        out: list[str] = []
        parent = self.node(id).parent
        while parent is not None:
            out.append(parent)
            parent = self._nodes[parent].parent
        return tuple(out)

    def descendants(self, id: str) -> frozenset[str]:
        """Every node below ``id`` (not ``id`` itself)."""
        out: set[str] = set()
        stack = list(self.children(id))
        while stack:
            current = stack.pop()
            out.add(current)
            stack.extend(self._children[current])
        return frozenset(out)

    def path(self, id: str) -> tuple[str, ...]:
        """Root first, ending with ``id``."""
        return (*reversed(self.ancestors(id)), id)

    def satisfies(self, offered: str, required: str) -> bool:
        """True when ``offered`` is ``required`` or more specific (a descendant of it).

        Both must be known ids (UnknownTermError otherwise). Siblings never satisfy each other
        and a more general node never satisfies a more specific requirement.
        """
        self.node(required)
        return offered == required or required in self.ancestors(offered)

    def family(self, id: str) -> str:
        """The root of the tree that ``id`` belongs to."""
        ancestors = self.ancestors(id)
        return ancestors[-1] if ancestors else id
