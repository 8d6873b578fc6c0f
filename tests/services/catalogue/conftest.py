from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CLI_DATA = Path(__file__).resolve().parents[2] / "cli" / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of tests/cli/data (tests may change files in it)."""
    target = tmp_path / "data"
    shutil.copytree(CLI_DATA, target)
    return target
