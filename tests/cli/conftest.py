from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.settings import get_settings
from fabnet.storage.db import Database

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of tests/cli/data."""
    target = tmp_path / "fixtures"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sqlite_env(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """FABNET_* settings pointing at a migrated SQLite database (CLI tests where the backend
    does not matter; ``cli_env`` from the root conftest runs on both backends)."""
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        yield sqlite_db
    finally:
        get_settings.cache_clear()
