"""Sizes as written in manifests and facility records, converted to millimetres.

- OKH ``outer-dimensions``: ``{width, depth, height}`` (2.x, mm unless ``unit`` says otherwise) or
  ``{openSCAD = "cube(size=[120,100,3])", unit = "mm"}`` with ``cube``, ``cylinder`` and
  ``sphere`` primitives (OKH-LOSH and the OKH template).
- OKW build volumes, bed sizes and travels: ``"250x210x210 mm"``, ``"250 × 210 × 210"``,
  ``[250, 210, 210]``, ``{x, y, z}``.
- Board sizes (PCBs, electronics equipment): two sizes, ``"100 x 80 mm"``, the OKH-LOSH
  ``2d-size-mm`` form ``"425 , 425"``, ``[100, 80]`` or ``{x, y}`` / ``{width, depth|length}``;
  lengths such as a pitch: ``0.5`` (in the default unit) or ``"0.5 mm"``; layer counts: whole
  numbers >= 1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fabnet.domain.common import BoardLimits, Dimensions
from fabnet.errors import ManifestError

UNIT_MM: dict[str, float] = {
    "mm": 1.0,
    "millimetre": 1.0,
    "millimeter": 1.0,
    "cm": 10.0,
    "m": 1000.0,
    "in": 25.4,
    "inch": 25.4,
    "inches": 25.4,
    '"': 25.4,
}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_CALL = re.compile(r"^\s*(cube|cylinder|sphere)\s*\((.*)\)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_TRIPLE = re.compile(
    rf"^\s*({_NUMBER})\s*(?:mm)?\s*[x×*,]\s*({_NUMBER})\s*(?:mm)?\s*[x×*,]\s*({_NUMBER})"
    r"\s*([a-z\"]*)\s*$",
    re.IGNORECASE,
)
_PAIR = re.compile(
    rf"^\s*({_NUMBER})\s*(?:mm)?\s*[x×*,]\s*({_NUMBER})\s*([a-z\"]*)\s*$", re.IGNORECASE
)
_ONE = re.compile(rf"^\s*({_NUMBER})\s*([a-z\"]*)\s*$", re.IGNORECASE)
_BOARD_HINT = "write e.g. '100 x 80 mm', [100, 80] or {x = 100, y = 80}"
_SCAD_HINT = (
    'write e.g. openSCAD = "cube(size=[120, 100, 3])", "cylinder(h=50, r=10)" or '
    '"sphere(d=30)" with unit = "mm"'
)


def unit_factor(unit: str | None, *, source: str, field: str) -> float:
    """Millimetres per ``unit`` (``None`` means millimetres)."""
    if unit is None or not unit.strip():
        return 1.0
    factor = UNIT_MM.get(unit.strip().casefold())
    if factor is None:
        raise ManifestError(
            f"unknown length unit {unit!r}",
            source=source,
            field=field,
            hint="write one of mm, cm, m or in",
        )
    return factor


def dimensions_mm(
    x: float, y: float, z: float, *, factor: float, source: str, field: str
) -> Dimensions:
    sizes = (x * factor, y * factor, z * factor)
    if any(s <= 0 for s in sizes):
        raise ManifestError(
            f"sizes must be positive, found {x:g} x {y:g} x {z:g}",
            source=source,
            field=field,
            hint="give the outer size of the part along each axis",
        )
    return Dimensions(x_mm=sizes[0], y_mm=sizes[1], z_mm=sizes[2])


def parse_openscad(text: str, *, factor: float, source: str, field: str) -> Dimensions:
    """The bounding box of one openSCAD ``cube``, ``cylinder`` or ``sphere`` call."""
    match = _CALL.match(text)
    if match is None:
        raise ManifestError(
            f"{text!r} is not an openSCAD cube, cylinder or sphere",
            source=source,
            field=field,
            hint=_SCAD_HINT,
        )
    shape = match.group(1).casefold()
    positional, named = _arguments(match.group(2), source=source, field=field, text=text)

    def arg(names: tuple[str, ...], position: int | None) -> float | list[float] | None:
        for name in names:
            if name in named:
                return named[name]
        if position is not None and position < len(positional):
            return positional[position]
        return None

    def scalar(value: float | list[float] | None, what: str) -> float:
        if isinstance(value, float):
            return value
        raise ManifestError(
            f"{text!r}: {what} must be one number", source=source, field=field, hint=_SCAD_HINT
        )

    def measure(radius: tuple[str, ...], diameter: tuple[str, ...], pos: int | None) -> float:
        for name in diameter:
            if name in named:
                return scalar(named[name], name)
        values = [named[n] for n in radius if n in named]
        if values:
            return 2 * max(scalar(v, "r") for v in values)
        value = arg((), pos)
        if value is None:
            raise ManifestError(
                f"{text!r} gives no radius or diameter",
                source=source,
                field=field,
                hint=_SCAD_HINT,
            )
        return 2 * scalar(value, "r")

    if shape == "cube":
        size = arg(("size",), 0)
        if size is None:
            raise ManifestError(
                f"{text!r} gives no size", source=source, field=field, hint=_SCAD_HINT
            )
        if isinstance(size, float):
            x = y = z = size
        elif len(size) == 3:
            x, y, z = size
        else:
            raise ManifestError(
                f"{text!r}: cube size must be one number or [x, y, z]",
                source=source,
                field=field,
                hint=_SCAD_HINT,
            )
    elif shape == "cylinder":
        height = arg(("h",), 0)
        if height is None:
            raise ManifestError(
                f"{text!r} gives no height h", source=source, field=field, hint=_SCAD_HINT
            )
        z = scalar(height, "h")
        for name in ("d", "d1", "d2"):
            if name in named:
                x = max(scalar(named[n], n) for n in ("d", "d1", "d2") if n in named)
                break
        else:
            x = measure(("r", "r1", "r2"), (), 1)
        y = x
    else:
        x = y = z = measure(("r",), ("d",), 0)
    return dimensions_mm(x, y, z, factor=factor, source=source, field=field)


def _arguments(
    body: str, *, source: str, field: str, text: str
) -> tuple[list[float | list[float]], dict[str, float | list[float]]]:
    positional: list[float | list[float]] = []
    named: dict[str, float | list[float]] = {}
    for part in _split_top_level(body):
        part = part.strip()
        if not part:
            continue
        name, value_text = None, part
        if "=" in part:
            name, value_text = (p.strip() for p in part.split("=", 1))
            name = name.casefold()
        if name in ("center", "$fn", "$fa", "$fs"):
            continue
        value = _value(value_text)
        if value is None:
            raise ManifestError(
                f"{text!r}: cannot read {part!r} (only numbers and [x, y, z] lists)",
                source=source,
                field=field,
                hint=_SCAD_HINT,
            )
        if name is None:
            positional.append(value)
        else:
            named[name] = value
    return positional, named


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in body:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _value(text: str) -> float | list[float] | None:
    text = text.strip()
    if re.fullmatch(_NUMBER, text):
        return float(text)
    if text.startswith("[") and text.endswith("]"):
        items = [t.strip() for t in text[1:-1].split(",")]
        if items and all(re.fullmatch(_NUMBER, t) for t in items):
            return [float(t) for t in items]
    return None


def parse_size_text(text: str, *, default_unit: str | None, source: str, field: str) -> Dimensions:
    """``"250x210x210 mm"`` (also ``×``, ``*`` or commas; unit optional) as millimetres."""
    match = _TRIPLE.match(text)
    if match is None:
        raise ManifestError(
            f"cannot read {text!r} as three sizes",
            source=source,
            field=field,
            hint="write width x depth x height with a unit, e.g. '250x210x210 mm'",
        )
    unit = match.group(4) or default_unit
    factor = unit_factor(unit, source=source, field=field)
    x, y, z = (float(match.group(i)) for i in (1, 2, 3))
    return dimensions_mm(x, y, z, factor=factor, source=source, field=field)


def parse_size_value(
    value: Any, *, default_unit: str | None, source: str, field: str
) -> Dimensions:
    """A size as text, as a list of three numbers or as a table with x/y/z or width/depth/height."""
    factor = unit_factor(default_unit, source=source, field=field)
    if isinstance(value, str):
        return parse_size_text(value, default_unit=default_unit, source=source, field=field)
    if isinstance(value, list) and len(value) == 3 and all(_is_number(v) for v in value):
        return dimensions_mm(*map(float, value), factor=factor, source=source, field=field)
    if isinstance(value, Mapping):
        lowered = {str(k).casefold(): v for k, v in value.items()}
        unit = lowered.get("unit")
        if isinstance(unit, str):
            factor = unit_factor(unit, source=source, field=f"{field}.unit")
        for keys in (("x", "y", "z"), ("width", "depth", "height"), ("width", "length", "height")):
            if all(k in lowered for k in keys):
                numbers = [lowered[k] for k in keys]
                if all(_is_number(n) for n in numbers):
                    x, y, z = (float(n) for n in numbers)
                    return dimensions_mm(x, y, z, factor=factor, source=source, field=field)
    raise ManifestError(
        f"cannot read {value!r} as a size",
        source=source,
        field=field,
        hint="write '250x210x210 mm', [250, 210, 210] or {x = 250, y = 210, z = 210}",
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_board_size(
    value: Any, *, default_unit: str | None, source: str, field: str
) -> tuple[float, float]:
    """Two sizes in millimetres (a board or a panel)."""
    factor = unit_factor(default_unit, source=source, field=field)
    sizes: tuple[float, float] | None = None
    if isinstance(value, str):
        match = _PAIR.match(value)
        if match is not None:
            factor = unit_factor(match.group(3) or default_unit, source=source, field=field)
            sizes = (float(match.group(1)), float(match.group(2)))
    elif isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        sizes = (float(value[0]), float(value[1]))
    elif isinstance(value, Mapping):
        lowered = {str(k).casefold(): v for k, v in value.items()}
        unit = lowered.get("unit")
        if isinstance(unit, str):
            factor = unit_factor(unit, source=source, field=f"{field}.unit")
        for keys in (("x", "y"), ("width", "depth"), ("width", "length"), ("length", "width")):
            if all(k in lowered and _is_number(lowered[k]) for k in keys):
                sizes = (float(lowered[keys[0]]), float(lowered[keys[1]]))
                break
    if sizes is None:
        raise ManifestError(
            f"cannot read {value!r} as a board size (two sizes)",
            source=source,
            field=field,
            hint=_BOARD_HINT,
        )
    if min(sizes) <= 0:
        raise ManifestError(
            f"board sizes must be positive, found {sizes[0]:g} x {sizes[1]:g}",
            source=source,
            field=field,
            hint=_BOARD_HINT,
        )
    return sizes[0] * factor, sizes[1] * factor


def parse_length(value: Any, *, default_unit: str | None, source: str, field: str) -> float:
    """A positive length in millimetres from a number (in ``default_unit``) or ``"0.5 mm"``."""
    if isinstance(value, str):
        match = _ONE.match(value.replace(",", "."))
        if match is None:
            raise ManifestError(
                f"cannot read a length from {value!r}",
                source=source,
                field=field,
                hint="write e.g. 0.5 or '0.5 mm'",
            )
        number = float(match.group(1))
        factor = unit_factor(match.group(2) or default_unit, source=source, field=field)
    elif _is_number(value):
        number = float(value)
        factor = unit_factor(default_unit, source=source, field=field)
    else:
        raise ManifestError(
            f"cannot read a length from {value!r}",
            source=source,
            field=field,
            hint="write e.g. 0.5 or '0.5 mm'",
        )
    if number <= 0:
        raise ManifestError(
            f"a length must be positive, found {number:g}", source=source, field=field
        )
    return number * factor


def parse_layer_count(value: Any, *, source: str, field: str) -> int:
    """A PCB's (or a process's) copper layers: a whole number >= 1."""
    number: float | None = None
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str):
        match = _ONE.match(value)
        if match is not None and match.group(2).casefold() in ("", "layer", "layers", "l"):
            number = float(match.group(1))
    if number is None or number < 1 or number != int(number):
        raise ManifestError(
            f"cannot read a layer count from {value!r}",
            source=source,
            field=field,
            hint="write a whole number of copper layers >= 1, e.g. 4",
        )
    return int(number)


def board_limits(
    size: tuple[float, float] | None, layers: int | None, pitch_mm: float | None
) -> BoardLimits | None:
    """The figures given, or None when none is."""
    if size is None and layers is None and pitch_mm is None:
        return None
    return BoardLimits(
        x_mm=size[0] if size else None,
        y_mm=size[1] if size else None,
        layers=layers,
        pitch_mm=pitch_mm,
    )
