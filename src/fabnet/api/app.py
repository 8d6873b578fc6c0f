"""The FastAPI application of the API alone: ``create_app(settings, db=..., lifespan=...)``.

OpenAPI 3.1 at ``/openapi.json`` and Swagger UI at ``/docs`` (assets served locally; ReDoc
is turned off, since FastAPI's ReDoc page loads its script from a CDN). Every error is RFC 9457
problem+json (:mod:`fabnet.api.problems`); every POST accepts ``Idempotency-Key``
(:mod:`fabnet.api.idempotency`); listings use cursor pagination (:mod:`fabnet.api.pagination`);
versioned resources answer ETags and honour If-Match (:mod:`fabnet.api.concurrency`).
Routers live in :mod:`fabnet.api.routes`; add one to :data:`ROUTERS`. The document is the
contract: ``tests/api/test_openapi_conformance.py`` runs schemathesis over every operation and
requires every answer to be documented (status, content type, body, headers) and no 5xx.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import Lifespan

from fabnet.api.docs_ui import install_docs
from fabnet.api.guard import RequestGuard
from fabnet.api.idempotency import IdempotencyMiddleware, openapi_header
from fabnet.api.problems import document_problems, install_problem_handlers
from fabnet.api.routes import (
    contracts,
    designs,
    events,
    facilities,
    files,
    health,
    inspections,
    jobs,
    licensing,
    lots,
    makebuy,
    match,
    notifications,
    orders,
    orgs,
    payments,
    plans,
    quotes,
    tokens,
    users,
    variants,
    webhooks,
)
from fabnet.services.platform.health import fabnet_version
from fabnet.settings import Settings
from fabnet.storage.db import Database

ROUTERS: list[APIRouter] = [
    health.router,
    designs.router,
    facilities.router,
    orgs.router,
    users.router,
    tokens.router,
    webhooks.router,
    match.router,
    variants.router,
    makebuy.router,
    orders.router,
    plans.router,
    quotes.router,
    lots.router,
    files.router,
    contracts.router,
    inspections.router,
    payments.router,
    events.router,
    notifications.router,
    jobs.router,
    licensing.router,
]


def create_app(
    settings: Settings,
    *,
    db: Database,
    lifespan: Lifespan[FastAPI] | None = None,
) -> FastAPI:
    """The fabnet API over ``db``: its routes, problem responses, docs and middleware.

    The composition root (:func:`fabnet.server.create_app`) passes the ``lifespan`` that runs the
    job queue and housekeeping, and adds the web interface; this builds the API alone.
    """
    database = db

    app = FastAPI(
        title="fabnet",
        version=fabnet_version(),
        summary="Distributed manufacturing: designs, facilities, matching, orders",
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI with local assets: fabnet.api.docs_ui
        redoc_url=None,  # off on purpose: FastAPI's ReDoc page loads from a CDN
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    install_problem_handlers(app)
    install_docs(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RequestGuard, fastapi_app=app)  # outermost: before idempotency
    for router in ROUTERS:
        app.include_router(router)
    _document(app)
    return app


def _document(app: FastAPI) -> None:
    """The OpenAPI document with what the middleware adds: the ``Idempotency-Key`` header of
    every POST, and the problem answers of :func:`fabnet.api.problems.document_problems`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            routes=app.routes,
        )
        for path_item in schema.get("paths", {}).values():
            operation = path_item.get("post")
            if operation is not None:
                operation.setdefault("parameters", []).append(openapi_header())
        document_problems(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
