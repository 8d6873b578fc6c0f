"""Licensing: who licenses a design, a licensor's designs and the orders using them, and
permission requests (a buyer asks, the licensor grants or refuses)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from fabnet.api.deps import Admin, DbDep, Reader, Writer
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.order_http import FileStoreDep
from fabnet.services.catalogue import licensors
from fabnet.services.catalogue.licensors import DesignLicensor
from fabnet.services.orders import permissions
from fabnet.services.orders.permissions import (
    DesignLicence,
    DesignUse,
    OrderPermission,
    PermissionRequest,
)

router = APIRouter(tags=["licensing"], responses=PROBLEM_RESPONSES)


class LicensorLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: str = Field(min_length=1, description="The designer organisation that licenses it")


class PermissionRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    design_id: str = Field(min_length=1, description="The order's design that needs permission")
    message: str = Field(default="", max_length=4000, description="What the buyer tells the "
                         "licensor (purpose, quantity, price)")  # fmt: skip


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=4000, description="Conditions or a note")
    evidence_sha256: str | None = Field(
        default=None,
        description="A signed permission uploaded to /v1/files; without it fabnet writes the "
        "permission document (order, design, licensor, note) and stores it",
    )
    version: int | None = Field(default=None, description="The request version answered")


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=4000, description="Why: the buyer reads it")
    version: int | None = Field(default=None, description="The request version answered")


@router.get("/v1/designs/{design_id}/licensor", response_model=DesignLicensor)
def get_design_licensor(design_id: str, db: DbDep, principal: Reader) -> DesignLicensor:
    """The organisation that licenses the design on the platform (404 when none is linked)."""
    return licensors.design_licensor(db, principal, design_id)


@router.put("/v1/designs/{design_id}/licensor", response_model=DesignLicensor)
def link_design_licensor(
    design_id: str, body: LicensorLink, db: DbDep, principal: Admin
) -> DesignLicensor:
    """Link the design to its designer organisation (platform admins)."""
    return licensors.link_design_licensor(db, principal, design_id, body.org_id)


@router.delete("/v1/designs/{design_id}/licensor", status_code=status.HTTP_204_NO_CONTENT)
def unlink_design_licensor(design_id: str, db: DbDep, principal: Admin) -> Response:
    licensors.unlink_design_licensor(db, principal, design_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/licensor/designs", response_model=list[DesignLicence])
def licensed_designs(db: DbDep, principal: Reader) -> list[DesignLicence]:
    """The designs the caller's organisation licenses, with the obligations of their licences
    (attribution, notices, source, marking ...) and whether paid orders need a permission."""
    return permissions.licensed_designs(db, principal)


@router.get("/v1/licensor/orders", response_model=list[DesignUse])
def licensed_orders(db: DbDep, principal: Reader) -> list[DesignUse]:
    """Orders that use the caller's designs: name, state, buyer and units (newest first)."""
    return permissions.licensed_orders(db, principal)


@router.get("/v1/permission-requests", response_model=list[PermissionRequest])
def list_permission_requests(
    db: DbDep,
    principal: Reader,
    status: Literal["pending", "granted", "refused"] | None = None,
) -> list[PermissionRequest]:
    """Requests made to the caller's organisation (as licensor) and by it, newest first."""
    return permissions.permission_requests(db, principal, status=status)


@router.get("/v1/orders/{order_id}/permissions", response_model=list[OrderPermission])
def order_permissions(order_id: str, db: DbDep, principal: Reader) -> list[OrderPermission]:
    """Each design of the order: what its licence asks, whether the licensor's permission is
    needed, who the licensor is and the requests so far (demand-side parties of the order)."""
    return permissions.order_permissions(db, principal, order_id)


@router.post(
    "/v1/orders/{order_id}/permission-requests",
    response_model=PermissionRequest,
    status_code=status.HTTP_201_CREATED,
)
def request_permission(
    order_id: str, body: PermissionRequestIn, db: DbDep, principal: Writer, response: Response
) -> PermissionRequest:
    """Ask the design's licensor for permission for this paid order (e.g. a non-commercial
    licence); the licensor is notified. 409 while a request waits or the order holds one."""
    made = permissions.request_permission(
        db, principal, order_id, body.design_id, message=body.message
    )
    response.headers["Location"] = f"/v1/permission-requests/{made.id}"
    return made


@router.get("/v1/permission-requests/{request_id}", response_model=PermissionRequest)
def get_permission_request(request_id: str, db: DbDep, principal: Reader) -> PermissionRequest:
    return permissions.get_permission_request(db, principal, request_id)


@router.post("/v1/permission-requests/{request_id}/grant", response_model=PermissionRequest)
def grant_permission(
    request_id: str, body: GrantIn, db: DbDep, principal: Writer, store: FileStoreDep
) -> PermissionRequest:
    """The licensor grants it: the permission document is recorded on the order (as POST
    /v1/orders/{id}/licensor-permission does) and the buyer is notified. 409 once answered."""
    return permissions.grant_permission(
        db, principal, request_id, store=store, note=body.note,
        evidence_sha256=body.evidence_sha256, expected_version=body.version,
    )  # fmt: skip


@router.post("/v1/permission-requests/{request_id}/refuse", response_model=PermissionRequest)
def refuse_permission(
    request_id: str, body: RefuseIn, db: DbDep, principal: Writer
) -> PermissionRequest:
    """The licensor refuses it with a reason, which the buyer is told. 409 once answered."""
    return permissions.refuse_permission(
        db, principal, request_id, reason=body.reason, expected_version=body.version
    )
