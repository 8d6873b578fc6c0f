"""Syntax errors of YAML files as one line that says where the problem is."""

from __future__ import annotations

import yaml


def yaml_error_text(exc: yaml.YAMLError) -> str:
    """``not valid YAML: expected ',' or ']', but got ':' (line 2, column 6)``.

    PyYAML's own text spans several lines and quotes the document; this keeps the problem and
    its position.
    """
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    text = str(problem) if problem else " ".join(str(exc).split())
    if mark is not None:
        text += f" (line {mark.line + 1}, column {mark.column + 1})"
    return f"not valid YAML: {text}"
