"""Design use cases: import OKH manifests (with their local CAD files), look up, list, export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fabnet.domain.design import Design, FileRef, Part
from fabnet.errors import FileTooLargeError, InputError
from fabnet.services.catalogue.records import (
    ImportProgress,
    ImportTally,
    ProgressCallback,
    RefusedFile,
    expand_paths,
    resolve_id,
)
from fabnet.services.platform.database import open_file_store
from fabnet.services.platform.pagination import (
    DEFAULT_LIMIT,
    Page,
    check_limit,
    decode_id_cursor,
    page_by_id,
)
from fabnet.standards.okh import dump_design_json, dump_design_okh_toml, load_design
from fabnet.standards.report import ImportWarning
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.files import FileStore, StoredFile, StoredFileRepository

DesignFormat = Literal["toml", "json"]
MANIFEST_SUFFIXES = frozenset({".toml", ".yml", ".yaml", ".json"})
LIST_COMMAND = "fabnet designs list"


@dataclass
class DesignImportTally(ImportTally):
    """Tally of a design import; ``stored_files`` counts CAD files put into the file store."""

    stored_files: int = 0


def import_designs(
    db: Database,
    paths: Iterable[Path],
    *,
    store: FileStore | None = None,
    on_progress: ProgressCallback | None = None,
) -> DesignImportTally:
    """Import OKH manifests from files or folders (searched recursively).

    Each manifest is parsed, the local files it references that lie in its folder are put into
    the file store, and the design is stored under its stable id in one transaction: importing
    the same manifest again changes nothing. A refused manifest is counted with its message and
    writes nothing.
    """
    store = store or open_file_store()
    tally = DesignImportTally()
    files = [p for p in expand_paths(paths, MANIFEST_SUFFIXES, tally) if not _is_scad_params(p)]
    for done, path in enumerate(files, start=1):
        tally.files_read += 1
        try:
            _import_one(db, store, path, tally)
        except InputError as exc:
            tally.refused.append(RefusedFile(str(path), str(exc)))
        if on_progress is not None:
            on_progress(ImportProgress(done, len(files), str(path)))
    return tally


def _is_scad_params(path: Path) -> bool:
    """An OpenSCAD parameter-set file (``name.json`` beside ``name.scad``), not a manifest."""
    return path.suffix.casefold() == ".json" and path.with_suffix(".scad").is_file()


def _import_one(db: Database, store: FileStore, path: Path, tally: DesignImportTally) -> None:
    result = load_design(path)
    warnings: list[ImportWarning] = list(result.warnings)
    design = result.value
    local_files = _local_files(design, path, store, warnings)
    # Sizes are checked before anything is written; then blobs, then one transaction for rows.
    stored = {ref_path: store.put_path(local) for ref_path, local in local_files.items()}
    design = _with_stored_files(design, stored)
    with db.transaction() as session:
        files = StoredFileRepository(session)
        for item in stored.values():
            files.record(item)
        outcome = DesignRepository(session).add_or_replace(design)
    tally.warnings.extend(warnings)
    tally.stored_files += len(stored)
    {"created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged}[
        outcome.value
    ].append(design.id)


def _all_refs(design: Design) -> list[FileRef]:
    refs = [r for p in design.parts for r in (*p.source_files, *p.export_files)]
    if design.bom_file is not None:
        refs.append(design.bom_file)
    return [*refs, *design.files]


def _local_files(
    design: Design, manifest: Path, store: FileStore, warnings: list[ImportWarning]
) -> dict[str, Path]:
    """Referenced paths that are files in the manifest's folder (tree), by the path as written.

    Raises FileTooLargeError when one of them exceeds the store's limit.
    """
    folder = manifest.parent.resolve()
    found: dict[str, Path] = {}
    for ref in _all_refs(design):
        if ref.path in found or _is_remote(ref.path):
            continue
        candidate = (folder / ref.path).resolve()
        if not candidate.is_relative_to(folder):
            warnings.append(
                ImportWarning(
                    str(manifest), ref.path, "not stored: the file is outside the manifest's folder"
                )
            )
            continue
        if not candidate.is_file():
            continue
        size = candidate.stat().st_size
        if size > store.max_bytes:
            raise FileTooLargeError(
                f"{ref.path} is {size:,} bytes; the limit is {store.max_bytes:,} bytes",
                source=str(manifest),
                hint="raise FABNET_MAX_FILE_BYTES or reference a smaller export",
            )
        found[ref.path] = candidate
    return found


def _is_remote(path: str) -> bool:
    return "://" in path or path.startswith(("mailto:", "//"))


def _with_stored_files(design: Design, stored: dict[str, StoredFile]) -> Design:
    """The design with sha256 and size set on the file refs that were stored."""
    if not stored:
        return design

    def attach(ref: FileRef) -> FileRef:
        item = stored.get(ref.path)
        if item is None:
            return ref
        return ref.model_copy(update={"sha256": item.sha256, "size_bytes": item.size_bytes})

    def attach_part(part: Part) -> Part:
        return part.model_copy(
            update={
                "source_files": tuple(attach(r) for r in part.source_files),
                "export_files": tuple(attach(r) for r in part.export_files),
            }
        )

    return design.model_copy(
        update={
            "parts": tuple(attach_part(p) for p in design.parts),
            "bom_file": attach(design.bom_file) if design.bom_file else None,
            "files": tuple(attach(r) for r in design.files),
        }
    )


def get_design(db: Database, id_or_prefix: str) -> Design:
    """The design with this id, or the one design whose id starts with it."""
    with db.read() as session:
        repo = DesignRepository(session)
        design_id = resolve_id(
            "design",
            id_or_prefix,
            exists=repo.exists,
            find_by_prefix=repo.find_by_prefix,
            list_command=LIST_COMMAND,
        )
        design = repo.get(design_id)
    assert design is not None
    return design


def list_designs(
    db: Database, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[Design]:
    """Designs by id, ``limit`` (1-200) at a time; continue with ``cursor=page.next_cursor``."""
    check_limit(limit)
    after_id = decode_id_cursor(cursor)
    with db.read() as session:
        items = DesignRepository(session).list(limit=limit + 1, after_id=after_id)
    return page_by_id(items, limit, key=lambda design: design.id)


def count_designs(db: Database) -> int:
    with db.read() as session:
        return DesignRepository(session).count()


def export_design(db: Database, id_or_prefix: str, fmt: DesignFormat | str = "toml") -> str:
    """The design as an OKH 2.x manifest: ``toml`` or ``json``."""
    if fmt not in ("toml", "json"):
        raise InputError(f"unknown export format {fmt!r}", field="format", hint="use toml or json")
    design = get_design(db, id_or_prefix)
    return dump_design_okh_toml(design) if fmt == "toml" else dump_design_json(design)


def resolve_design(db: Database, design_ref: str) -> Design:
    """A design by id (or unique id prefix), or an OKH manifest file imported on the fly."""
    path = Path(design_ref)
    if not design_ref.strip():
        return get_design(db, design_ref)  # refused with "give a design id"
    if path.suffix and path.is_file():
        tally = import_designs(db, [path])
        if tally.refused:
            raise InputError(tally.refused[0].message)  # the message names the file
        ids = tally.created + tally.updated + tally.unchanged
        if not ids:
            raise InputError("no design manifest found in the file", source=str(path))
        return get_design(db, ids[0])
    if path.is_dir():
        raise InputError(
            "is a folder; give a design id or one OKH manifest file", source=design_ref
        )
    if "/" in design_ref or "\\" in design_ref:
        raise InputError(
            "no such file, and a design id has no slashes",
            source=design_ref,
            hint="give a design id (`fabnet designs list`) or the path of an OKH manifest",
        )
    return get_design(db, design_ref)
