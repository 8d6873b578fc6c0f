"""``fabnet quote`` of a mesh past the geometry time limit: exit 2 and one line saying which limit
and what to do (issue 15 item 3), where it used to run for minutes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.hostile_meshes import random_triangles_stl
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.designs import DESIGNS_DIR
from fabnet.settings import get_settings
from fabnet.storage.db import Database


def test_quote_of_a_pathological_mesh_exits_2_naming_the_time_limit(
    runner: CliRunner, sqlite_env: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    design = tmp_path / "noise-splint"
    shutil.copytree(DESIGNS_DIR / "finger-splint", design)
    random_triangles_stl(design / "finger-splint.stl")
    monkeypatch.setenv("FABNET_GEOMETRY_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["quote", str(design / "okh.toml")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "the mesh took longer than 1 s to analyse" in lines[0]
    assert "FABNET_GEOMETRY_TIMEOUT_SECONDS" in lines[0]


def test_quote_of_a_normal_mesh_still_quotes(
    runner: CliRunner, sqlite_env: Database, tmp_path: Path
) -> None:
    design = tmp_path / "splint"
    shutil.copytree(DESIGNS_DIR / "finger-splint", design)
    result = runner.invoke(app, ["quote", str(design / "okh.toml"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"hours_per_unit"' in result.stdout
