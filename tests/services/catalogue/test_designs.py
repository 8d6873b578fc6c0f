"""Design import, lookup and export through the services, on both backends."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fabnet.domain.design import Design
from fabnet.errors import AmbiguousIdError, InputError, NotFoundError
from fabnet.services.catalogue.designs import (
    export_design,
    get_design,
    import_designs,
    list_designs,
)
from fabnet.services.catalogue.records import ImportProgress
from fabnet.storage.db import Database
from fabnet.storage.design_tables import DesignFileRow, DesignPartRow, DesignRow
from fabnet.storage.designs import DesignRepository
from fabnet.storage.file_tables import StoredFileRow
from fabnet.storage.files import FileStore


def _count(db: Database, table: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_import_stores_design_and_its_local_cad_files(
    db: Database, file_store: FileStore, data_dir: Path
) -> None:
    steps: list[ImportProgress] = []
    manifest = data_dir / "designs" / "stool" / "okh.toml"
    tally = import_designs(db, [manifest], store=file_store, on_progress=steps.append)
    assert len(tally.created) == 1 and not tally.refused
    assert steps == [ImportProgress(1, 1, str(manifest))]
    design = get_design(db, tally.created[0])
    leg = design.part("leg")
    stl = data_dir / "designs" / "stool" / "cad" / "leg.stl"
    by_path = {ref.path: ref for ref in (*leg.source_files, *leg.export_files)}
    assert by_path["cad/leg.stl"].sha256 == hashlib.sha256(stl.read_bytes()).hexdigest()
    assert by_path["cad/leg.stl"].size_bytes == stl.stat().st_size
    assert file_store.read_bytes(by_path["cad/leg.stl"].sha256 or "") == stl.read_bytes()
    assert by_path["cad/leg.scad"].sha256 is not None
    # a URL is kept as a reference, not fetched
    assert by_path["https://example.org/fabnet-tests/stool/leg.3mf"].sha256 is None
    assert tally.stored_files == 3  # leg.scad, leg.stl, README.md
    assert _count(db, StoredFileRow) == 3


def test_reimport_is_idempotent(db: Database, file_store: FileStore, data_dir: Path) -> None:
    folder = data_dir / "designs" / "stool"
    first = import_designs(db, [folder], store=file_store)
    rows = (_count(db, DesignRow), _count(db, DesignPartRow), _count(db, DesignFileRow))
    second = import_designs(db, [folder], store=file_store)
    assert second.unchanged == first.created
    assert not second.created and not second.updated
    assert (_count(db, DesignRow), _count(db, DesignPartRow), _count(db, DesignFileRow)) == rows


def test_changed_cad_file_updates_the_design(
    db: Database, file_store: FileStore, data_dir: Path
) -> None:
    folder = data_dir / "designs" / "stool"
    first = import_designs(db, [folder], store=file_store)
    (folder / "cad" / "leg.stl").write_text("solid changed\nendsolid changed\n")
    second = import_designs(db, [folder], store=file_store)
    assert second.updated == first.created


def test_refused_manifest_is_counted_and_writes_nothing(
    db: Database, file_store: FileStore, data_dir: Path
) -> None:
    tally = import_designs(db, [data_dir / "designs"], store=file_store)
    assert len(tally.created) == 1
    assert len(tally.refused) == 1
    refused = tally.refused[0]
    assert refused.source.endswith("bad/okh.toml") and "bad/okh.toml" in refused.message
    assert _count(db, DesignRow) == 1


def test_too_large_cad_file_refuses_the_manifest(db: Database, data_dir: Path) -> None:
    store = FileStore(data_dir / "store", max_bytes=100)
    manifest = data_dir / "designs" / "stool" / "okh.toml"
    tally = import_designs(db, [manifest], store=store)
    assert not tally.created
    assert "cad/leg.stl" in tally.refused[0].message or "leg.scad" in tally.refused[0].message
    assert "limit is 100 bytes" in tally.refused[0].message
    assert _count(db, DesignRow) == 0 and _count(db, StoredFileRow) == 0
    assert not (data_dir / "store").exists()


def test_missing_path_is_refused(db: Database, file_store: FileStore, tmp_path: Path) -> None:
    tally = import_designs(db, [tmp_path / "nope.toml"], store=file_store)
    assert tally.refused[0].message.endswith(": no such file or folder") and tally.imported == 0


def test_lookup_by_prefix_not_found_and_ambiguous(db: Database) -> None:
    with db.transaction() as session:
        repo = DesignRepository(session)
        repo.add_or_replace(Design(id="abc-1", name="One"))
        repo.add_or_replace(Design(id="abc-2", name="Two"))
    assert get_design(db, "abc-2").name == "Two"
    with pytest.raises(AmbiguousIdError, match=r"abc-1 \(One\), abc-2 \(Two\)"):
        get_design(db, "abc")
    with pytest.raises(NotFoundError, match="fabnet designs list"):
        get_design(db, "zzz")


def test_pages_follow_the_cursor(db: Database) -> None:
    with db.transaction() as session:
        repo = DesignRepository(session)
        for i in range(5):
            repo.add_or_replace(Design(id=f"d{i}", name=f"Design {i}"))
    first = list_designs(db, limit=3)
    second = list_designs(db, limit=3, cursor=first.next_cursor)
    assert [d.id for d in first.items] == ["d0", "d1", "d2"] and first.next_cursor is not None
    assert [d.id for d in second.items] == ["d3", "d4"] and second.next_cursor is None
    with pytest.raises(InputError, match="limit"):
        list_designs(db, limit=0)


def test_export_toml_parses_and_unknown_format_is_refused(
    db: Database, file_store: FileStore, data_dir: Path
) -> None:
    tally = import_designs(db, [data_dir / "designs" / "stool"], store=file_store)
    text = export_design(db, tally.created[0][:8], "toml")
    assert tomllib.loads(text)["name"] == "Three-Leg Stool"
    with pytest.raises(InputError, match="toml or json"):
        export_design(db, tally.created[0], "xml")
