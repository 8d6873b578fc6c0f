"""The matching index is shared between processes: its arrays are written once per registry
state and read by the next process, which then loads only the facilities a match lists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from fabnet.domain.facility import Facility
from fabnet.engine.matching import FacilityIndex
from fabnet.services.sourcing import matching
from fabnet.services.sourcing.matching import MatchParams, facility_index, match
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

from .builders import eq, fac


def _files(db: Database) -> list[Path]:
    assert matching.index_folder is not None
    return sorted(matching.index_folder.glob(f"{matching._index_path(db, 'x').name[:23]}*.npz"))


def _new_process() -> None:
    matching._CACHE.clear()  # what a fresh process starts with


def test_a_second_process_reads_the_index_and_loads_only_listed_facilities(
    seeded_env: Database, manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = match(seeded_env, str(manifest), MatchParams(near=("Berlin, DE",)))
    [written] = _files(seeded_env)

    _new_process()
    loaded: list[str] = []
    real = FacilityRepository.get_many

    def counting(self: FacilityRepository, ids: Sequence[str]) -> list[Facility]:
        loaded.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(FacilityRepository, "get_many", counting)
    monkeypatch.setattr(FacilityRepository, "all_facilities", _never)
    read = match(seeded_env, str(manifest), MatchParams(near=("Berlin, DE",)))
    assert read == built
    listed = {c.facility_id for p in read.parts for c in p.candidates} | {
        n.facility_id for p in read.parts for n in p.near_misses
    }
    assert set(loaded) == listed and len(loaded) == len(set(loaded))  # each loaded once
    assert _files(seeded_env) == [written]


def _never(self: FacilityRepository) -> list[Facility]:
    raise AssertionError("the index was rebuilt instead of read")


def test_a_registry_change_writes_a_new_index_and_drops_the_old(
    seeded_env: Database, manifest: Path
) -> None:
    first = facility_index(seeded_env)
    [old] = _files(seeded_env)
    with seeded_env.transaction() as session:
        FacilityRepository(session).add_or_replace(
            fac("fl-big", eq("big", "fdm", envelope=(400, 400, 400), materials=("pla",)))
        )
    _new_process()
    second = facility_index(seeded_env)
    assert len(second) == len(first) + 1
    [new] = _files(seeded_env)
    assert new != old and not old.exists()
    result = match(seeded_env, str(manifest), MatchParams())
    assert "fl-big" in {c.facility_id for c in result.part("leg").candidates}


def test_a_damaged_index_file_is_rebuilt(seeded_env: Database, manifest: Path) -> None:
    facility_index(seeded_env)
    [path] = _files(seeded_env)
    path.write_bytes(b"not an index")
    _new_process()
    index = facility_index(seeded_env)
    assert len(index) == 3 and isinstance(index, FacilityIndex)
    assert match(seeded_env, str(manifest), MatchParams()).part("leg").candidates
