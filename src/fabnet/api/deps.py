"""Dependencies every route uses: the database, the settings and the authenticated principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

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


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def authenticate(
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
    principal = authenticate_token(db, credentials.credentials)
    request.state.principal = principal
    return principal


setattr(authenticate, AUTH_ATTRIBUTE, True)


def require_scope(scope: Scope) -> Callable[..., Principal]:
    """A dependency giving the principal if its token holds ``scope`` (403 problem otherwise)."""

    def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        principal.require(scope)
        return principal

    dependency.__name__ = f"require_{scope.value}"
    setattr(dependency, SCOPE_ATTRIBUTE, scope)  # the request guard checks it before the body
    return dependency


Reader = Annotated[Principal, Depends(require_scope(Scope.READ))]
Writer = Annotated[Principal, Depends(require_scope(Scope.WRITE))]
Admin = Annotated[Principal, Depends(require_scope(Scope.ADMIN))]
