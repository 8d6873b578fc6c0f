"""Text helpers for showing the vocabularies (``fabnet taxonomy`` in the CLI)."""

from __future__ import annotations

from typing import Any

from fabnet.vocab._tree import TermNode, TermTree
from fabnet.vocab.materials import get_material_vocabulary
from fabnet.vocab.processes import ProcessNode, ProcessTaxonomy, get_process_taxonomy


def taxonomy_tree_lines(tax: ProcessTaxonomy) -> list[tuple[int, ProcessNode]]:
    """Every node with its depth (roots are 0), depth-first in file order: ready for a tree."""
    return _tree_lines(tax)


def _tree_lines(tree: TermTree[Any]) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []

    def walk(node_id: str, depth: int) -> None:
        out.append((depth, tree.node(node_id)))
        for child in tree.children(node_id):
            walk(child, depth + 1)

    for root in tree.roots():
        walk(root, 0)
    return out


def _describe_node(tree: TermTree[Any], node: TermNode) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": node.id,
        "label": node.label,
        "path": list(tree.path(node.id)),
        "path_labels": [tree.node(i).label for i in tree.path(node.id)],
        "children": list(tree.children(node.id)),
        "aliases": list(node.aliases),
        "wikipedia": list(node.wikipedia),
        "wikidata": list(node.wikidata),
    }
    for extra in ("tsdc", "fablabs", "iso4063"):
        if hasattr(node, extra):
            info[extra] = list(getattr(node, extra))
    return info


def describe_term(term: str) -> dict[str, Any]:
    """How ``term`` resolves against the process taxonomy and the material vocabulary.

    Returns ``{"term": term, "process": {...} | None, "material": {...} | None,
    "suggestions": {"process": [...], "material": [...]}}`` where each match holds the node's
    id, label, path (root first, ids and labels), children, aliases and codes. Suggestions
    (fuzzy, for display only) are filled for a vocabulary only when the term does not resolve
    in it.
    """
    result: dict[str, Any] = {"term": term, "suggestions": {}}
    vocabularies: tuple[tuple[str, TermTree[Any]], ...] = (
        ("process", get_process_taxonomy()),
        ("material", get_material_vocabulary()),
    )
    for name, tree in vocabularies:
        found = tree.resolve(term)
        result[name] = _describe_node(tree, tree.node(found)) if found else None
        result["suggestions"][name] = [] if found else tree.suggest(term)
    return result
