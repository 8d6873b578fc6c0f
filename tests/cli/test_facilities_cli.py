"""``fabnet facilities ...`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.storage.db import Database


def test_import_list_filter_show_export(
    runner: CliRunner, cli_env: Database, data_dir: Path
) -> None:
    imported = runner.invoke(app, ["facilities", "import", str(data_dir / "facilities"), "--json"])
    assert imported.exit_code == 0, imported.output
    assert len(json.loads(imported.stdout)["created"]) == 5
    listed = runner.invoke(app, ["facilities", "list", "--country", "KE", "--json"])
    assert listed.exit_code == 0
    items = json.loads(listed.stdout)["items"]
    assert [i["name"] for i in items] == ["Test Workshop Nairobi"]
    facility_id = items[0]["id"]
    shown = runner.invoke(app, ["facilities", "show", facility_id, "--json"])
    assert json.loads(shown.stdout)["location"]["city"] == "Nairobi"
    exported = runner.invoke(app, ["facilities", "export", facility_id])
    assert exported.exit_code == 0
    assert yaml.safe_load(exported.stdout)["name"] == "Test Workshop Nairobi"


def test_forced_format_and_unknown_format(
    runner: CliRunner, sqlite_env: Database, data_dir: Path
) -> None:
    csv = str(data_dir / "facilities" / "fablabs.csv")
    ok = runner.invoke(app, ["facilities", "import", csv, "--format", "fablabs"])
    assert ok.exit_code == 0 and "created" in ok.stdout
    bad = runner.invoke(app, ["facilities", "import", csv, "--format", "xls"])
    assert bad.exit_code == 2 and "okw or fablabs" in bad.stderr


def test_unknown_process_filter_suggests_and_exits_2(
    runner: CliRunner, sqlite_env: Database
) -> None:
    result = runner.invoke(app, ["facilities", "list", "--process", "lazer cuting"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "unknown process" in line and "did you mean" in line and "\n" not in line


def test_human_list_shows_names(runner: CliRunner, sqlite_env: Database, data_dir: Path) -> None:
    runner.invoke(app, ["facilities", "import", str(data_dir / "facilities" / "labs.yml")])
    result = runner.invoke(app, ["facilities", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Test Lab Gent" in result.stdout


def test_list_filters_by_distance_from_a_place_as_the_web_map_does(
    runner: CliRunner, sqlite_env: Database, data_dir: Path
) -> None:
    runner.invoke(app, ["facilities", "import", str(data_dir / "facilities" / "labs.yml")])
    near = runner.invoke(
        app, ["facilities", "list", "--near", "Nairobi, KE", "--radius-km", "50", "--json"]
    )
    assert near.exit_code == 0, near.output
    assert [i["name"] for i in json.loads(near.stdout)["items"]] == ["Test Workshop Nairobi"]
    no_place = runner.invoke(app, ["facilities", "list", "--radius-km", "50"])
    assert no_place.exit_code == 2 and "place" in no_place.stderr
    material = runner.invoke(app, ["facilities", "list", "--material", "unobtainium"])
    assert material.exit_code == 2 and "material" in material.stderr
