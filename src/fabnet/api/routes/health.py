"""Liveness and readiness: is the API up, can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from fabnet.api.deps import DbDep, SettingsDep
from fabnet.services.platform.health import database_status, fabnet_version

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    job_backend: str


@router.get("/v1/health", response_model=Health)
def health(db: DbDep, settings: SettingsDep, response: Response) -> Health:
    """Unauthenticated: 200 when the database answers, 503 when it does not."""
    database = database_status(db)
    if database != "ok":
        response.status_code = 503
    return Health(
        status="ok" if database == "ok" else "degraded",
        version=fabnet_version(),
        database=database,
        job_backend=settings.job_backend,
    )
