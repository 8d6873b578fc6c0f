"""docs/deploy.md lists every FABNET_* setting, and no setting that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from fabnet.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"
NOT_SETTINGS_FIELDS = {"FABNET_CACHE_DIR"}  # read by fabnet.geo from the environment


def test_the_settings_table_matches_settings_py() -> None:
    rows = re.findall(r"^\| `(FABNET_[A-Z0-9_]+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    assert len(rows) == len(set(rows)), "a setting is listed twice"
    fields = {f"FABNET_{name.upper()}" for name in Settings.model_fields}
    assert set(rows) - NOT_SETTINGS_FIELDS == fields
