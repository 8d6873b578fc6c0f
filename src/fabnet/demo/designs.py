"""The demo designs shipped in ``fabnet/data/designs``: where they are and what their parts weigh.

Each design is a folder with an OKH 2.x ``okh.toml``, the OpenSCAD source and one exported STL
per part that has a shape. A part's ``mass`` in the manifest is the solid mass: STL volume times
the density of its material below (a printed part with infill weighs less; slicing says how much).
``scripts/build_demo_designs.py`` re-renders the STL and checks the manifests against them.
"""

from __future__ import annotations

from pathlib import Path

from fabnet.engine.quoting.density import DENSITY_G_PER_CM3, density_for
from fabnet.errors import UnknownTermError
from fabnet.vocab.materials import get_material_vocabulary

DESIGNS_DIR = Path(__file__).resolve().parent.parent / "data" / "designs"
MANIFEST_NAME = "okh.toml"

MATERIAL_DENSITY_G_PER_CM3 = DENSITY_G_PER_CM3
"""Densities by material vocabulary id: fabnet's one table, :mod:`fabnet.engine.quoting.density`."""


def design_dirs(root: Path = DESIGNS_DIR) -> list[Path]:
    """The demo design folders, sorted by name: every folder of ``root`` with an ``okh.toml``."""
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST_NAME}"))


def manifest_paths(root: Path = DESIGNS_DIR) -> list[Path]:
    """The demo manifests, sorted by design folder."""
    return [d / MANIFEST_NAME for d in design_dirs(root)]


def density_g_per_cm3(material: str, *, source: str = "demo designs") -> float:
    """The density of ``material`` as the demo manifests write it (resolved with the material
    vocabulary, so "FR-4", "fr4" and "Aluminium-6061" work)."""
    material_id = get_material_vocabulary().resolve(material)
    density = density_for(material_id) if material_id is not None else None
    if density is None:
        raise UnknownTermError(
            f"no density for material {material!r}",
            source=source,
            field="material",
            hint="use a material of fabnet's vocabulary with a density, e.g. PLA, PETG, plywood",
        )
    return density


def solid_mass_g(volume_mm3: float, material: str, *, source: str = "demo designs") -> float:
    """Mass in grams of a solid part of ``volume_mm3`` cubic millimetres of ``material``."""
    return volume_mm3 / 1000.0 * density_g_per_cm3(material, source=source)
