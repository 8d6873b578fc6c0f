"""Facility import, lookup, filters and export through the services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.shared_data import SHARED_DATA, require_shared

from fabnet.errors import InputError, NotFoundError, UnknownTermError
from fabnet.services.catalogue.facilities import (
    export_facility,
    get_facility,
    import_facilities,
    list_facilities,
)
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.registry import registry_version

SNAPSHOT = SHARED_DATA / "facilities" / "fablabs_snapshot.csv"


def test_import_okw_and_fablabs_by_suffix(db: Database, data_dir: Path) -> None:
    tally = import_facilities(db, [data_dir / "facilities"])
    assert not tally.refused
    assert len(tally.created) == 5  # 2 OKW + 3 fablabs rows
    again = import_facilities(db, [data_dir / "facilities"])
    assert sorted(again.unchanged) == sorted(tally.created) and not again.created


def test_reimport_keeps_the_registry_version(db: Database, data_dir: Path) -> None:
    import_facilities(db, [data_dir / "facilities" / "labs.yml"])
    with db.read() as session:
        before = registry_version(session)
    import_facilities(db, [data_dir / "facilities" / "labs.yml"])
    with db.read() as session:
        assert registry_version(session) == before


def test_forced_format_that_does_not_fit_is_refused(db: Database, data_dir: Path) -> None:
    tally = import_facilities(db, [data_dir / "facilities" / "labs.yml"], fmt="fablabs")
    assert tally.imported == 0 and len(tally.refused) == 1
    with db.read() as session:
        assert FacilityRepository(session).count() == 0


def test_unknown_suffix_is_refused_with_a_hint(db: Database, tmp_path: Path) -> None:
    odd = tmp_path / "labs.txt"
    odd.write_text("hello")
    tally = import_facilities(db, [odd])
    assert "--format" in tally.refused[0].message


def test_filters(db: Database, data_dir: Path) -> None:
    import_facilities(db, [data_dir / "facilities"])
    assert {f.name for f in list_facilities(db, country="fr").items} == {
        "PiNG",
        "FabLab INSA Strasbourg",
    }
    kenya = list_facilities(db, country="KE").items
    assert [f.name for f in kenya] == ["Test Workshop Nairobi"]
    assert "Test Lab Gent" in {f.name for f in list_facilities(db, process="laser cutting").items}
    with pytest.raises(UnknownTermError):
        list_facilities(db, process="telepathy")
    with pytest.raises(InputError, match="country"):
        list_facilities(db, country="Belgium")
    with pytest.raises(InputError, match="status"):
        list_facilities(db, status="sleeping")


def test_get_and_export(db: Database, data_dir: Path) -> None:
    tally = import_facilities(db, [data_dir / "facilities" / "labs.yml"])
    facility = get_facility(db, tally.created[0])
    record = json.loads(export_facility(db, facility.id, "json"))
    assert record["name"] == facility.name
    with pytest.raises(NotFoundError, match="fabnet facilities list"):
        get_facility(db, "no-such-facility")


def test_the_fablabs_snapshot_imports_whole(db: Database) -> None:
    """Every real fab lab of the snapshot imports and reads back (speed: bench/, not here)."""
    require_shared(SNAPSHOT)
    tally = import_facilities(db, [SNAPSHOT])
    assert tally.imported > 2000 and not tally.refused
    with db.read() as session:
        loaded = FacilityRepository(session).all_facilities()
    assert len(loaded) == tally.imported
