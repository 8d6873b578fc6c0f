"""Reading a part's mesh (STL, 3MF, OBJ) with trimesh into a :class:`PartGeometry`.

Units are millimetres, as in every STL fabnet's designs export. The outline (what a laser or a
knife cuts in a sheet part) is the section through the middle of the part across its thinnest
bounding-box axis: its total length and the number of closed contours (outer edge + holes).

trimesh runs in a child process (forked per mesh by a worker process that has trimesh imported
already, :mod:`fabnet.quoting_tools.mesh_worker`) with an address-space limit (``RLIMIT_AS``)
and a wall-clock limit: a mesh that takes longer (the section of a million random triangles runs
for many minutes) is killed and refused, with a message naming the limit and the setting that
raises it (``FABNET_GEOMETRY_TIMEOUT_SECONDS``, ``FABNET_GEOMETRY_MEMORY_BYTES``).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from fabnet.domain.common import Dimensions
from fabnet.engine.quoting.geometry import PartGeometry
from fabnet.errors import InputError
from fabnet.quoting_tools import mesh_worker
from fabnet.settings import get_settings

MESH_SUFFIXES = frozenset({".stl", ".3mf", ".obj", ".ply", ".off"})
MAX_3MF_UNPACKED_BYTES = 512 * 1024 * 1024
"""Largest total a 3MF archive may unpack to (a zip bomb is refused before trimesh reads it)."""
MAX_3MF_RATIO = 200.0
"""Largest unpacked/packed size ratio of a 3MF archive (mesh XML packs about 5-20 to 1)."""
_STL_HEADER = 84
_STL_TRIANGLE = 50


def is_mesh_file(name: str) -> bool:
    """True for the file types :func:`load_part_geometry` reads."""
    return Path(name).suffix.lower() in MESH_SUFFIXES


def load_part_geometry(
    path: Path,
    *,
    file_type: str | None = None,
    timeout_s: float | None = None,
    memory_bytes: int | None = None,
) -> PartGeometry:
    """The geometry of the mesh at ``path`` (``file_type`` such as ``"stl"`` when the name has
    no suffix, as in the content-addressed store), measured in a child process within
    ``timeout_s`` seconds and ``memory_bytes`` of address space (default: the settings
    ``geometry_timeout_seconds`` and ``geometry_memory_bytes``)."""
    kind = (file_type or path.suffix.lstrip(".")).lower()
    if f".{kind}" not in MESH_SUFFIXES:
        raise InputError(
            f"cannot read a mesh from a .{kind} file",
            source=str(path),
            hint=f"use one of {', '.join(sorted(MESH_SUFFIXES))}",
        )
    if kind == "3mf":
        check_3mf_archive(path)
    elif kind == "stl":
        _check_binary_stl_length(path)
    if timeout_s is None or memory_bytes is None:
        settings = get_settings()
        timeout_s = settings.geometry_timeout_seconds if timeout_s is None else timeout_s
        memory_bytes = settings.geometry_memory_bytes if memory_bytes is None else memory_bytes
    return _measure_in_child(path, kind, timeout_s, memory_bytes)


def _measure_in_child(path: Path, kind: str, timeout_s: float, memory_bytes: int) -> PartGeometry:
    reply = mesh_worker.measure(str(path), kind, timeout_s=timeout_s, memory_bytes=memory_bytes)
    outcome = reply.get("outcome")
    if outcome == "ok":
        return PartGeometry.from_json(reply["geometry"])
    if outcome == "input":
        raise InputError(
            str(reply["message"]), source=reply["source"], field=reply["field"], hint=reply["hint"]
        )
    if outcome == "timeout":
        raise InputError(
            f"the mesh took longer than {timeout_s:g} s to analyse",
            source=str(path),
            hint="simplify the mesh (fewer triangles) or raise FABNET_GEOMETRY_TIMEOUT_SECONDS",
        )
    if outcome == "error":
        raise InputError(f"could not measure the mesh: {reply.get('why')}", source=str(path))
    limit = f"{memory_bytes / 2**20:,.0f} MiB"
    if outcome == "memory":
        raise InputError(
            f"the mesh needed more than the {limit} of memory allowed to analyse it",
            source=str(path),
            hint="simplify the mesh (fewer triangles) or raise FABNET_GEOMETRY_MEMORY_BYTES",
        )
    raise InputError(
        f"the mesh analysis stopped ({reply.get('why', 'no answer')}), most likely at the"
        f" memory limit of {limit}",
        source=str(path),
        hint="simplify the mesh (fewer triangles) or raise FABNET_GEOMETRY_MEMORY_BYTES",
    )


def measure_reply(path: str, kind: str) -> dict[str, Any]:
    """Measure the mesh (in the worker's child) and say how it went, as JSON-ready data."""
    try:
        return {"outcome": "ok", "geometry": _measure(Path(path), kind).to_json()}
    except InputError as exc:
        return {"outcome": "input", "message": exc.message, "source": exc.source,
                "field": exc.field, "hint": exc.hint}  # fmt: skip


def _measure(path: Path, kind: str) -> PartGeometry:
    import trimesh  # about 1 s to import: only when a mesh is read, not by every command  # noqa: PLC0415

    try:
        mesh: Any = trimesh.load(str(path), file_type=kind, force="mesh")
    except MemoryError:
        raise
    except Exception as exc:  # trimesh raises many kinds on a malformed file
        why = str(exc) or type(exc).__name__
        raise InputError(f"not a readable {kind.upper()} mesh: {why}", source=str(path)) from exc
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


def check_3mf_archive(
    path: Path,
    *,
    max_unpacked_bytes: int = MAX_3MF_UNPACKED_BYTES,
    max_ratio: float = MAX_3MF_RATIO,
) -> None:
    """Refuse a 3MF (a zip archive) that is not one, or that would unpack to more than
    ``max_unpacked_bytes`` in total or more than ``max_ratio`` times its packed size. Python's
    zip reader never returns more than a member's declared size, so the declared sizes bound
    what trimesh can unpack."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable 3MF archive: {exc}", source=str(path)) from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > max_unpacked_bytes:
        raise InputError(
            f"the 3MF archive unpacks to {unpacked:,} bytes, more than the"
            f" {max_unpacked_bytes:,} allowed",
            source=str(path),
            hint="simplify the mesh or export it as a binary STL",
        )
    if unpacked / packed > max_ratio:
        raise InputError(
            f"the 3MF archive unpacks to {unpacked / packed:,.0f} times its packed size, more"
            f" than the {max_ratio:g} allowed (a decompression bomb?)",
            source=str(path),
            hint="export the mesh again with ordinary compression",
        )


def _check_binary_stl_length(path: Path) -> None:
    """A binary STL whose triangle count promises more bytes than the file has is truncated."""
    with path.open("rb") as handle:
        head = handle.read(_STL_HEADER)
    size = path.stat().st_size
    if head[:5].lower() == b"solid" or len(head) < _STL_HEADER:
        if len(head) < _STL_HEADER and head[:5].lower() != b"solid":
            raise InputError(
                f"the STL file is truncated: {size} bytes, shorter than the"
                f" {_STL_HEADER}-byte binary header",
                source=str(path),
            )
        return  # ASCII STL (or a binary one whose header starts with "solid": trimesh decides)
    (count,) = struct.unpack("<I", head[80:84])
    expected = _STL_HEADER + _STL_TRIANGLE * count
    if size < expected:
        raise InputError(
            f"the STL file is truncated: its header announces {count:,} triangles"
            f" ({expected:,} bytes) but the file has {size:,} bytes",
            source=str(path),
            hint="upload the whole file again",
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
    except MemoryError:
        raise
    except Exception:  # a degenerate section: fall back to the bounding box in the estimators
        return None, None
