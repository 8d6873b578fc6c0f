"""Reading and measuring a mesh runs in a child process with a time and a memory limit; a mesh
past either is refused with a message naming the limit and its setting (issue 15 item 3)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import trimesh
from tests.hostile_meshes import random_triangles_stl

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.errors import InputError
from fabnet.quoting_tools.geometry import load_part_geometry
from fabnet.settings import get_settings


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings read afresh, so a test can set FABNET_GEOMETRY_* in the environment."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_a_mesh_past_the_time_limit_is_refused_naming_the_setting(
    tmp_path: Path, limits: pytest.MonkeyPatch
) -> None:
    limits.setenv("FABNET_GEOMETRY_TIMEOUT_SECONDS", "1")
    mesh = random_triangles_stl(tmp_path / "noise.stl")
    with pytest.raises(InputError) as refused:
        load_part_geometry(mesh)
    assert "the mesh took longer than 1 s to analyse" in str(refused.value)
    assert "simplify the mesh" in str(refused.value)
    assert "FABNET_GEOMETRY_TIMEOUT_SECONDS" in str(refused.value)


def test_a_mesh_past_the_memory_limit_is_refused_naming_the_setting(
    tmp_path: Path, limits: pytest.MonkeyPatch
) -> None:
    limits.setenv("FABNET_GEOMETRY_MEMORY_BYTES", str(64 * 2**20))
    mesh = random_triangles_stl(tmp_path / "noise.stl")
    with pytest.raises(InputError) as refused:
        load_part_geometry(mesh)
    assert "64 MiB" in str(refused.value)
    assert "FABNET_GEOMETRY_MEMORY_BYTES" in str(refused.value)


def test_the_limits_leave_the_calling_process_alone(tmp_path: Path) -> None:
    """The time limit kills the child, not the caller, and the next mesh measures normally."""
    with pytest.raises(InputError, match=r"longer than 0\.5 s"):
        load_part_geometry(random_triangles_stl(tmp_path / "noise.stl"), timeout_s=0.5)
    splint = DESIGNS_DIR / "finger-splint" / "finger-splint.stl"
    assert load_part_geometry(splint).volume_mm3 > 0


@pytest.mark.parametrize(
    "name",
    ["finger-splint/finger-splint.stl", "plywood-stool/seat.stl", "crutch-tip/crutch-tip.stl"],
)
def test_a_normal_mesh_measures_as_trimesh_measures_it_in_process(name: str) -> None:
    path = DESIGNS_DIR / name
    geometry = load_part_geometry(path)
    mesh = trimesh.load(str(path), file_type="stl", force="mesh")
    assert geometry.volume_mm3 == abs(float(mesh.volume))
    assert geometry.area_mm2 == float(mesh.area)
    assert [geometry.bbox.x_mm, geometry.bbox.y_mm, geometry.bbox.z_mm] == [
        max(float(e), 1e-3) for e in mesh.extents
    ]
    assert geometry.watertight == bool(mesh.is_watertight)
    assert geometry.outline_mm is not None and geometry.outline_contours


def test_an_unreadable_mesh_still_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.obj"
    bad.write_text("this is not a mesh\n", encoding="utf-8")
    with pytest.raises(InputError, match="OBJ"):
        load_part_geometry(bad)


def test_meshes_measured_at_once_from_several_threads_each_get_their_own_answer(
    tmp_path: Path,
) -> None:
    """A server measures meshes for concurrent requests (each takes a worker of its own, one
    of them busy with a slow mesh): no answer goes to the wrong caller."""
    names = ["finger-splint/finger-splint.stl", "plywood-stool/seat.stl", "face-shield/visor.stl"]
    alone = [load_part_geometry(DESIGNS_DIR / name) for name in names]
    noise = random_triangles_stl(tmp_path / "noise.stl")
    with ThreadPoolExecutor(4) as pool:
        slow = pool.submit(load_part_geometry, noise, timeout_s=1.0)
        together = list(pool.map(lambda name: load_part_geometry(DESIGNS_DIR / name), names * 2))
        assert together == alone * 2
        with pytest.raises(InputError, match="longer than 1 s"):
            slow.result()
