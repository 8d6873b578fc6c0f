"""Meshes that are slow or large to analyse, for the tests of the geometry limits."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def random_triangles_stl(path: Path, triangles: int = 20_000) -> Path:
    """A binary STL of unconnected random triangles: its mid-section takes trimesh about 10 s
    at 20,000 triangles and many minutes at a million."""
    rng = np.random.default_rng(7)
    rows = np.zeros(triangles, dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    rows["v"] = rng.random((triangles, 3, 3), dtype=np.float32) * 100
    path.write_bytes(b"\0" * 80 + struct.pack("<I", triangles) + rows.tobytes())
    return path
