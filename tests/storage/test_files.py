"""The content-addressed file store: dedup, size limit, atomic writes, and its table."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fabnet.errors import FileTooLargeError, InputError, NotFoundError
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore, StoredFileRepository, guess_media_type


def test_put_bytes_is_content_addressed_and_idempotent(file_store: FileStore) -> None:
    data = b"solid cube\nendsolid\n"
    first = file_store.put_bytes(data, original_name="cube.stl")
    second = file_store.put_bytes(data, original_name="copy.stl")
    digest = hashlib.sha256(data).hexdigest()
    assert first.sha256 == second.sha256 == digest
    assert first.media_type == "model/stl" and first.size_bytes == len(data)
    path = file_store.path_for(digest)
    assert path == file_store.root / digest[:2] / digest[2:]
    assert path.read_bytes() == data
    assert [p for p in file_store.root.rglob("*") if p.is_file()] == [path]


def test_put_path_streams_the_file(file_store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "bracket.3mf"
    source.write_bytes(b"x" * 300_000)
    stored = file_store.put_path(source)
    assert stored.original_name == "bracket.3mf" and stored.media_type == "model/3mf"
    assert file_store.read_bytes(stored.sha256) == source.read_bytes()


def test_too_large_file_is_refused_with_the_limit(file_store: FileStore, tmp_path: Path) -> None:
    big = tmp_path / "huge.stl"
    big.write_bytes(b"\0" * (file_store.max_bytes + 1))
    with pytest.raises(FileTooLargeError, match="limit is 1,048,576 bytes") as info:
        file_store.put_path(big)
    assert str(big) in str(info.value)
    with pytest.raises(FileTooLargeError):
        file_store.put_bytes(b"\0" * (file_store.max_bytes + 1), original_name="x.stl")
    assert not file_store.root.exists() or not any(file_store.root.rglob("*"))


def test_bad_digest_and_missing_file(file_store: FileStore) -> None:
    with pytest.raises(InputError):
        file_store.path_for("../../etc/passwd")
    with pytest.raises(NotFoundError):
        file_store.open("0" * 64)


def test_media_types() -> None:
    assert guess_media_type("part.STEP") == "model/step"
    assert guess_media_type("model.scad") == "application/x-openscad"
    assert guess_media_type("photo.png") == "image/png"
    assert guess_media_type("no-suffix") == "application/octet-stream"


def test_stored_file_rows_keep_the_first_name(db: Database, file_store: FileStore) -> None:
    stored = file_store.put_bytes(b"abc", original_name="first.stl")
    again = file_store.put_bytes(b"abc", original_name="second.stl")
    with db.transaction() as session:
        repo = StoredFileRepository(session)
        repo.record(stored)
        assert repo.record(again) == stored
    with db.read() as session:
        assert StoredFileRepository(session).get(stored.sha256) == stored
