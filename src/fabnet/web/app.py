"""Assembling the web interface onto an ASGI application."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from fabnet.settings import Settings, get_settings
from fabnet.web import assets, sessions
from fabnet.web.errors import install_error_pages
from fabnet.web.pages import (
    admin,
    auth,
    designs,
    facilities,
    inspections,
    invitations,
    jobs,
    licensor,
    makebuy,
    my_facility,
    order_new,
    orders,
    plans,
    quote,
    variants,
)
from fabnet.web.render import IMPORT_MAP_HASH

PAGE_ROUTERS: list[APIRouter] = [
    auth.router,
    designs.router,
    my_facility.router,  # before facilities.router: /facilities/mine is not a facility id
    facilities.router,
    order_new.router,  # before orders.router: /orders/new is not an order id
    orders.router,
    jobs.router,
    inspections.router,
    variants.router,
    makebuy.router,
    quote.router,
    plans.router,
    licensor.router,
    admin.router,
    invitations.router,
]
"""Every page module's router; a new area of pages adds its router here."""

API_PREFIXES = ("/v1", "/openapi.json", "/docs")
"""Paths that belong to the API: errors there stay problem+json, no page headers."""


def create_router() -> APIRouter:
    """The web pages (every state-changing request checks its CSRF token)."""
    router = APIRouter(dependencies=[Depends(sessions.verify_csrf)], include_in_schema=False)
    for page_router in PAGE_ROUTERS:
        router.include_router(page_router)
    return router


def install_web(app: FastAPI, settings: Settings | None = None) -> None:
    """Serve the web interface from ``app`` at ``/`` (``app.state.db`` and ``settings`` are the
    ones the API uses)."""
    settings = settings or getattr(app.state, "settings", None) or get_settings()
    vendor_root = assets.vendor_dir(settings)

    @app.get("/static/vendor/{package}/{path:path}", include_in_schema=False)
    def vendor(package: str, path: str) -> FileResponse:
        return assets.vendor_file(vendor_root, package, path)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon(request: Request) -> FileResponse:
        return FileResponse(assets.STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    app.include_router(create_router())
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR), name="static")
    install_error_pages(app, API_PREFIXES)
    app.add_middleware(
        assets.SecurityHeaders,
        csp=assets.content_security_policy(settings, (IMPORT_MAP_HASH,)),
        api_prefixes=API_PREFIXES,
    )
