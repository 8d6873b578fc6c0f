"""``fabnet designs ...`` through Typer's CliRunner."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.storage.db import Database


def _import_stool(runner: CliRunner, data_dir: Path) -> str:
    result = runner.invoke(
        app, ["designs", "import", str(data_dir / "designs" / "stool"), "--json"]
    )
    assert result.exit_code == 0, result.output
    created: list[str] = json.loads(result.stdout)["created"]
    return created[0]


def test_import_list_show_export(runner: CliRunner, cli_env: Database, data_dir: Path) -> None:
    design_id = _import_stool(runner, data_dir)
    listed = runner.invoke(app, ["designs", "list", "--json"])
    assert listed.exit_code == 0
    page = json.loads(listed.stdout)
    assert [d["id"] for d in page["items"]] == [design_id] and page["next_cursor"] is None
    shown = runner.invoke(app, ["designs", "show", design_id[:6], "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["name"] == "Three-Leg Stool"
    human = runner.invoke(app, ["designs", "show", design_id])
    assert "Three-Leg Stool" in human.stdout and "Leg (leg)" in human.stdout
    out = data_dir / "stool-export.toml"
    exported = runner.invoke(app, ["designs", "export", design_id, "-o", str(out)])
    assert exported.exit_code == 0
    assert tomllib.loads(out.read_text())["name"] == "Three-Leg Stool"


def test_import_with_a_refused_file_exits_0_and_names_it(
    runner: CliRunner, sqlite_env: Database, data_dir: Path
) -> None:
    result = runner.invoke(app, ["designs", "import", str(data_dir / "designs")])
    assert result.exit_code == 0
    assert "created" in result.stdout
    assert "refused:" in result.stderr and "bad/okh.toml" in result.stderr


def test_import_where_all_are_refused_exits_2(
    runner: CliRunner, sqlite_env: Database, data_dir: Path
) -> None:
    result = runner.invoke(app, ["designs", "import", str(data_dir / "designs" / "bad"), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "nothing imported" in lines[0] and "bad/okh.toml" in lines[0]


def test_unknown_id_is_one_line_exit_2(runner: CliRunner, sqlite_env: Database) -> None:
    result = runner.invoke(app, ["designs", "show", "does-not-exist"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no design with id 'does-not-exist'" in lines[0]
    assert "fabnet designs list" in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_export_format_exit_2(runner: CliRunner, sqlite_env: Database, data_dir: Path) -> None:
    design_id = _import_stool(runner, data_dir)
    result = runner.invoke(app, ["designs", "export", design_id, "--format", "xml"])
    assert result.exit_code == 2 and "toml or json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
