"""The variants API with the real OpenSCAD CLI."""

from __future__ import annotations

import tomllib

import pytest
from fastapi.testclient import TestClient

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings
from fabnet.storage.db import Database

from .conftest import Parties

pytestmark = pytest.mark.usefixtures("openscad_cli")


@pytest.fixture
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("api-data"), secret_key="api-test-secret",
        max_file_bytes=5_000_000,
    )  # fmt: skip


def _splint(db: Database, settings: Settings) -> str:
    store = open_file_store(settings)
    tally = import_designs(db, [DESIGNS_DIR / "finger-splint" / "okh.toml"], store=store)
    return tally.created[0]


def test_parameters_create_list_export(
    client: TestClient, parties: Parties, db: Database, api_settings: Settings
) -> None:
    design_id = _splint(db, api_settings)
    reader, writer = Parties.auth(parties.reader), Parties.auth(parties.writer)
    params = client.get(f"/v1/designs/{design_id}/parameters", headers=reader)
    assert params.status_code == 200, params.text
    body = params.json()
    assert body["variants_allowed"] is True
    assert body["parameters"][0]["name"] == "finger_diameter"
    assert body["parameters"][0]["widget"] == "slider"
    made = client.post(
        f"/v1/designs/{design_id}/variants",
        json={"parameters": {"finger_diameter": 16}, "name": "size S"}, headers=writer,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    variant = made.json()
    assert variant["parent_id"] == design_id and variant["parameter_set"] == "size S"
    assert variant["parts"][0]["outer_dimensions_mm"]["width"] == pytest.approx(23.0, abs=0.05)
    listed = client.get(f"/v1/designs/{design_id}/variants", headers=reader).json()
    assert [v["id"] for v in listed] == [variant["id"]]
    okh = client.get(f"/v1/variants/{variant['id']}/okh", headers=reader)
    assert okh.status_code == 200
    assert tomllib.loads(okh.text)["fork-of"].startswith("https://")


def test_bad_values_are_422_and_readers_cannot_create(
    client: TestClient, parties: Parties, db: Database, api_settings: Settings
) -> None:
    design_id = _splint(db, api_settings)
    url = f"/v1/designs/{design_id}/variants"
    too_big = client.post(
        url, json={"parameters": {"finger_diameter": 99}}, headers=Parties.auth(parties.writer)
    )
    assert too_big.status_code == 422 and "maximum" in too_big.text
    denied = client.post(
        url, json={"parameters": {"finger_diameter": 16}}, headers=Parties.auth(parties.reader)
    )
    assert denied.status_code == 403


@pytest.mark.usefixtures("prusa_slicer_cli")
def test_makebuy_endpoint(
    client: TestClient, parties: Parties, db: Database, api_settings: Settings
) -> None:
    design_id = _splint(db, api_settings)
    reader = Parties.auth(parties.reader)
    body = {"design_id": design_id, "printer": "prusa-mk4", "filament": "petg", "retail": 12.5}
    answer = client.post("/v1/makebuy", json=body, headers=reader)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["printable"] and data["home_cost"] > 0
    assert data["comparisons"][0]["saving_pct"] > 75
    pla = client.post("/v1/makebuy", json={**body, "filament": "pla"}, headers=reader).json()
    assert pla["printable"] is False and "needs petg" in pla["reasons"][0]
    bad = client.post("/v1/makebuy", json={**body, "printer": "nope"}, headers=reader)
    assert bad.status_code == 422 and "unknown printer" in bad.text
