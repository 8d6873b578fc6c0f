"""Fixtures of the quoting tests: small meshes, a file store, the demo designs imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trimesh

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.domain.design import Design
from fabnet.services.catalogue.designs import get_design, import_designs
from fabnet.settings import get_settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore

needs_slicer = pytest.mark.usefixtures("prusa_slicer_cli")


@pytest.fixture(scope="session")
def meshes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """STL files: a 20 mm cube, a 40 mm cube, and a 300 mm bar (too long for the bed)."""
    folder = tmp_path_factory.mktemp("meshes")
    out = {}
    for name, extents in {
        "cube20": (20.0, 20.0, 20.0),
        "cube40": (40.0, 40.0, 40.0),
        "bar300": (300.0, 20.0, 20.0),
    }.items():
        path = folder / f"{name}.stl"
        trimesh.creation.box(extents).export(path)
        out[name] = path
    return out


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files", max_bytes=50 * 1024 * 1024)


def import_demo(db: Database, store: FileStore, slug: str) -> Design:
    tally = import_designs(db, [DESIGNS_DIR / slug / "okh.toml"], store=store)
    assert not tally.refused, tally.refused
    ids = tally.created + tally.updated + tally.unchanged
    return get_design(db, ids[0])


@pytest.fixture
def quoting_env(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """FABNET_* settings pointing at a migrated SQLite database and a tmp data dir."""
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", sqlite_db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        yield sqlite_db
    finally:
        get_settings.cache_clear()
