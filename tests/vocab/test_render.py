"""Helpers for `fabnet taxonomy`: tree lines and term descriptions."""

from __future__ import annotations

from fabnet.vocab.processes import get_process_taxonomy
from fabnet.vocab.render import describe_term, taxonomy_tree_lines


def test_tree_lines_cover_every_node_once_parents_first() -> None:
    tax = get_process_taxonomy()
    lines = taxonomy_tree_lines(tax)
    assert sorted(node.id for _, node in lines) == sorted(tax.ids())
    depth_of = {node.id: depth for depth, node in lines}
    position = {node.id: i for i, (_, node) in enumerate(lines)}
    for depth, node in lines:
        if node.parent is None:
            assert depth == 0
        else:
            assert depth == depth_of[node.parent] + 1
            assert position[node.parent] < position[node.id]


def test_describe_a_process_term() -> None:
    info = describe_term("FFF")
    assert info["process"]["id"] == "fdm"
    assert info["process"]["path"] == ["additive-manufacturing", "fdm"]
    assert "FFF" in info["process"]["aliases"]
    assert info["suggestions"]["process"] == []


def test_describe_a_material_term_with_free_text() -> None:
    info = describe_term("PLA (white)")
    assert info["process"] is None
    assert info["material"]["path"] == ["thermoplastic", "pla"]


def test_describe_an_unknown_term_gives_suggestions() -> None:
    info = describe_term("weldng")
    assert info["process"] is None and info["material"] is None
    assert "welding" in info["suggestions"]["process"]
