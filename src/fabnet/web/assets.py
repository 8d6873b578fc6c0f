"""Static files: fabnet's own stylesheet and scripts, and the front-end packages from npm.

``/static/...`` serves ``fabnet/web/static``. ``/static/vendor/<package>/<path>`` serves a file of
one of :data:`VENDOR_PACKAGES` from the ``node_modules`` that ``npm ci`` made (package.json and
package-lock.json at the repository root; see ``scripts/setup.sh``); nothing is fetched from
another host. Every web page carries a Content-Security-Policy that allows only this host (plus
the tile server of ``FABNET_WEB_TILE_URL`` for map images, when one is set).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException
from fastapi.responses import FileResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabnet.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"

VENDOR_PACKAGES = frozenset(
    {
        "htmx.org",
        "leaflet",
        "leaflet.markercluster",
        "three",
        "topojson-client",
        "world-atlas",
        "axe-core",
    }
)
"""The npm packages pages may load (package.json lists them)."""

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/json", ".json")


def vendor_dir(settings: Settings) -> Path | None:
    """The ``node_modules`` holding the front-end packages, or None if ``npm ci`` has not run."""
    if settings.web_vendor_dir is not None:
        return settings.web_vendor_dir
    candidates = [Path(__file__).resolve().parents[3] / "node_modules", Path.cwd() / "node_modules"]
    for candidate in candidates:
        if (candidate / "htmx.org").is_dir():
            return candidate
    return None


def vendor_file(root: Path | None, package: str, path: str) -> FileResponse:
    """The file ``path`` of npm ``package`` (404 for anything else, including ``..``)."""
    if root is None or package not in VENDOR_PACKAGES:
        raise HTTPException(404, f"no front-end package {package!r}")
    base = (root / package).resolve()
    target = (base / path).resolve()
    if base not in target.parents or not target.is_file():
        raise HTTPException(404, f"{package} has no file {path!r}")
    return FileResponse(
        target,
        media_type=mimetypes.guess_type(target.name)[0] or "application/octet-stream",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def content_security_policy(settings: Settings, script_hashes: tuple[str, ...]) -> str:
    img = ["'self'", "data:", "blob:"]
    if settings.web_tile_url:
        parts = urlsplit(settings.web_tile_url.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            img.append(f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}")
    scripts = ["'self'", *(f"'{h}'" for h in script_hashes)]
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(scripts)}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(img)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Adds the Content-Security-Policy and other browser protections to web (non-API) pages."""

    def __init__(self, app: ASGIApp, *, csp: str, api_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        self.api_prefixes = api_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(self.api_prefixes):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
