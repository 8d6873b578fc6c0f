"""Storing files in the content-addressed store and recording them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fabnet.errors import InputError, NotFoundError
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


@contextmanager
def stored_file_named(store: FileStore, sha256: str, name: str) -> Iterator[None]:
    """Within the block, an input error about the stored file ``sha256`` names it as its user
    knows it (``name``: the path in the design, the uploaded file's name), never by where the
    server's file store keeps it: an API or web answer must not show server paths."""
    try:
        yield
    except InputError as error:
        path, root = str(store.path_for(sha256)), str(store.root)
        for attr in ("source", "message", "hint"):
            text = getattr(error, attr)
            if text:
                setattr(error, attr, text.replace(path, name).replace(root, "the file store"))
        error.args = (error.message,)
        raise
