"""The demo designs shipped in ``fabnet/data/designs``: where they are and what their parts weigh.

Each design is a folder with an OKH 2.x ``okh.toml``, the OpenSCAD source and one exported STL
per part that has a shape. A part's ``mass`` in the manifest is the solid mass: STL volume times
the density of its material below (a printed part with infill weighs less; slicing says how much).
``scripts/build_demo_designs.py`` re-renders the STL and checks the manifests against them.
"""

from __future__ import annotations

from pathlib import Path

from fabnet.errors import UnknownTermError

DESIGNS_DIR = Path(__file__).resolve().parent.parent / "data" / "designs"
MANIFEST_NAME = "okh.toml"

MATERIAL_DENSITY_G_PER_CM3: dict[str, float] = {
    "pla": 1.24,
    "petg": 1.27,
    "abs": 1.04,
    "tpu": 1.21,
    "pmma": 1.18,
    "plywood": 0.68,  # birch plywood
    "aluminium 6061": 2.70,
    "fr4": 1.85,
}
"""Densities of the demo parts' materials (typical datasheet values), keyed by material text."""


def design_dirs(root: Path = DESIGNS_DIR) -> list[Path]:
    """The demo design folders, sorted by name: every folder of ``root`` with an ``okh.toml``."""
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST_NAME}"))


def manifest_paths(root: Path = DESIGNS_DIR) -> list[Path]:
    """The demo manifests, sorted by design folder."""
    return [d / MANIFEST_NAME for d in design_dirs(root)]


def density_g_per_cm3(material: str, *, source: str = "demo designs") -> float:
    """The density of ``material`` as the demo manifests write it (case and dashes ignored)."""
    key = " ".join(material.replace("-", " ").split()).casefold()
    density = MATERIAL_DENSITY_G_PER_CM3.get(key) or MATERIAL_DENSITY_G_PER_CM3.get(
        key.replace(" ", "")
    )
    if density is None:
        raise UnknownTermError(
            f"no density for material {material!r}",
            source=source,
            field="material",
            hint=f"use one of {', '.join(sorted(MATERIAL_DENSITY_G_PER_CM3))}",
        )
    return density


def solid_mass_g(volume_mm3: float, material: str, *, source: str = "demo designs") -> float:
    """Mass in grams of a solid part of ``volume_mm3`` cubic millimetres of ``material``."""
    return volume_mm3 / 1000.0 * density_g_per_cm3(material, source=source)
