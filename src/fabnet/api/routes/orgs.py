"""Organisations: list, read (with ETag), create (platform admins), update (If-Match)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from fabnet.api.concurrency import expected_version_from, set_etag
from fabnet.api.deps import Admin, DbDep, Reader
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.schemas import OrganisationCreate, OrganisationUpdate
from fabnet.domain.identity import Organisation, OrgKind
from fabnet.services.identity import accounts as identity
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/orgs", tags=["organisations"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[Organisation])
def list_orgs(
    db: DbDep, principal: Reader, page: PageDep, kind: OrgKind | None = None
) -> Page[Organisation]:
    return identity.list_organisations(
        db, actor=principal, limit=page.limit, cursor=page.cursor, kind=kind
    )


@router.post("", response_model=Organisation, status_code=status.HTTP_201_CREATED)
def create_org(
    body: OrganisationCreate, db: DbDep, principal: Admin, response: Response
) -> Organisation:
    org = identity.create_organisation(db, body.name, body.kind, body.facility_ids, actor=principal)
    response.headers["Location"] = f"/v1/orgs/{org.id}"
    set_etag(response, org.version)
    return org


@router.get("/{org_id}", response_model=Organisation)
def get_org(org_id: str, db: DbDep, principal: Reader, response: Response) -> Organisation:
    org = identity.get_organisation(db, org_id, actor=principal)
    set_etag(response, org.version)
    return org


@router.patch("/{org_id}", response_model=Organisation)
def update_org(
    org_id: str,
    body: OrganisationUpdate,
    db: DbDep,
    principal: Admin,
    response: Response,
    if_match: Annotated[str | None, Header(description='ETag from GET, e.g. "v3"')] = None,
) -> Organisation:
    """Optimistic update: stale If-Match -> 412, stale body ``version`` -> 409."""
    org = identity.update_organisation(
        db,
        org_id,
        actor=principal,
        expected_version=expected_version_from(if_match, None),
        body_version=body.version,
        name=body.name,
        facility_ids=body.facility_ids,
    )
    set_etag(response, org.version)
    return org
