"""Shared by the design and facility import routes: the upload on disk, the tally as JSON."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile
from pydantic import BaseModel

from fabnet.errors import FileTooLargeError, InputError
from fabnet.services.catalogue.records import ImportTally

_CHUNK = 1024 * 1024


class RefusedOut(BaseModel):
    source: str
    message: str


class WarningOut(BaseModel):
    source: str
    field: str
    message: str


class ImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    refused: list[RefusedOut]
    warnings: list[WarningOut]


def _safe_name(name: str | None) -> str:
    base = Path(name or "upload").name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return cleaned or "upload"


@contextmanager
def uploaded_file(upload: UploadFile, max_bytes: int) -> Iterator[tuple[Path, str]]:
    """The upload in a private temporary folder, under its (sanitised) original name."""
    name = _safe_name(upload.filename)
    with tempfile.TemporaryDirectory(prefix="fabnet-upload-") as folder:
        path = Path(folder) / name
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLargeError(
                        f"the upload is larger than {max_bytes} bytes",
                        source=name,
                        hint="FABNET_MAX_FILE_BYTES sets the limit",
                    )
                out.write(chunk)
        if size == 0:
            raise InputError("the uploaded file is empty", source=name, field="file")
        yield path, folder


def tally_out(tally: ImportTally, folder: str) -> ImportOut:
    """The tally with temporary paths replaced by the uploaded name; 422 when all was refused."""

    def clean(text: str) -> str:
        return text.replace(folder + "/", "").replace(folder, "")

    if tally.imported == 0 and tally.refused:
        raise InputError(clean(tally.refused[0].message))
    return ImportOut(
        created=tally.created,
        updated=tally.updated,
        unchanged=tally.unchanged,
        refused=[
            RefusedOut(source=clean(r.source), message=clean(r.message)) for r in tally.refused
        ],
        warnings=[
            WarningOut(source=clean(w.source), field=w.field, message=w.message)
            for w in tally.warnings
        ],
    )
