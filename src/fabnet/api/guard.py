"""The request guard: the outermost ASGI layer of the API, in front of idempotency and routing.

Before a single byte of the body is read it

1. resolves the route: an unknown path goes on with an empty body (404, or the slash redirect);
   a known path with another method answers 405 with an ``Allow`` header naming every method
   the path answers;
2. authenticates the bearer token and checks the route's scope (401 / 403), so an anonymous
   or read-only caller cannot make the server read, buffer or fingerprint a body;
3. checks ``Content-Length`` against the route's body limit (413), and counts the bytes while
   the body streams in, answering 413 as soon as the limit is passed (a chunked body has no
   length to check up front).

The limit is ``max_file_bytes`` plus room for the multipart framing on routes that take an
upload, ``max_request_bytes`` on every other route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import File
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabnet.api.problems import render_fabnet_error, render_http_error
from fabnet.domain.identity import Principal
from fabnet.domain.identity import Scope as TokenScope
from fabnet.errors import AuthenticationError, FabnetError
from fabnet.services.identity.auth import authenticate_token
from fabnet.settings import Settings
from fabnet.storage.db import Database

MULTIPART_ALLOWANCE = 64 * 1024
"""Bytes of multipart framing (boundaries, part headers, other fields) allowed above a file."""

SCOPE_ATTRIBUTE = "fabnet_scope"
"""Set on the dependency of :func:`fabnet.api.deps.require_scope` to the scope it demands."""

AUTH_ATTRIBUTE = "fabnet_authenticates"
"""Set on :func:`fabnet.api.deps.authenticate`."""


class BodyTooLargeError(HTTPException):
    """The body passed the route's limit while it streamed in."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"the request body is larger than the {limit:,} bytes this route accepts",
        )
        self.limit = limit


@dataclass(frozen=True)
class RoutePolicy:
    """What the guard enforces for one route."""

    authenticated: bool
    scope: TokenScope | None
    max_body_bytes: int


def _walk(dependant: Dependant) -> Iterable[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _walk(child)


def _takes_upload(route: APIRoute) -> bool:

    for field in route.dependant.body_params:
        info = getattr(field, "field_info", None)
        if isinstance(info, File):
            return True
    return False


def route_policy(route: APIRoute, settings: Settings) -> RoutePolicy:
    scope: TokenScope | None = None
    authenticated = False
    for dependant in _walk(route.dependant):
        call: Callable[..., Any] | None = dependant.call
        if call is None:
            continue
        demanded = getattr(call, SCOPE_ATTRIBUTE, None)
        if isinstance(demanded, TokenScope):
            authenticated = True
            if scope is None or demanded.rank > scope.rank:
                scope = demanded
        if getattr(call, AUTH_ATTRIBUTE, False):
            authenticated = True
    limit = (
        settings.max_file_bytes + MULTIPART_ALLOWANCE
        if _takes_upload(route)
        else settings.max_request_bytes
    )
    return RoutePolicy(authenticated=authenticated, scope=scope, max_body_bytes=limit)


@dataclass
class _Resolution:
    route: BaseRoute | None
    allowed: set[str]
    #: Path parameters of the templates that gave ``allowed`` (fewer: a more specific template).
    parameters: int = 0


def _resolve(routes: Iterable[BaseRoute], scope: Scope) -> _Resolution:
    """The route that fully matches ``scope``, or the methods the path answers (for a 405).

    The methods are those of the most specific templates the path matches: ``/v1/designs/import``
    is the import resource (POST), not a design whose id is ``import`` (GET ``{design_id}``).
    """
    best = _Resolution(None, set(), parameters=10**6)
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:
                return _Resolution(route, set())
            found = _resolve(inner, {**scope, **child})
            if found.route is not None:
                return found
            candidate = found
        elif match is Match.FULL:
            return _Resolution(route, set())
        else:
            methods = getattr(route, "methods", None)
            if not methods:
                continue
            parameters = len(getattr(route, "param_convertors", {}))
            candidate = _Resolution(None, set(methods), parameters)
        if not candidate.allowed or candidate.parameters > best.parameters:
            continue
        if candidate.parameters < best.parameters:
            best = _Resolution(None, set(), candidate.parameters)
        best.allowed |= candidate.allowed
    return best


def flat_routes(routes: Iterable[BaseRoute]) -> list[BaseRoute]:
    """``routes`` with every included router replaced by its own routes (FastAPI keeps an
    included router as one routing node; the guard needs the routes to read their policy)."""
    flat: list[BaseRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is None:
            flat.append(route)
            continue
        prefix = getattr(getattr(route, "include_context", None), "prefix", "")
        if prefix:  # the routes' own paths would not carry it: fail at start-up, not per request
            raise RuntimeError(f"the request guard cannot see routes included under {prefix!r}")
        flat.extend(flat_routes(included.routes))
    return flat


async def _empty_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class RequestGuard:
    """See the module docstring. Install it last (outermost) with ``app.add_middleware``."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self._policies: dict[int, RoutePolicy] = {}
        self._routes: list[BaseRoute] | None = None

    def _policy(self, route: APIRoute) -> RoutePolicy:
        policy = self._policies.get(id(route))
        if policy is None:
            settings: Settings = self.fastapi_app.state.settings
            policy = self._policies[id(route)] = route_policy(route, settings)
        return policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._routes is None:
            self._routes = flat_routes(self.fastapi_app.router.routes)
        resolution = _resolve(self._routes, scope)
        route = resolution.route
        if route is None:
            if resolution.allowed:
                await self._method_not_allowed(scope, send, resolution.allowed)
            else:  # 404 (or a redirect to the slash variant): the body is never needed
                await self.app(scope, _empty_body, send)
            return
        if not isinstance(route, APIRoute):
            await self.app(scope, receive, send)
            return
        policy = self._policy(route)
        headers = Headers(scope=scope)
        if policy.authenticated:
            try:
                principal = await self._authenticate(headers)
                if policy.scope is not None:
                    principal.require(policy.scope)
            except FabnetError as exc:
                await _send_error(scope, send, exc)
                return
            scope.setdefault("state", {})["principal"] = principal
        limit = policy.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _send_http(scope, send, HTTPException(400, "Content-Length is not a number"))
                return
            if length > limit:
                await _send_http(scope, send, BodyTooLargeError(limit))
                return
        await self._run_limited(scope, receive, send, limit)

    async def _authenticate(self, headers: Headers) -> Principal:
        authorization = headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise AuthenticationError(
                "this needs an API token", hint="send Authorization: Bearer fnt_<id>_<secret>"
            )
        db: Database = self.fastapi_app.state.db
        return await to_thread.run_sync(authenticate_token, db, credentials.strip())

    async def _run_limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLargeError as exc:
            if started:
                raise
            await _send_http(scope, send, exc)

    async def _method_not_allowed(self, scope: Scope, send: Send, allowed: set[str]) -> None:
        if "GET" in allowed:
            allowed = allowed | {"HEAD"}
        header = ", ".join(sorted(allowed))
        await _send_http(
            scope,
            send,
            HTTPException(405, f"{scope['method']} is not allowed here; use {header}",
                          headers={"Allow": header}),
        )  # fmt: skip


async def _send_error(scope: Scope, send: Send, exc: FabnetError) -> None:

    response = render_fabnet_error(Request(scope), exc)
    await response(scope, _empty_body, send)


async def _send_http(scope: Scope, send: Send, exc: HTTPException) -> None:

    response = render_http_error(Request(scope), exc)
    await response(scope, _empty_body, send)
