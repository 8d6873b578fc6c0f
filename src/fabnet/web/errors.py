"""Errors as pages: a browser never sees a traceback, a bare 500 or a problem+json document.

:func:`install_error_pages` wraps the application's exception handlers: a request under an API
prefix still gets the API's answer; any other request gets an HTML page (or, for htmx, a short
fragment the page shows in its alert region) saying what went wrong and what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from fabnet.errors import AuthenticationError, FabnetError, InputError, NotFoundError
from fabnet.web.render import is_htmx, render

log = logging.getLogger(__name__)

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]

_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    412: "Changed meanwhile",
    413: "File too large",
    422: "Please check the form",
    500: "Something went wrong",
}


def _describe(exc: Exception) -> tuple[int, str, str | None]:
    """Status, message and hint of ``exc`` in the user's words."""
    if isinstance(exc, NotFoundError):
        # Another organisation's object is not found either (the services answer 404 for it).
        return 404, "There is nothing here, or it is not yours to see.", None
    if isinstance(exc, InputError):
        field = f"{exc.field}: " if exc.field else ""
        return exc.http_status, f"{field}{exc.message}", exc.hint
    if isinstance(exc, FabnetError):
        return exc.http_status, exc.message, exc.hint
    if isinstance(exc, RequestValidationError):
        fields = ", ".join(
            str(e.get("loc", ("", ""))[-1]) for e in exc.errors()[:5] if e.get("loc")
        )
        return 422, f"Some fields are missing or not valid: {fields}.", "check them and send again"
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return 404, "There is nothing here, or it is not yours to see.", None
        return exc.status_code, str(exc.detail), None
    log.exception("unexpected error in the web interface", exc_info=exc)
    return 500, "fabnet failed unexpectedly; the error was logged.", "try again in a moment"


def error_page(request: Request, exc: Exception) -> Response:
    status, message, hint = _describe(exc)
    if isinstance(exc, AuthenticationError) and not is_htmx(request):
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
    if is_htmx(request):
        text = f"{message} ({hint})" if hint else message
        return HTMLResponse(str(escape(text)), status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "hint": hint},
        status_code=status,
        title=_TITLES.get(status, "Error"),
    )


def install_error_pages(app: FastAPI, api_prefixes: tuple[str, ...]) -> None:
    """Answer errors of web requests with pages; keep the existing handlers for the API."""
    for exc_class in (FabnetError, RequestValidationError, StarletteHTTPException, Exception):
        previous: Any = app.exception_handlers.get(exc_class)
        app.add_exception_handler(exc_class, _dispatch(previous, api_prefixes))


def _dispatch(previous: Handler | None, api_prefixes: tuple[str, ...]) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if previous is not None and request.url.path.startswith(api_prefixes):
            result = previous(request, exc)
            if isinstance(result, Response):
                return result
            return await result
        return error_page(request, exc)

    return handler
