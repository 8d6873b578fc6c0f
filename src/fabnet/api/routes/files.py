"""Evidence files: upload a photo, record or waybill; refer to it by its SHA-256."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from fabnet.api.deps import DbDep, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.api.schemas_orders import StoredFileOut
from fabnet.errors import FileTooLargeError, InputError
from fabnet.services.platform.files import store_bytes

router = APIRouter(prefix="/v1/files", tags=["files"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    response_model=StoredFileOut,
    status_code=status.HTTP_201_CREATED,
    responses={413: {"description": "The file is larger than FABNET_MAX_FILE_BYTES"}},
)
def upload_file(
    file: Annotated[UploadFile, File(description="Evidence: a photo, record, waybill")],
    db: DbDep,
    principal: Writer,
    store: FileStoreDep,
) -> StoredFileOut:
    """Store the upload (content-addressed: the same bytes twice are one file) and answer its
    ``sha256``, which lot actions and inspection results take as evidence."""
    name = file.filename or "upload"
    data = file.file.read(store.max_bytes + 1)
    if len(data) > store.max_bytes:
        raise FileTooLargeError(
            f"the upload is larger than {store.max_bytes} bytes", source=name,
            hint="FABNET_MAX_FILE_BYTES sets the limit",
        )  # fmt: skip
    if not data:
        raise InputError("the uploaded file is empty", source=name, field="file")
    stored = store_bytes(db, store, data, original_name=name)
    return StoredFileOut(
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        media_type=stored.media_type,
        original_name=stored.original_name,
    )
