"""The FastAPI application: ``create_app(settings) -> FastAPI``.

OpenAPI 3.1 at ``/openapi.json`` and Swagger UI at ``/docs`` (assets served locally; ReDoc
is turned off, since FastAPI's ReDoc page loads its script from a CDN). Every error is RFC 9457
problem+json (:mod:`fabnet.api.problems`); every POST accepts ``Idempotency-Key``
(:mod:`fabnet.api.idempotency`); listings use cursor pagination (:mod:`fabnet.api.pagination`);
versioned resources answer ETags and honour If-Match (:mod:`fabnet.api.concurrency`).
Routers live in :mod:`fabnet.api.routes`; add one to :data:`ROUTERS`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from fabnet.api.docs_ui import install_docs
from fabnet.api.guard import RequestGuard
from fabnet.api.idempotency import IdempotencyMiddleware, openapi_header
from fabnet.api.problems import install_problem_handlers
from fabnet.api.routes import (
    contracts,
    designs,
    events,
    facilities,
    files,
    health,
    inspections,
    lots,
    makebuy,
    match,
    notifications,
    orders,
    orgs,
    payments,
    plans,
    tokens,
    users,
    variants,
    webhooks,
)
from fabnet.jobs.housekeeping import ensure_housekeeping
from fabnet.jobs.queue import create_queue, install_queue
from fabnet.services.platform.database import open_database
from fabnet.services.platform.health import fabnet_version
from fabnet.settings import Settings, get_settings
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
    lots.router,
    files.router,
    contracts.router,
    inspections.router,
    payments.router,
    events.router,
    notifications.router,
]


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    run_jobs: bool = True,
) -> FastAPI:
    """The fabnet API over ``db`` (default: the database of ``settings``).

    While the app runs (its lifespan), the job queue of ``settings.job_backend`` is installed as
    the process-wide queue; with the in-process backend and ``run_jobs`` its runner threads run.
    """
    settings = settings or get_settings()
    database = db or open_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue = create_queue(database, settings)
        previous = install_queue(queue)
        if run_jobs:
            queue.start()
            ensure_housekeeping(database)
        try:
            yield
        finally:
            queue.stop()
            install_queue(previous)
            if db is None:
                database.dispose()

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
    _document_idempotency(app)
    return app


def _document_idempotency(app: FastAPI) -> None:
    """Add the ``Idempotency-Key`` header to every POST operation of the OpenAPI document."""

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
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
