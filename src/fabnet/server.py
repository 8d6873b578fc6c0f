"""The composition root: one ASGI app serving the web interface at ``/`` and the API at ``/v1``.

``fabnet serve`` runs :func:`create_app` under uvicorn.
"""

from __future__ import annotations

from fastapi import FastAPI

from fabnet.api.app import create_app as create_api
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.web import install_web


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, run_jobs: bool = True
) -> FastAPI:
    """The API (its routes under ``/v1``) with the web pages, static files and error pages."""
    settings = settings or get_settings()
    app = create_api(settings, db=db, run_jobs=run_jobs)
    install_web(app, settings)
    return app
