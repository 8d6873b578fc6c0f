"""The mesh worker process: ``python -m fabnet.quoting_tools.geometry_worker`` (started by
:mod:`fabnet.quoting_tools.mesh_worker`, never by hand)."""

from __future__ import annotations

import trimesh  # imported once here, so every forked child has it

from fabnet.quoting_tools import mesh_worker
from fabnet.quoting_tools.geometry import measure_reply

__all__ = ["trimesh"]

if __name__ == "__main__":
    mesh_worker.serve(measure_reply)
