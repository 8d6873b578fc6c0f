"""RFC 9457 problem details (``application/problem+json``) for every error the API answers.

Errors from :mod:`fabnet.errors` keep their ``http_status`` and ``title``; request validation
errors become 422 with an ``errors`` list (``field`` path, ``message``) that says what to fix;
anything else is a 500 with no internals. ``type`` is a stable URI per error class.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from fabnet.errors import AuthenticationError, FabnetError, InputError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://fabnet.dev/problems/"
BEARER_CHALLENGE = 'Bearer realm="fabnet"'


class FieldProblem(BaseModel):
    field: str = Field(description="Where: 'body.name', 'query.limit', 'header.If-Match'")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    hint: str | None = None


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name.removesuffix("Error")).lower() or "error"


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    errors: list[FieldProblem] | None = None,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=TYPE_BASE + type_slug,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        hint=hint,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _fabnet_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FabnetError)
    return render_fabnet_error(request, exc)


def render_fabnet_error(request: Request, exc: FabnetError) -> JSONResponse:
    errors = None
    if isinstance(exc, InputError) and exc.field:
        errors = [FieldProblem(field=exc.field, message=exc.message)]
    headers = None
    if isinstance(exc, AuthenticationError):
        # RFC 6750: no error code when the request carried no credentials at all.
        presented = "authorization" in request.headers
        challenge = f'{BEARER_CHALLENGE}, error="invalid_token"' if presented else BEARER_CHALLENGE
        headers = {"WWW-Authenticate": challenge}
    if exc.http_status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    return problem_response(
        request,
        status=exc.http_status,
        title=exc.title,
        detail=_input_detail(exc) if isinstance(exc, InputError) else exc.message,
        type_slug=_slug(type(exc).__name__),
        errors=errors,
        hint=exc.hint,
        headers=headers,
    )


def _input_detail(exc: InputError) -> str:
    where = ": ".join(p for p in (exc.source, exc.field) if p)
    return f"{where}: {exc.message}" if where else exc.message


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "header" and len(parts) > 1:
        return f"header.{parts[1]}"
    return ".".join(parts)


def _fix(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    message = str(error.get("msg", "is not valid"))
    if kind == "missing":
        return "is required; add it"
    if isinstance(error.get("input"), bytes) and tuple(error.get("loc", ())) == ("body",):
        return "the body must be a JSON object sent with Content-Type: application/json"
    if kind == "extra_forbidden":
        return "is not a known field; remove it or check its spelling"
    if kind == "json_invalid":
        reason = error.get("ctx", {}).get("error", "syntax error")
        loc = error.get("loc", ())
        at = f" at character {loc[-1]}" if len(loc) > 1 and isinstance(loc[-1], int) else ""
        return f"the body is not valid JSON ({reason}{at})"
    return f"{message}; got {error.get('input')!r}" if "input" in error else message


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        FieldProblem(
            # A JSON syntax error's location ends with a character offset, not a field.
            field="body" if e.get("type") == "json_invalid" else _location(e.get("loc", ())),
            message=_fix(e),
        )
        for e in exc.errors()
    ]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
    return problem_response(
        request,
        status=422,
        title="Invalid request",
        detail=f"the request has {len(problems)} invalid field(s): {summary}",
        type_slug="invalid-request",
        errors=problems,
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return render_http_error(request, exc)


def render_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {
        400: "Bad request",
        401: "Not authenticated",
        404: "Not found",
        405: "Method not allowed",
        413: "Request body too large",
    }
    return problem_response(
        request,
        status=exc.status_code,
        title=titles.get(exc.status_code, "HTTP error"),
        detail=str(exc.detail),
        type_slug=f"http-{exc.status_code}",
        headers=dict(exc.headers) if exc.headers else None,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        title="Internal error",
        detail="fabnet failed unexpectedly; the error was logged",
        type_slug="internal",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FabnetError, _fabnet_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
    for status, description in (
        (401, "Missing, invalid, revoked or expired token"),
        (403, "The token lacks the scope, or the caller the role"),
        (404, "Not found"),
        (409, "Conflict"),
        (412, "If-Match does not match the current ETag"),
        (422, "Invalid input: see errors"),
    )
}
"""The problems every router declares (``APIRouter(responses=PROBLEM_RESPONSES)``)."""

BODY_PROBLEMS: dict[int, str] = {
    400: "The body cannot be read: bytes that are not UTF-8 JSON, or broken multipart form data",
    413: "The body is larger than this route accepts (FABNET_MAX_REQUEST_BYTES; an upload: "
    "FABNET_MAX_FILE_BYTES)",
}
"""The problems of every operation that takes a body (added by :func:`document_problems`)."""


def document_problems(document: dict[str, Any]) -> None:
    """Make the OpenAPI ``document`` say what error answers really are, once for every operation.

    Every operation with a request body gains the 400 and 413 of :data:`BODY_PROBLEMS` (the
    request guard and the body parser answer them before any route runs); every 4xx and 5xx
    response is ``application/problem+json`` with the :class:`Problem` schema, the one content
    type the handlers answer (FastAPI alone would document the model as ``application/json``).
    """
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if "requestBody" in operation:
                for status, description in BODY_PROBLEMS.items():
                    responses.setdefault(str(status), {"description": description})
            for code, response in responses.items():
                if code[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_JSON: dict(problem)}
