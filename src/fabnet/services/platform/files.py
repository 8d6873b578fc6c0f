"""Storing files in the content-addressed store and recording them."""

from __future__ import annotations

from pathlib import Path

from fabnet.errors import NotFoundError
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore, StoredFile, StoredFileRepository


def store_file(
    db: Database, store: FileStore, path: Path, *, original_name: str | None = None
) -> StoredFile:
    """Put the file at ``path`` into the store and record it (idempotent)."""
    stored = store.put_path(path, original_name=original_name)
    with db.transaction() as session:
        return StoredFileRepository(session).record(stored)


def store_bytes(db: Database, store: FileStore, data: bytes, *, original_name: str) -> StoredFile:
    """Put ``data`` (e.g. an upload) into the store and record it (idempotent)."""
    stored = store.put_bytes(data, original_name=original_name)
    with db.transaction() as session:
        return StoredFileRepository(session).record(stored)


def get_stored_file(db: Database, sha256: str) -> StoredFile:
    with db.read() as session:
        found = StoredFileRepository(session).get(sha256.lower())
    if found is None:
        raise NotFoundError(f"no stored file with sha256 {sha256}")
    return found
