"""Lookups shared by the estimators: a value by material (nearest ancestor) and the density."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from fabnet.engine.quoting.density import density_for
from fabnet.vocab.materials import get_material_vocabulary

T = TypeVar("T")


def by_material(table: Mapping[str, T], material: str | None) -> tuple[T | None, str | None]:
    """The entry for ``material`` or its nearest ancestor, and the key that matched."""
    if material is None:
        return None, None
    if material in table:
        return table[material], material
    vocab = get_material_vocabulary()
    if material not in vocab:
        return None, None
    for ancestor in vocab.ancestors(material):
        if ancestor in table:
            return table[ancestor], ancestor
    return None, None


def grams(volume_mm3: float, material: str | None) -> float | None:
    """Mass of ``volume_mm3`` of ``material`` (None when the material or its density is unknown)."""
    if material is None:
        return None
    density = density_for(material)
    return None if density is None else volume_mm3 / 1000.0 * density


def fmt_h(hours: float) -> str:
    """Hours as ``1h 27m`` or ``40 min`` or ``12 s`` for details."""
    seconds = hours * 3600.0
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60.0
    if minutes < 90:
        return f"{minutes:.1f} min"
    return f"{int(minutes // 60)}h {minutes % 60:02.0f}m"
