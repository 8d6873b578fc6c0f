"""Adapters for the external tools quoting needs: PrusaSlicer (``slicer``) and mesh loading
with trimesh (``geometry``). The pure formulas live in ``fabnet.engine.quoting``."""
