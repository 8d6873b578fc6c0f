"""``fabnet quote``: output and exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.designs import DESIGNS_DIR
from fabnet.storage.db import Database

SPLINT = str(DESIGNS_DIR / "finger-splint" / "okh.toml")


def test_quote_a_manifest_as_json(quoting_env: Database) -> None:
    result = CliRunner().invoke(app, ["quote", SPLINT, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["design_name"] == "Finger splint"
    (line,) = data["lines"]
    assert line["item_id"] == "splint" and line["process"] == "fdm"
    assert line["time"]["hours_per_unit"] > 0
    assert line["time"]["method"]


def test_quote_table_names_parts(quoting_env: Database) -> None:
    result = CliRunner().invoke(app, ["quote", SPLINT, "--qty", "3"])
    assert result.exit_code == 0, result.output
    assert "Finger splint x 3" in result.stdout
    assert "splint" in result.stdout and "fdm" in result.stdout


def test_unknown_design_unknown_facility_and_bad_quantity_exit_2(quoting_env: Database) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["quote", "no-such-design"]).exit_code == 2
    assert runner.invoke(app, ["quote", SPLINT, "--facility", "no-such-facility"]).exit_code == 2
    bad_qty = runner.invoke(app, ["quote", SPLINT, "--qty", "0"])
    assert bad_qty.exit_code == 2
    assert "quantity" in bad_qty.output
