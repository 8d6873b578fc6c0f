"""Fixtures for the matching service and CLI tests: a seeded SQLite registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fabnet.settings import get_settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

from .builders import eq, fac

MANIFEST = """okhv = "2.4"
name = "Match Test Stool"
repo = "https://example.org/fabnet-tests/match-stool"
version = "1.0.0"
license = "CERN-OHL-P-2.0"
licensor = ["fabnet test suite"]
function = "A stool to sit on"
documentation-language = "en"

[[part]]
name = "Leg"
tsdc = "3DP"
printing-process = "FDM"
material = "PLA"
mass = 40
outer-dimensions = { width = 30, depth = 30, height = 180 }

[[part]]
name = "Seat"
tsdc = "LAS"
material = "plywood"
outer-dimensions = { width = 350, depth = 350, height = 6 }
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "stool" / "okh.toml"
    path.parent.mkdir()
    path.write_text(MANIFEST, encoding="utf-8")
    return path


@pytest.fixture
def seeded_env(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """Settings pointing at a migrated SQLite registry with three facilities, two named alike."""
    with sqlite_db.transaction() as session:
        repo = FacilityRepository(session)
        repo.add_or_replace(
            fac(
                "fl-berlin",
                eq("mk4", "fdm", envelope=(250, 210, 220), materials=("pla",)),
                name="Fab Lab",
                lat=52.52,
                lon=13.40,
                country="DE",
            )
        )
        repo.add_or_replace(
            fac(
                "fl-small",
                eq("mini", "fdm", envelope=(150, 150, 150), materials=("pla",)),
                name="Fab Lab",
                lat=52.40,
                lon=13.06,
                country="DE",
            )
        )
        repo.add_or_replace(
            fac(
                "laser-paris",
                eq("co2", "laser-cutting", envelope=(1000, 600, 50), materials=("plywood",)),
                name="Laser Paris",
                lat=48.86,
                lon=2.35,
                country="FR",
            )
        )
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        yield sqlite_db
    finally:
        get_settings.cache_clear()
