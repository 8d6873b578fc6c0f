"""The web interface: server-rendered Jinja2 pages with htmx, served at ``/`` beside the API.

:func:`create_router` gives the pages; :func:`install_web` adds them to an application with the
static files, the error pages and the browser security headers. Pages call the service functions
through :mod:`fabnet.web.services` only; sessions and CSRF are in :mod:`fabnet.web.sessions`.
"""

from __future__ import annotations

from fabnet.web.app import create_router, install_web

__all__ = ["create_router", "install_web"]
