"""create_demo builds a fresh demo database and never silently replaces someone's data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.demo.workshops import WORKSHOPS
from fabnet.demo.world import make_workshop, workshop_id
from fabnet.domain.common import Provenance
from fabnet.errors import ConflictError, InputError
from fabnet.services.catalogue.designs import list_designs
from fabnet.services.catalogue.facilities import get_facility
from fabnet.services.demo.demo import FABLAB, WORKSHOP, create_demo, is_demo_database
from fabnet.storage import migrate
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore


def test_create_demo_then_replace_it(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    url = f"sqlite:///{path}"
    store = FileStore(tmp_path / "files", max_bytes=10 * 1024 * 1024)
    stages: list[str] = []
    summary = create_demo(url, seed=11, store=store, on_progress=lambda p: stages.append(p.stage))
    assert {"world", "facilities", "designs"} <= set(stages)
    assert summary.facilities == 2069 + summary.facilities_by_provenance[WORKSHOP]
    assert summary.facilities_by_provenance[FABLAB] == 2069
    assert summary.facilities_by_provenance[WORKSHOP] >= 36
    assert len(summary.designs) >= 8 and not summary.design_warnings
    lamp = next(d for d in summary.designs if d.name == "Solar lamp kit")
    assert (lamp.parts, lamp.parts_per_product, lamp.assemblies) == (9, 14, 3)
    assert is_demo_database(path)

    db = Database(url)
    try:
        assert len(list_designs(db, limit=100).items) == len(summary.designs)
        shop = get_facility(db, workshop_id(WORKSHOPS[0]))
        assert shop.provenance.rates is Provenance.SYNTHETIC and shop.equipment
    finally:
        db.dispose()

    again = create_demo(url, seed=11, store=store)  # a demo database is replaced without --force
    assert again.replaced_existing and again.facilities == summary.facilities


def _database_with_data(path: Path) -> str:
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        migrate.upgrade(db)
        with db.transaction() as session:
            FacilityRepository(session).bulk_upsert([make_workshop(WORKSHOPS[0], 1)])
    finally:
        db.dispose()
    return url


def test_a_database_with_data_is_refused_without_force(tmp_path: Path) -> None:
    url = _database_with_data(tmp_path / "mine.db")
    with pytest.raises(ConflictError, match="not a demo"):
        create_demo(url)
    assert (tmp_path / "mine.db").exists()


def test_only_embedded_sqlite_is_accepted() -> None:
    with pytest.raises(InputError, match="needs an embedded SQLite file"):
        create_demo("postgresql+psycopg://postgres@127.0.0.1:5432/test")


def test_cli_refuses_a_foreign_database_and_exits_1(tmp_path: Path) -> None:
    url = _database_with_data(tmp_path / "mine.db")
    result = CliRunner().invoke(app, ["demo", "--database-url", url])
    assert result.exit_code == 1
    assert "not a demo" in result.output
    assert "--force" in result.output
