"""scripts/build_demo_designs.py renders STL with OpenSCAD and catches manifests that disagree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import trimesh

from fabnet.demo.designs import DESIGNS_DIR

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_demo_designs.py"

pytestmark = pytest.mark.usefixtures("openscad_cli")


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_render_check_and_write_back(tmp_path: Path) -> None:
    shutil.copytree(DESIGNS_DIR / "finger-splint", tmp_path / "finger-splint")
    manifest = tmp_path / "finger-splint" / "okh.toml"
    stl = tmp_path / "finger-splint" / "finger-splint.stl"
    stl.unlink()

    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    rendered = trimesh.load(stl, force="mesh")  # re-rendered from the .scad
    shipped = trimesh.load(DESIGNS_DIR / "finger-splint" / "finger-splint.stl", force="mesh")
    assert isinstance(rendered, trimesh.Trimesh) and isinstance(shipped, trimesh.Trimesh)
    assert len(rendered.faces) == len(shipped.faces)
    assert rendered.volume == pytest.approx(shipped.volume, rel=1e-6)

    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("height = 52.0", "height = 60.0"), encoding="utf-8")
    done = _run(tmp_path, "--no-render")
    assert done.returncode == 1
    assert "outer-dimensions.height = 60.0, the STL says 52.0" in done.stderr

    assert _run(tmp_path, "--no-render", "--write").returncode == 0
    assert _run(tmp_path, "--no-render").returncode == 0
    assert manifest.read_text(encoding="utf-8") == text
