"""Deeply nested manifests are refused with a message, never a RecursionError (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.errors import InputError, ManifestError
from fabnet.standards._safe_parse import MAX_DEPTH, nesting_depth
from fabnet.standards.okh import parse_design
from fabnet.standards.okw import parse_facilities
from fabnet.standards.order_file import load_order_file


def _nested_json(levels: int) -> str:
    return '{"title": "x", "a": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 3_000, 100_000])
def test_a_deep_okh_json_manifest_is_refused(levels: int) -> None:
    with pytest.raises(ManifestError, match="nested more than"):
        parse_design(_nested_json(levels), source="deep.json", fmt="json")


@pytest.mark.parametrize("levels", [3_000, 100_000])
def test_a_deep_okh_yaml_and_toml_manifest_is_refused(levels: int) -> None:
    with pytest.raises(ManifestError, match="nested more than"):
        parse_design("a: " + "[" * levels + "]" * levels + "\n", source="deep.yaml", fmt="yaml")
    with pytest.raises(ManifestError, match="nested more than"):
        parse_design("a = " + "[" * levels + "]" * levels + "\n", source="deep.toml", fmt="toml")


@pytest.mark.parametrize("levels", [3_000, 100_000])
def test_a_deep_okw_document_is_refused(levels: int) -> None:
    with pytest.raises(ManifestError, match="nested more than"):
        parse_facilities(_nested_json(levels), source="deep.json", fmt="json")


def test_a_deep_order_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text(_nested_json(100_000))
    with pytest.raises(InputError, match="nested more than"):
        load_order_file(path)


def test_nesting_depth_counts_without_recursion() -> None:
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    assert nesting_depth(1) == 0
