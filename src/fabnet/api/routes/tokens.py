"""API tokens: list, create (the raw token is in the answer once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from fabnet.api.deps import DbDep, Reader, Writer
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.schemas import TokenCreate, TokenIssued
from fabnet.domain.identity import ApiToken
from fabnet.services.identity import accounts as identity
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/tokens", tags=["tokens"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[ApiToken])
def list_tokens(
    db: DbDep, principal: Reader, page: PageDep, user_id: str | None = None
) -> Page[ApiToken]:
    """The caller's tokens, or (org admins) those of ``user_id``."""
    return identity.list_tokens(
        db, actor=principal, user_id=user_id, limit=page.limit, cursor=page.cursor
    )


@router.post("", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenCreate, db: DbDep, principal: Writer, response: Response
) -> TokenIssued:
    """A new token with at most the caller's scopes; ``raw`` is shown only in this answer."""
    issued = identity.create_token(
        db,
        body.user_id or principal.user_id,
        body.scopes,
        actor=principal,
        expires_in_days=body.expires_in_days,
        name=body.name,
    )
    response.headers["Location"] = f"/v1/tokens/{issued.token.id}"
    response.headers["Cache-Control"] = "no-store"
    return TokenIssued(token=issued.token, raw=issued.raw)


@router.delete("/{token_id}", response_model=ApiToken)
def revoke_token(token_id: str, db: DbDep, principal: Writer) -> ApiToken:
    """Revoke a token (idempotent); it is refused from then on."""
    return identity.revoke_token(db, token_id, actor=principal)
