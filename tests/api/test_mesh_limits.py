"""Quoting through the API (make vs buy) of a mesh past the geometry time limit answers 422 with
the limit and the setting in the problem, where it used to hold the request for minutes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.hostile_meshes import random_triangles_stl

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database

from .conftest import Parties


@pytest.fixture
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The API's settings, taking a 1 MB mesh."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("api-data"), secret_key="api-test-secret",
        max_file_bytes=5_000_000,
    )  # fmt: skip


@pytest.fixture
def one_second_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FABNET_GEOMETRY_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("one_second_limit")
def test_makebuy_of_a_pathological_mesh_is_422_naming_the_limit(
    client: TestClient, parties: Parties, db: Database, api_settings: Settings, tmp_path: Path
) -> None:
    design = tmp_path / "noise-splint"
    shutil.copytree(DESIGNS_DIR / "finger-splint", design)
    random_triangles_stl(design / "finger-splint.stl")
    tally = import_designs(db, [design / "okh.toml"], store=open_file_store(api_settings))
    body = {"design_id": tally.created[0], "printer": "prusa-mk4", "filament": "petg"}
    answer = client.post("/v1/makebuy", json=body, headers=Parties.auth(parties.reader))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert "the mesh took longer than 1 s to analyse" in problem["detail"]
    assert "FABNET_GEOMETRY_TIMEOUT_SECONDS" in problem["hint"]
