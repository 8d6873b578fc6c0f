"""Content-addressed file store: blobs under ``<root>/ab/cdef...`` named by their sha256.

Storing the same content twice is a no-op. A file over the size limit is refused with
:class:`~fabnet.errors.FileTooLargeError` before anything is written. The database keeps one
``stored_files`` row per content (:class:`StoredFileRepository`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from fabnet.errors import FileTooLargeError, InputError, NotFoundError
from fabnet.storage.file_tables import StoredFileRow

_CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

#: Media types of CAD and fabrication files that :mod:`mimetypes` does not know.
CAD_MEDIA_TYPES = {
    ".stl": "model/stl",
    ".3mf": "model/3mf",
    ".obj": "model/obj",
    ".step": "model/step",
    ".stp": "model/step",
    ".iges": "model/iges",
    ".igs": "model/iges",
    ".scad": "application/x-openscad",
    ".fcstd": "application/x-freecad",
    ".dxf": "image/vnd.dxf",
    ".gcode": "text/x-gcode",
    ".kicad_pcb": "application/x-kicad-pcb",
    ".kicad_sch": "application/x-kicad-schematic",
    ".md": "text/markdown",
    ".toml": "application/toml",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}


def guess_media_type(name: str) -> str:
    """The media type for a file name (CAD formats too); ``application/octet-stream`` if unknown."""
    suffix = Path(name).suffix.lower()
    if suffix in CAD_MEDIA_TYPES:
        return CAD_MEDIA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    """A file in the store, as the ``stored_files`` row records it."""

    sha256: str
    size_bytes: int
    media_type: str
    original_name: str


class FileStore:
    """Blobs on disk, addressed by sha256. Safe to call from several processes at once."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise InputError(
                f"{sha256!r} is not a sha256 hex digest", field="sha256", hint="64 hex digits"
            )
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFoundError(f"no stored file with sha256 {sha256}")
        return path.open("rb")

    def read_bytes(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()

    def put_bytes(
        self, data: bytes, *, original_name: str, media_type: str | None = None
    ) -> StoredFile:
        """Store ``data``; returns what the database row should record."""
        self._check_size(len(data), original_name)
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.is_file():
            self._write_atomically(target, [data])
        return StoredFile(
            digest, len(data), media_type or guess_media_type(original_name), original_name
        )

    def put_path(
        self, path: Path, *, original_name: str | None = None, media_type: str | None = None
    ) -> StoredFile:
        """Store the file at ``path`` (streamed: large files are never held in memory)."""
        name = original_name or path.name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc
        self._check_size(size, str(path))
        hasher = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(_CHUNK), b""):
                    hasher.update(block)
            digest = hasher.hexdigest()
            target = self.path_for(digest)
            if not target.is_file():
                with path.open("rb") as handle:
                    self._write_atomically(target, iter(lambda: handle.read(_CHUNK), b""))
        except IsADirectoryError:
            raise InputError("is a folder, not a file", source=str(path)) from None
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc
        return StoredFile(digest, size, media_type or guess_media_type(name), name)

    def _check_size(self, size: int, source: str) -> None:
        if size > self.max_bytes:
            raise FileTooLargeError(
                f"the file is {size:,} bytes; the limit is {self.max_bytes:,} bytes",
                source=source,
                hint="raise FABNET_MAX_FILE_BYTES or store a smaller export",
            )

    def _write_atomically(self, target: Path, blocks: Iterable[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for block in blocks:
                    out.write(block)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise


class StoredFileRepository:
    """The ``stored_files`` rows, inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, stored: StoredFile) -> StoredFile:
        """Record a stored file once; a second record of the same content keeps the first row."""
        existing = self.get(stored.sha256)
        if existing is not None:
            return existing
        self.session.execute(
            insert(StoredFileRow),
            [
                {
                    "sha256": stored.sha256,
                    "size_bytes": stored.size_bytes,
                    "media_type": stored.media_type,
                    "original_name": stored.original_name,
                }
            ],
        )
        return stored

    def get(self, sha256: str) -> StoredFile | None:
        row = self.session.scalar(select(StoredFileRow).where(StoredFileRow.sha256 == sha256))
        if row is None:
            return None
        return StoredFile(row.sha256, row.size_bytes, row.media_type, row.original_name)
