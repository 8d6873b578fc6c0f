"""The audit log over HTTP: the events about one object, and (platform admins) the chain check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fabnet.api.deps import Admin, DbDep, Reader
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.domain.identity import Principal
from fabnet.domain.orders.audit import AuditEvent, ChainVerification
from fabnet.errors import PermissionDeniedError
from fabnet.services.orders import orders
from fabnet.services.orders.audit import verify_audit_chain

router = APIRouter(tags=["audit"], responses=PROBLEM_RESPONSES)


def require_platform_admin(principal: Admin) -> Principal:
    if not principal.is_platform_admin:
        raise PermissionDeniedError("only platform admins verify the whole audit chain")
    return principal


PlatformAdmin = Annotated[Principal, Depends(require_platform_admin)]


@router.get("/v1/events", response_model=list[AuditEvent])
def list_events(
    db: DbDep,
    principal: Reader,
    object_id: Annotated[
        str, Query(min_length=1, description="An order, lot, contract or inspection id")
    ],
) -> list[AuditEvent]:
    """The hash-chained events about one object the caller may see, oldest first."""
    return orders.object_events(db, principal, object_id)


@router.get("/v1/audit/verification", response_model=ChainVerification)
def verify_chain(db: DbDep, principal: PlatformAdmin) -> ChainVerification:
    """Walk the whole chain against its anchored head; names the first broken event."""
    return verify_audit_chain(db)
