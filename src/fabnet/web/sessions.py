"""Web sign-in: server-side sessions and CSRF protection.

A session is an API token of the signed-in user named ``web session`` (so it is listed, expires and
is revoked like any token); its raw value lives only in the ``fabnet_session`` cookie: HttpOnly,
SameSite=Lax, Secure when the page was served over https. Signing out revokes it.

CSRF: every form carries a hidden ``csrf_token`` and every htmx request the ``X-CSRF-Token``
header (``hx-headers`` on ``<body>``); the token is an HMAC of the session's token id under the
secret key. Before sign-in (the sign-in form itself) it is an HMAC of a random ``fabnet_csrf``
cookie. A state-changing request without a matching token is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from fabnet.domain.identity import OrgKind, Principal, Scope, User
from fabnet.errors import AuthenticationError, FabnetError
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.web import services

SESSION_COOKIE = "fabnet_session"
ANON_COOKIE = "fabnet_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_TOKEN_NAME = "web session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


class CsrfError(FabnetError):
    http_status = 403
    title = "Form expired"


@dataclass(frozen=True)
class WebUser:
    """The signed-in user as pages show them."""

    principal: Principal
    user: User
    org_name: str

    @property
    def kind(self) -> OrgKind:
        return self.principal.org_kind


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_scopes(kind: OrgKind) -> list[Scope]:
    """What a web session may do: write for every user; platform users administer."""
    return [Scope.ADMIN] if kind is OrgKind.PLATFORM else [Scope.WRITE]


def sign_in(request: Request, response: Response, email: str, password: str) -> WebUser:
    """Check the password, start a session and set its cookie on ``response``."""
    db = database(request)
    settings = settings_of(request)
    user = services.authenticate_password(db, email, password)
    org = services.get_organisation(db, user.org_id, actor=None)
    issued = services.create_token(
        db,
        user.id,
        session_scopes(org.kind),
        actor=None,
        name=SESSION_TOKEN_NAME,
        expires_in_days=settings.web_session_days,
    )
    response.set_cookie(
        SESSION_COOKIE,
        issued.raw,
        max_age=settings.web_session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(ANON_COOKIE, path="/")
    principal = services.authenticate_token(db, issued.raw)
    return WebUser(principal=principal, user=user, org_name=org.name)


def sign_out(request: Request, response: Response) -> None:
    """Revoke the session's token and drop its cookie."""
    current = current_user(request)
    if current is not None and current.principal.token_id is not None:
        services.revoke_token(
            database(request), current.principal.token_id, actor=current.principal
        )
    response.delete_cookie(SESSION_COOKIE, path="/")


def current_user(request: Request) -> WebUser | None:
    """The user of the request's session cookie, or None (no cookie, or a dead session)."""
    cached = getattr(request.state, "web_user", _UNSET)
    if cached is not _UNSET:
        assert cached is None or isinstance(cached, WebUser)
        return cached
    found: WebUser | None = None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        db = database(request)
        try:
            principal = services.authenticate_token(db, raw)
        except (AuthenticationError, ValueError, FabnetError):
            principal = None
        if principal is not None:
            user = services.get_user(db, principal.user_id, actor=principal)
            org = services.get_organisation(db, principal.org_id, actor=principal)
            found = WebUser(principal=principal, user=user, org_name=org.name)
    request.state.web_user = found
    return found


def _sign(settings: Settings, purpose: str, value: str, *, secret_key: str | None = None) -> str:
    secret = settings.secret_key if secret_key is None else secret_key
    key = hashlib.sha256(f"fabnet-web-csrf:{secret}".encode()).digest()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def anon_nonce(request: Request) -> str:
    """The request's pre-sign-in CSRF nonce (made now if it has none; see :func:`keep_nonce`)."""
    nonce = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(18)
        request.state.new_nonce = nonce
    return nonce


def keep_nonce(request: Request, response: Response) -> None:
    """Set the nonce cookie if this request made one."""
    nonce = getattr(request.state, "new_nonce", None)
    if nonce:
        response.set_cookie(
            ANON_COOKIE,
            nonce,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def csrf_token(request: Request) -> str:
    """The token forms and htmx requests of this page must send back."""
    settings = settings_of(request)
    current = current_user(request)
    if current is not None and current.principal.token_id:
        return _sign(settings, "session", current.principal.token_id)
    return _sign(settings, "anon", anon_nonce(request))


def _expected(request: Request) -> list[str]:
    settings = settings_of(request)
    out: list[str] = []
    current = current_user(request)
    nonce = request.cookies.get(ANON_COOKIE)
    # A page served before a key rotation still posts its form afterwards.
    for key in settings.secret_keys:
        if current is not None and current.principal.token_id:
            out.append(_sign(settings, "session", current.principal.token_id, secret_key=key))
        if nonce:
            out.append(_sign(settings, "anon", nonce, secret_key=key))
    return out


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is missing or does not match."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent:
        raise CsrfError(
            "this form was sent without its security token",
            hint="reload the page and send the form again",
        )
    if not any(hmac.compare_digest(sent, want) for want in _expected(request)):
        raise CsrfError(
            "this form has expired or did not come from this site",
            hint="reload the page and send the form again",
        )
