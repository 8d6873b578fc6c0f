"""The composition root: one ASGI app serving the web interface at ``/`` and the API at ``/v1``.

Only this module joins the adapters: it opens the database, runs the job queue and the
housekeeping timers for the app's lifetime (the outbox of :mod:`fabnet.outbox`, with the handlers
of :mod:`fabnet.jobs`), builds the API (:mod:`fabnet.api`) and adds the web interface
(:mod:`fabnet.web`), so neither adapter imports another. ``fabnet serve`` runs :func:`create_app`
under uvicorn.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from fabnet.api.app import create_app as create_api
from fabnet.jobs.housekeeping import ensure_housekeeping
from fabnet.outbox.queue import create_queue, install_queue
from fabnet.services.platform.database import open_database
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.web import install_web


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    run_jobs: bool = True,
    web: bool = True,
    freeze_heap: bool = False,
) -> FastAPI:
    """The API over ``db`` (default: the database of ``settings``), with the web pages, static
    files and error pages unless ``web`` is false.

    ``freeze_heap`` (a served process, :func:`serve_app`): once started, the objects made while
    starting (modules, routes, templates...) move out of the garbage collector's
    reach (``gc.freeze``), so a full collection no longer walks them in the middle of a request
    (those walks made the p95 of the facilities page 417 ms under load; 82 ms with the freeze).

    While the app runs (its lifespan), the job queue of ``settings.job_backend`` is installed as
    the process-wide queue; with the in-process backend and ``run_jobs`` its runner threads run
    and the housekeeping timers are scheduled.
    """
    settings = settings or get_settings()
    database = db or open_database(settings)
    lifespan = _job_lifespan(
        database, settings, run_jobs=run_jobs, owns_database=db is None, freeze_heap=freeze_heap
    )
    app = create_api(settings, db=database, lifespan=lifespan)
    if web:
        install_web(app, settings)
    return app


def serve_app() -> FastAPI:
    """The app a served process runs (``fabnet serve``, or ``uvicorn --factory
    fabnet.server:serve_app`` behind a reverse proxy): :func:`create_app` from the ``FABNET_*``
    settings, its start-up heap frozen."""
    return create_app(freeze_heap=True)


def _job_lifespan(
    database: Database,
    settings: Settings,
    *,
    run_jobs: bool,
    owns_database: bool,
    freeze_heap: bool = False,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue = create_queue(database, settings)
        previous = install_queue(queue)
        if run_jobs:
            queue.start()
            ensure_housekeeping(database)
        if freeze_heap:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            queue.stop()
            install_queue(previous)
            if owns_database:
                database.dispose()

    return lifespan
