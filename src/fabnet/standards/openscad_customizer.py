"""OpenSCAD Customizer parameters and parameter-set files, read the way OpenSCAD reads them.

The Customizer (OpenSCAD manual, "Customizer") takes as parameters the top-level assignments of
literal values (number, string, boolean, vector of numbers) that come before the first
``module`` or ``function`` definition. Around each assignment:

- a ``/* [Group name] */`` comment starts a group; ``/* [Hidden] */`` hides what follows;
- the comment on the line above the assignment is its description (fabnet also takes a trailing
  ``// text`` that is not a bracket spec, as the demo designs write it);
- a trailing ``// [...]`` comment gives the widget: ``[max]`` (slider from 0), ``[min:max]``,
  ``[min:step:max]``, ``[a, b, c]`` (choices, numbers or strings) or ``[10:Small, 20:Large]``
  (labelled choices).

Names beginning with ``$`` (``$fn``) are special variables, never parameters.

A parameter-set file (``openscad -p file.json -P set``) is JSON
``{"parameterSets": {"set": {"name": "value", ...}}, "fileFormatVersion": "1"}`` with every value
written as a string; :func:`read_parameter_sets` reads it and :meth:`Parameter.coerce` checks each
value against the declaration.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fabnet.errors import InputError

Kind = Literal["number", "string", "boolean", "vector"]
Value = float | int | str | bool | tuple[float, ...]

_GROUP = re.compile(r"^\s*/\*\s*\[([^\]]+)\]\s*\*/\s*$")
_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*;\s*(?://\s*(.*))?$")
_DEFINITION = re.compile(r"^\s*(module|function)\b")
_LINE_COMMENT = re.compile(r"^\s*//\s?(.*)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')
MAX_STRING = 200


@dataclass(frozen=True)
class Choice:
    value: float | int | str
    label: str


@dataclass(frozen=True)
class Parameter:
    """One Customizer parameter: its default, widget and group."""

    name: str
    kind: Kind
    default: Value
    description: str = ""
    group: str = "Parameters"
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[Choice, ...] = ()
    line: int = 0

    @property
    def widget(self) -> str:
        if self.choices:
            return "choice"
        if self.kind == "number" and self.maximum is not None:
            return "slider"
        return {"boolean": "checkbox", "vector": "vector"}.get(self.kind, "input")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "widget": self.widget,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "description": self.description,
            "group": self.group,
            "min": self.minimum,
            "max": self.maximum,
            "step": self.step,
            "choices": [{"value": c.value, "label": c.label} for c in self.choices],
        }

    def coerce(self, raw: Any, *, source: str = "parameters") -> Value:
        """``raw`` (a Python value or the text of one, as in parameter files and ``--set``)
        as this parameter's type, checked against its range or choices; InputError if not."""
        where = {"source": source, "field": self.name}
        if self.kind == "boolean":
            value: Value = _boolean(raw, **where)
        elif self.kind == "number":
            value = _number(raw, **where)
        elif self.kind == "vector":
            value = _vector(raw, **where)
        else:
            text = raw if isinstance(raw, str) else str(raw)
            if len(text) > MAX_STRING or any(ord(c) < 32 for c in text):
                raise InputError(f"text must be at most {MAX_STRING} printable characters", **where)
            value = text
        if self.choices:
            allowed = [c.value for c in self.choices]
            if value not in allowed and not (
                isinstance(value, int | float)
                and any(isinstance(a, int | float) and math.isclose(a, value) for a in allowed)
            ):
                shown = ", ".join(str(a) for a in allowed)
                raise InputError(f"{value!r} is not one of the choices", hint=shown, **where)
        if isinstance(value, int | float) and not isinstance(value, bool):
            low = self.minimum if self.minimum is not None else None
            if low is not None and value < low - 1e-9:
                raise InputError(f"{value:g} is below the minimum {low:g}", **where)
            if self.maximum is not None and value > self.maximum + 1e-9:
                raise InputError(f"{value:g} is above the maximum {self.maximum:g}", **where)
        return value


def openscad_literal(value: Value) -> str:
    """``value`` as an OpenSCAD literal for ``-D name=...`` (strings quoted and escaped, so a
    value is never an expression)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise InputError(f"not a finite number: {value!r}")
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(openscad_literal(v) for v in value) + "]"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _boolean(raw: Any, **where: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise InputError(f"expected true or false, got {raw!r}", **where)


def _number(raw: Any, **where: str) -> float | int:
    if isinstance(raw, bool):
        raise InputError(f"expected a number, got {raw!r}", **where)
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip()
        if not _NUMBER.match(text):
            raise InputError(f"expected a number, got {raw!r}", **where)
        value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    if not math.isfinite(value):
        raise InputError(f"expected a finite number, got {raw!r}", **where)
    return value


def _vector(raw: Any, **where: str) -> tuple[float, ...]:
    items: Any = raw
    if isinstance(raw, str):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"expected a vector such as [1, 2, 3], got {raw!r}", **where) from exc
    if not isinstance(items, list | tuple) or not items:
        raise InputError(f"expected a vector of numbers, got {raw!r}", **where)
    return tuple(float(_number(v, **where)) for v in items)


def parse_literal(text: str) -> tuple[Kind, Value] | None:
    """An assignment's right-hand side as a literal, or None for an expression."""
    text = text.strip()
    if _NUMBER.match(text):
        return "number", _number(text)
    if text in ("true", "false"):
        return "boolean", text == "true"
    string = _STRING.match(text)
    if string:
        return "string", bytes(string.group(1), "utf-8").decode("unicode_escape")
    if text.startswith("[") and text.endswith("]") and ":" not in text:
        parts = [p.strip() for p in text[1:-1].split(",")]
        if parts and all(_NUMBER.match(p) for p in parts):
            return "vector", tuple(float(p) for p in parts)
    return None


