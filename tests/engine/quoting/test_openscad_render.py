"""Safe OpenSCAD rendering with the real CLI: limits, own files only, clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabnet.errors import ExternalToolError, InputError
from fabnet.quoting_tools.openscad import render_stl

needs_openscad = pytest.mark.usefixtures("openscad_cli")


def _design(tmp_path: Path, body: str, extra: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "design"
    folder.mkdir()
    (folder / "part.scad").write_text(body, encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "part.scad"


@needs_openscad
def test_renders_with_values_and_own_includes(tmp_path: Path) -> None:
    scad = _design(
        tmp_path,
        'include <lib.scad>\nsize = 10; // [5:20]\nlabel = "x";\nblock(size);\n',
        {"lib.scad": "module block(s) { cube([s, s, 2]); }\n"},
    )
    small = render_stl(scad, {"size": 8}, set_name="small")
    big = render_stl(scad, {"size": 16, "label": 'a"b'}, set_name="big")
    assert len(small.stl) == 84 + 50 * 12 and small.stl != big.stl  # binary STL: 12 triangles
    assert any(arg == 'label="a\\"b"' for arg in big.command)


@pytest.mark.parametrize(
    "line",
    [
        "include </etc/hosts>",
        "use <../outside.scad>",
        'import("../outside.stl");',
        'import(file = "/etc/passwd");',
        'name = "x.stl"; import(name);',
        "include <missing.scad>",
    ],
)
def test_files_outside_the_design_are_refused_before_running(tmp_path: Path, line: str) -> None:
    (tmp_path / "outside.scad").write_text("cube(1);\n", encoding="utf-8")
    (tmp_path / "outside.stl").write_text("solid x\nendsolid x\n", encoding="utf-8")
    scad = _design(tmp_path, f"{line}\ncube(1);\n")
    with pytest.raises(InputError):
        render_stl(scad, {}, openscad_path="/no/such/openscad-but-refused-first")


@needs_openscad
def test_a_failing_render_names_the_parameter_set(tmp_path: Path) -> None:
    scad = _design(tmp_path, 'size = 1;\nassert(size < 5, "too big");\ncube(size);\n')
    with pytest.raises(ExternalToolError, match="parameter set 'huge'"):
        render_stl(scad, {"size": 9}, set_name="huge")
    (tmp_path / "e").mkdir()
    empty = _design(tmp_path / "e", "size = 0;\n")
    with pytest.raises(ExternalToolError, match="'nothing'"):
        render_stl(empty, {}, set_name="nothing")


@needs_openscad
def test_time_limit(tmp_path: Path) -> None:
    scad = _design(
        tmp_path,
        "for (i = [0:300]) translate([i * 0.5, 0, 0]) sphere(r = 1, $fn = 64);\n",
    )
    with pytest.raises(ExternalToolError, match="longer than 1 s"):
        render_stl(scad, {}, set_name="slow", timeout_s=1.0)


@needs_openscad
def test_memory_limit(tmp_path: Path) -> None:
    scad = _design(tmp_path, "cube(1);\n")
    with pytest.raises(ExternalToolError, match=r"'tight'.*memory limit \(16 MB\)"):
        render_stl(scad, {}, set_name="tight", memory_bytes=16 * 1024 * 1024)
