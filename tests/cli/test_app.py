"""The root app: database handling, errors, locate and taxonomy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.settings import get_settings
from fabnet.storage.migrate import head_revision


@pytest.fixture
def embedded_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The default set-up: no FABNET_DATABASE_URL, data dir in tmp."""
    monkeypatch.delenv("FABNET_DATABASE_URL", raising=False)
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_embedded_sqlite_is_created_and_migrated_on_first_use(
    runner: CliRunner, embedded_env: Path
) -> None:
    result = runner.invoke(app, ["designs", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"items": [], "next_cursor": None}
    assert (embedded_env / "fabnet.db").exists()
    assert f"created a new database at {embedded_env / 'fabnet.db'}" in result.stderr
    again = runner.invoke(app, ["designs", "list", "--json"])
    assert "created a new database" not in again.stderr


def test_the_default_data_folder_is_per_user_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fabnet.settings import Settings, default_data_dir

    monkeypatch.delenv("FABNET_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir == default_data_dir() == tmp_path / "xdg" / "fabnet"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == Path.home() / ".local" / "share" / "fabnet"
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "mine"))
    assert Settings().data_dir == tmp_path / "mine"


def test_db_upgrade_reports_the_revision(runner: CliRunner, embedded_env: Path) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--json"])
    assert first.exit_code == 0
    assert json.loads(first.stdout)["after"] == head_revision()
    again = runner.invoke(app, ["db", "upgrade"])
    assert "up to date" in again.stdout


def test_configured_database_must_be_upgraded_first(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABNET_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["designs", "list"])
        assert result.exit_code == 1
        assert "fabnet db upgrade" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["designs", "list"]).exit_code == 0
    finally:
        get_settings.cache_clear()


def test_unsupported_database_url_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABNET_DATABASE_URL", "mysql://u@localhost/x")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["facilities", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "not supported" in result.stderr and "Traceback" not in result.output


def test_locate_prints_the_place(runner: CliRunner) -> None:
    result = runner.invoke(app, ["locate", "Nairobi", "--json"])
    assert result.exit_code == 0, result.output
    place = json.loads(result.stdout)
    assert place["country"] == "KE"
    assert abs(place["latitude"] - (-1.28)) < 0.1 and abs(place["longitude"] - 36.82) < 0.1
    human = runner.invoke(app, ["locate", "Nairobi"])
    assert "Nairobi" in human.stdout and "KE" in human.stdout


def test_unknown_place_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["locate", "Qwzxplktown"])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_taxonomy_tree_and_terms(runner: CliRunner) -> None:
    tree = runner.invoke(app, ["taxonomy", "--json"])
    assert tree.exit_code == 0
    nodes = json.loads(tree.stdout)
    ids = {n["id"] for n in nodes}
    assert "laser-cutting" in ids and any(n["depth"] > 0 for n in nodes)
    term = runner.invoke(app, ["taxonomy", "laser cutting", "--json"])
    assert term.exit_code == 0
    assert json.loads(term.stdout)["process"]["id"] == "laser-cutting"
    human = runner.invoke(app, ["taxonomy", "laser cutting"])
    assert "laser-cutting" in human.stdout


def test_unknown_taxonomy_term_suggests_and_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["taxonomy", "lazer cuting"])
    assert result.exit_code == 2
    assert "did you mean" in result.stderr and "laser-cutting" in result.stderr


def test_help_lists_the_areas(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("db", "designs", "facilities", "locate", "taxonomy"):
        assert name in result.stdout


def test_every_read_command_has_json(runner: CliRunner) -> None:
    for args in (
        ["designs", "list"],
        ["designs", "show"],
        ["facilities", "list"],
        ["facilities", "show"],
        ["locate"],
        ["taxonomy"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert "--json" in result.stdout, args
