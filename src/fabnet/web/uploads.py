"""Evidence uploads of web forms: each file is put into the content-addressed store and recorded,
and the form goes on with its SHA-256 (what lot actions and inspection results take)."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from fabnet.errors import FileTooLargeError, InputError
from fabnet.web import services, sessions


async def store_upload(request: Request, upload: UploadFile, field: str) -> str | None:
    """The SHA-256 of ``upload`` once stored (None for an empty file input)."""
    if not upload.filename:
        return None
    store = services.open_file_store(sessions.settings_of(request))
    data = await upload.read(store.max_bytes + 1)
    if len(data) > store.max_bytes:
        raise FileTooLargeError(
            f"{upload.filename} is larger than {store.max_bytes} bytes", field=field,
            hint="FABNET_MAX_FILE_BYTES sets the limit",
        )  # fmt: skip
    if not data:
        raise InputError(f"{upload.filename} is empty", field=field)
    stored = services.store_bytes(
        sessions.database(request), store, data, original_name=upload.filename
    )
    return stored.sha256


async def stored_files(request: Request, form: FormData, field: str) -> list[str]:
    """The SHA-256 of every file uploaded in ``field`` (several inputs may share the name), then
    of every digest typed in ``field + "_sha256"`` (files stored before, e.g. through the API)."""
    digests: list[str] = []
    for value in form.getlist(field):
        if isinstance(value, UploadFile):
            digest = await store_upload(request, value, field)
            if digest:
                digests.append(digest)
    for value in form.getlist(field + "_sha256"):
        text = str(value).strip().lower()
        if text:
            digests.append(text)
    return digests
