"""Issue 11: the urgent face-shield order (800 shields, Kenyatta National Hospital in Nairobi and a
clinic in Kisumu, due in 21 days) gets a plan through the command line, on the demo world, with no
internal field of the planning problem in anything the buyer reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.settings import get_settings

pytestmark = pytest.mark.slow

INTERNAL = re.compile(r"candidates\[|min_lot|assembly_candidates|delivery_points\[\d+\]\.demand")

ORDER = Path(__file__).parents[2] / "src/fabnet/data/orders/kenya-urgent-face-shields.yaml"


def test_the_urgent_face_shield_order_plans_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(app, ["demo", "--no-story", "--database-url", url])
        assert made.exit_code == 0, made.output
        result = runner.invoke(app, ["plan", str(ORDER), "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert not INTERNAL.search(result.stderr), result.stderr
    plan = json.loads(result.stdout)
    assert plan["status"] in {"optimal", "feasible", "time_limit"}, plan["status"]
    assert not INTERNAL.search(json.dumps(plan.get("diagnosis", [])))
    assembled = sum(lot["quantity"] for lot in plan["lots"] if lot["kind"] == "assembly")
    assert assembled == 800