def _spec(
    text: str, kind: Kind
) -> tuple[float | None, float | None, float | None, tuple[Choice, ...]]:
    """min, step, max and choices from a trailing ``[...]`` comment (all None when none)."""
    body = text.strip()[1:-1].strip()
    if not body:
        return None, None, None, ()
    if "," not in body and re.fullmatch(r"[^,]*", body):
        pieces = [p.strip() for p in body.split(":")]
        if all(_NUMBER.match(p) for p in pieces) and len(pieces) in (1, 2, 3):
            nums = [float(p) for p in pieces]
            if len(nums) == 1:
                return 0.0, None, nums[0], ()
            if len(nums) == 2:
                return nums[0], None, nums[1], ()
            return nums[0], nums[1], nums[2], ()
    choices: list[Choice] = []
    for item in _split_choices(body):
        value_text, sep, label = item.partition(":")
        value_text = value_text.strip()
        label = label.strip() if sep else value_text.strip('"')
        if kind == "number" and _NUMBER.match(value_text):
            choices.append(Choice(_number(value_text), label))
        else:
            choices.append(Choice(value_text.strip('"'), label.strip('"')))
    return None, None, None, tuple(choices)


def _split_choices(body: str) -> list[str]:
    items, current, quoted = [], "", False
    for char in body:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


@dataclass(frozen=True)
class Customizer:
    """The parameters of one ``.scad`` file, in declaration order."""

    parameters: tuple[Parameter, ...]
    hidden: tuple[str, ...] = field(default=())

    def get(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


def parse_customizer(source: str) -> Customizer:
    """The Customizer parameters declared in OpenSCAD ``source`` (see the module docstring)."""
    group = "Parameters"
    hidden_group = False
    previous_comment = ""
    params: list[Parameter] = []
    hidden: list[str] = []
    in_block = False
    for number, line in enumerate(source.splitlines(), start=1):
        if in_block:
            if "*/" in line:
                in_block = False
            continue
        group_match = _GROUP.match(line)
        if group_match:
            group = group_match.group(1).strip()
            hidden_group = group.lower() == "hidden"
            previous_comment = ""
            continue
        if line.strip().startswith("/*"):
            in_block = "*/" not in line
            previous_comment = ""
            continue
        if _DEFINITION.match(line):
            break
        comment = _LINE_COMMENT.match(line)
        if comment:
            previous_comment = comment.group(1).strip()
            continue
        assign = _ASSIGN.match(line)
        if not assign:
            previous_comment = ""
            continue
        name, rhs, trailing = assign.group(1), assign.group(2), (assign.group(3) or "").strip()
        literal = parse_literal(rhs)
        if literal is None:
            previous_comment = ""
            continue
        if hidden_group:
            hidden.append(name)
            previous_comment = ""
            continue
        kind, default = literal
        description = previous_comment
        low = step = high = None
        choices: tuple[Choice, ...] = ()
        if trailing.startswith("[") and trailing.endswith("]"):
            low, step, high, choices = _spec(trailing, kind)
        elif trailing and not description:
            description = trailing
        params = [p for p in params if p.name != name]  # a later assignment wins, as in OpenSCAD
        params.append(
            Parameter(
                name=name,
                kind=kind,
                default=default,
                description=description,
                group=group,
                minimum=low,
                maximum=high,
                step=step,
                choices=choices,
                line=number,
            )
        )
        previous_comment = ""
    return Customizer(tuple(params), tuple(hidden))


def parse_customizer_file(path: Path) -> Customizer:
    try:
        return parse_customizer(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the OpenSCAD file: {exc}", source=str(path)) from exc


def read_parameter_sets(path: Path) -> dict[str, dict[str, str]]:
    """The parameter sets of an OpenSCAD parameter file (``-p file.json``), by set name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"not a readable OpenSCAD parameter file: {exc}", source=str(path)
        ) from exc
    sets = data.get("parameterSets") if isinstance(data, dict) else None
    if not isinstance(sets, dict):
        raise InputError("no parameterSets object", source=str(path))
    out: dict[str, dict[str, str]] = {}
    for name, values in sets.items():
        if not isinstance(values, dict):
            raise InputError("a parameter set must be an object", source=str(path), field=name)
        out[str(name)] = {
            str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()
        }
    return out


def resolve_values(
    customizer: Customizer, values: dict[str, Any], *, source: str = "parameters"
) -> dict[str, Value]:
    """``values`` checked against ``customizer``: unknown names refused, each value coerced."""
    out: dict[str, Value] = {}
    for name, raw in values.items():
        param = customizer.get(name)
        if param is None:
            known = ", ".join(customizer.names()) or "none"
            raise InputError(
                "not a Customizer parameter of this design", source=source, field=name,
                hint=f"parameters: {known}",
            )  # fmt: skip
        out[name] = param.coerce(raw, source=source)
    return out
