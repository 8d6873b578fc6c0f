"""What the order routes share: If-Match handling, action names in URLs, the file store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Header

from fabnet.api.deps import SettingsDep
from fabnet.domain.orders.states import LotAction
from fabnet.errors import InputError, PreconditionFailedError, StaleVersionError
from fabnet.services.platform.database import open_file_store
from fabnet.storage.files import FileStore

IfMatch = Annotated[
    str | None,
    Header(description='The ETag from GET, e.g. "v3": 412 when the object moved on'),
]

#: Lot actions the URL names differently from the life-cycle table.
LOT_ACTION_ALIASES = {"deliver": LotAction.CONFIRM_DELIVERY.value}
REVIEW_PROTOTYPE = "review_prototype"


def file_store(settings: SettingsDep) -> FileStore:
    return open_file_store(settings)


FileStoreDep = Annotated[FileStore, Depends(file_store)]


@contextmanager
def if_match_precondition(if_match: str | None) -> Iterator[None]:
    """Answer 412 instead of 409 when the stale version came from ``If-Match``."""
    try:
        yield
    except StaleVersionError as exc:
        if if_match is None:
            raise
        raise PreconditionFailedError(exc.message, hint=exc.hint) from exc


def action_key(name: str) -> str:
    """``submit-prototype`` and ``submit_prototype`` both name ``submit_prototype``."""
    return name.strip().lower().replace("-", "_")


def lot_action_name(name: str, approve: bool | None) -> str:
    """The life-cycle action a URL names; ``review-prototype`` needs ``approve`` and becomes
    ``approve_prototype`` or ``reject_prototype``. Unknown names go on to the service, which
    refuses them listing the known ones."""
    key = action_key(name)
    if key == REVIEW_PROTOTYPE:
        if approve is None:
            raise InputError("review-prototype needs approve: true or false", field="body.approve")
        return (LotAction.APPROVE_PROTOTYPE if approve else LotAction.REJECT_PROTOTYPE).value
    if approve is not None:
        raise InputError(
            f"approve is only given with review-prototype, not with {name}",
            field="body.approve",
            hint="remove it",
        )
    return LOT_ACTION_ALIASES.get(key, key)
