#!/usr/bin/env python3
"""Regenerate the demo designs' STL files from their OpenSCAD sources and check the manifests.

For every ``src/fabnet/data/designs/<slug>/okh.toml`` and every ``[[part]]`` that exports an
``.stl``: render the part's ``.scad`` source with the OpenSCAD CLI (with ``-D part="<stl stem>"``
when the source has a ``part`` parameter), store it as binary STL, then compare the manifest's
``outer-dimensions`` (STL bounds: width = x, depth = y, height = z, mm) and ``mass`` (STL volume x
material density, g; see ``fabnet.demo.designs.MATERIAL_DENSITY_G_PER_CM3``) with the mesh.

    .venv/bin/python scripts/build_demo_designs.py            # render, then check
    .venv/bin/python scripts/build_demo_designs.py --no-render  # check the committed STL only
    .venv/bin/python scripts/build_demo_designs.py --write      # render, then fix the manifests

Exit code 0 when every manifest agrees with its STL, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trimesh

from fabnet.demo.designs import DESIGNS_DIR, manifest_paths, solid_mass_g

DIMENSION_TOLERANCE_MM = 0.06  # manifests round to 0.1 mm
MASS_TOLERANCE = 0.005  # relative; manifests round to 0.1 g
_PART_PARAMETER = re.compile(r"^\s*part\s*=", re.MULTILINE)


@dataclass
class Measured:
    """What the STL of one part says."""

    design: str
    part: str
    stl: Path
    width: float
    depth: float
    height: float
    mass_g: float
    watertight: bool


def load_mesh(path: Path) -> trimesh.Trimesh:
    mesh = trimesh.load(path, force="mesh")
    if not isinstance(mesh, trimesh.Trimesh):
        raise SystemExit(f"{path}: not a triangle mesh")
    return mesh


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def render(scad: Path, stl: Path, openscad: str) -> None:
    command = [openscad, "-o", "OUT.stl"]
    if _PART_PARAMETER.search(scad.read_text(encoding="utf-8")):
        command += ["-D", f'part="{stl.stem}"']
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.stl"
        command[2] = str(out)
        done = subprocess.run(
            [*command, str(scad)], capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0 or not out.exists():
            raise SystemExit(f"{scad}: openscad failed for {stl.name}:\n{done.stderr[-2000:]}")
        mesh = load_mesh(out)
        stl.write_bytes(trimesh.exchange.stl.export_stl(mesh))


def measure(manifest: Path, part: dict[str, Any], stl: Path) -> Measured:
    mesh = load_mesh(stl)
    width, depth, height = (float(v) for v in mesh.extents)
    mass = solid_mass_g(float(mesh.volume), str(part["material"]), source=str(manifest))
    return Measured(
        design=manifest.parent.name,
        part=str(part["name"]),
        stl=stl,
        width=round(width, 1),
        depth=round(depth, 1),
        height=round(height, 1),
        mass_g=round(mass, 1),
        watertight=bool(mesh.is_watertight),
    )


def stl_parts(manifest: Path) -> list[tuple[dict[str, Any], Path, Path | None]]:
    """(part table, its STL, its .scad source or None) for each part that exports an STL."""
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    found = []
    for part in data.get("part", []):
        stls = [e for e in as_list(part.get("export")) if e.lower().endswith(".stl")]
        scads = [s for s in as_list(part.get("source")) if s.lower().endswith(".scad")]
        for stl in stls:
            scad = manifest.parent / scads[0] if scads else None
            found.append((part, manifest.parent / stl, scad))
    return found


def problems(manifest: Path, part: dict[str, Any], got: Measured) -> list[str]:
    where = f"{manifest.parent.name}/okh.toml: part {got.part!r}"
    out = []
    if not got.watertight:
        out.append(f"{where}: {got.stl.name} is not watertight")
    dims = part.get("outer-dimensions") or {}
    for key, value in (("width", got.width), ("depth", got.depth), ("height", got.height)):
        declared = dims.get(key)
        if declared is None or abs(float(declared) - value) > DIMENSION_TOLERANCE_MM:
            out.append(f"{where}: outer-dimensions.{key} = {declared}, the STL says {value}")
    mass = part.get("mass")
    if mass is None or abs(float(mass) - got.mass_g) > max(0.1, MASS_TOLERANCE * got.mass_g):
        out.append(f"{where}: mass = {mass}, the STL says {got.mass_g} g")
    return out


def write_back(manifest: Path, measured: list[Measured]) -> None:
    """Rewrite the ``mass`` and ``outer-dimensions`` lines of each measured part in place."""
    by_part = {m.part: m for m in measured}
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    current: Measured | None = None
    in_part = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            in_part = stripped == "[[part]]"
            current = None
            continue
        if not in_part:
            continue
        name = re.match(r'name\s*=\s*"([^"]*)"', stripped)
        if name:
            current = by_part.get(name.group(1))
        elif current is not None and stripped.startswith("mass"):
            lines[i] = f"mass = {current.mass_g}\n"
        elif current is not None and stripped.startswith("outer-dimensions"):
            lines[i] = (
                f"outer-dimensions = {{ width = {current.width}, depth = {current.depth}, "
                f"height = {current.height} }}\n"
            )
    manifest.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-render", action="store_true", help="check the existing STL only")
    parser.add_argument("--write", action="store_true", help="write mass and sizes into okh.toml")
    parser.add_argument("--openscad", default="openscad", help="OpenSCAD executable")
    parser.add_argument("--root", type=Path, default=DESIGNS_DIR, help="designs folder")
    args = parser.parse_args(argv)

    failures: list[str] = []
    for manifest in manifest_paths(args.root):
        measured = []
        for part, stl, scad in stl_parts(manifest):
            if not args.no_render:
                if scad is None:
                    failures.append(f"{manifest}: part {part['name']!r} has no .scad source")
                    continue
                render(scad, stl, args.openscad)
            got = measure(manifest, part, stl)
            measured.append(got)
            print(
                f"{got.design:24} {got.part:28} {got.width:7.1f} x {got.depth:6.1f} x "
                f"{got.height:6.1f} mm {got.mass_g:8.1f} g  {part['material']}"
            )
            if not args.write:
                failures += problems(manifest, part, got)
        if args.write:
            write_back(manifest, measured)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
