"""The composition root: one ASGI app serving the web interface at ``/`` and the API at ``/v1``.

Only this module joins the adapters: it opens the database, runs the job queue and the
housekeeping timers for the app's lifetime (the outbox of :mod:`fabnet.outbox`, with the handlers
of :mod:`fabnet.jobs`), builds the API (:mod:`fabnet.api`) and adds the web interface
(:mod:`fabnet.web`), so neither adapter imports another. ``fabnet serve`` runs :func:`create_app`
under uvicorn.
"""

from __future__ import annotations

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
) -> FastAPI:
    """The API over ``db`` (default: the database of ``settings``), with the web pages, static
    files and error pages unless ``web`` is false.

    While the app runs (its lifespan), the job queue of ``settings.job_backend`` is installed as
    the process-wide queue; with the in-process backend and ``run_jobs`` its runner threads run
    and the housekeeping timers are scheduled.
    """
    settings = settings or get_settings()
    database = db or open_database(settings)
    lifespan = _job_lifespan(database, settings, run_jobs=run_jobs, owns_database=db is None)
    app = create_api(settings, db=database, lifespan=lifespan)
    if web:
        install_web(app, settings)
    return app


def _job_lifespan(
    database: Database, settings: Settings, *, run_jobs: bool, owns_database: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
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
            if owns_database:
                database.dispose()

    return lifespan
