"""Dependencies every route uses: the database, the settings and the authenticated principal.

They are ``async``: they only read ``app.state`` or the principal the request guard has
authenticated, so they run on the event loop; a sync dependency would cost each request one hop
to the thread pool and back per dependency (four for a read: the database, the principal, its
scope, the page). The guard has authenticated every route that declares ``authenticate``; only
without it does ``authenticate`` read the token itself, in the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fabnet.api.guard import AUTH_ATTRIBUTE, SCOPE_ATTRIBUTE
from fabnet.domain.identity import Principal, Scope
from fabnet.errors import AuthenticationError
from fabnet.services.identity.auth import authenticate_token
from fabnet.settings import Settings
from fabnet.storage.db import Database

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `fabnet tokens create` or POST /v1/tokens: fnt_<id>_<secret>",
)


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def authenticate(
    request: Request,
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind ``Authorization: Bearer <token>`` (401 problem otherwise)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError(
            "this needs an API token", hint="send Authorization: Bearer fnt_<id>_<secret>"
        )
    principal = await to_thread.run_sync(authenticate_token, db, credentials.credentials)
    request.state.principal = principal
    return principal


setattr(authenticate, AUTH_ATTRIBUTE, True)


def require_scope(scope: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the principal if its token holds ``scope`` (403 problem otherwise)."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        principal.require(scope)
        return principal

    dependency.__name__ = f"require_{scope.value}"
    setattr(dependency, SCOPE_ATTRIBUTE, scope)  # the request guard checks it before the body
    return dependency


Reader = Annotated[Principal, Depends(require_scope(Scope.READ))]
Writer = Annotated[Principal, Depends(require_scope(Scope.WRITE))]
Admin = Annotated[Principal, Depends(require_scope(Scope.ADMIN))]
