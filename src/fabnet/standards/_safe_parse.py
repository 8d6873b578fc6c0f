"""Depth-limited loading of JSON, YAML and TOML documents.

A manifest nested thousands of levels deep costs a few kilobytes to send and makes recursive
code (the parsers' own, or fabnet's walk over the result) fail with ``RecursionError``. Here a
parser that runs out of stack and a document nested deeper than :data:`MAX_DEPTH` both become a
:class:`~fabnet.errors.InputError` subclass chosen by the caller (CLI exit 2, HTTP 422).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted; real manifests stay below 10."""


def too_deep_message() -> str:
    return f"the document is nested more than {MAX_DEPTH} levels deep"


def nesting_depth(data: Any, *, limit: int = MAX_DEPTH) -> int:
    """The nesting depth of ``data`` (0 for a scalar), counted without recursion; stops
    counting once ``limit`` is passed."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def load_bounded(parse: Callable[[str], Any], text: str, error: Callable[[str], Exception]) -> Any:
    """``parse(text)``, refusing (``raise error(message)``) a document nested too deep."""
    try:
        data = parse(text)
    except RecursionError:
        raise error(too_deep_message()) from None
    if nesting_depth(data) > MAX_DEPTH:
        raise error(too_deep_message())
    return data
