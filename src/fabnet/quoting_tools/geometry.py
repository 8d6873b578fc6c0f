"""Reading a part's mesh (STL, 3MF, OBJ) with trimesh into a :class:`PartGeometry`.

Units are millimetres, as in every STL fabnet's designs export. The outline (what a laser or a
knife cuts in a sheet part) is the section through the middle of the part across its thinnest
bounding-box axis: its total length and the number of closed contours (outer edge + holes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fabnet.domain.common import Dimensions
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.errors import InputError

MESH_SUFFIXES = frozenset({".stl", ".3mf", ".obj", ".ply", ".off"})


def is_mesh_file(name: str) -> bool:
    """True for the file types :func:`load_part_geometry` reads."""
    return Path(name).suffix.lower() in MESH_SUFFIXES


def load_part_geometry(path: Path, *, file_type: str | None = None) -> PartGeometry:
    """The geometry of the mesh at ``path`` (``file_type`` such as ``"stl"`` when the name has
    no suffix, as in the content-addressed store)."""
    kind = (file_type or path.suffix.lstrip(".")).lower()
    if f".{kind}" not in MESH_SUFFIXES:
        raise InputError(
            f"cannot read a mesh from a .{kind} file",
            source=str(path),
            hint=f"use one of {', '.join(sorted(MESH_SUFFIXES))}",
        )
    import trimesh  # about 1 s to import: only when a mesh is read, not by every command  # noqa: PLC0415

    try:
        mesh: Any = trimesh.load(str(path), file_type=kind, force="mesh")
    except Exception as exc:  # trimesh raises many kinds on a malformed file
        raise InputError(f"not a readable {kind.upper()} mesh: {exc}", source=str(path)) from exc
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise InputError(f"the {kind.upper()} file holds no triangles", source=str(path))
    extents = [max(float(e), 1e-3) for e in mesh.extents]
    outline, contours = _outline(mesh)
    return PartGeometry(
        volume_mm3=abs(float(mesh.volume)),
        area_mm2=float(mesh.area),
        bbox=Dimensions(x_mm=extents[0], y_mm=extents[1], z_mm=extents[2]),
        watertight=bool(mesh.is_watertight),
        basis="mesh",
        outline_mm=outline,
        outline_contours=contours,
    )


def _outline(mesh: Any) -> tuple[float | None, int | None]:
    """Length and contour count of the mid-section across the thinnest axis, if there is one."""
    axis = int(np.argmin(mesh.extents))
    normal = np.zeros(3)
    normal[axis] = 1.0
    try:
        section = mesh.section(plane_origin=mesh.bounds.mean(axis=0), plane_normal=normal)
        if section is None:
            return None, None
        planar, _ = section.to_2D()
        return float(planar.length), len(planar.discrete)
    except Exception:  # a degenerate section: fall back to the bounding box in the estimators
        return None, None
