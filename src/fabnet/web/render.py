"""Page rendering: Jinja2 templates, the layout's context and role-aware navigation.

Every page extends ``base.html``. :func:`render` adds what the layout needs (the signed-in user,
the navigation for their organisation's kind, the CSRF token, the map settings). A page answered to
an htmx request that targets one of its regions renders only that region's template
(:func:`is_htmx`), so every page also works as a full page load.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fabnet.domain.identity import OrgKind
from fabnet.domain.orders.currency import format_minor
from fabnet.web import sessions

TEMPLATE_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
#: ``{{ amount_minor|money(currency) }}``: minor units with the currency's own decimals.
templates.env.filters["money"] = format_minor

IMPORT_MAP = json.dumps(
    {
        "imports": {
            "three": "/static/vendor/three/build/three.module.min.js",
            "three/addons/": "/static/vendor/three/examples/jsm/",
        }
    },
    separators=(",", ":"),
)
"""The import map of pages with a 3D preview (three.js is ES modules with bare imports)."""

IMPORT_MAP_HASH = "sha256-" + base64.b64encode(hashlib.sha256(IMPORT_MAP.encode()).digest()).decode(
    "ascii"
)

HTMX_CONFIG = json.dumps(
    {
        "includeIndicatorStyles": False,
        "selfRequestsOnly": True,
        "allowScriptTags": False,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {"code": "[45]..", "swap": False, "error": True},
        ],
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class NavItem:
    """A navigation link, shown to the organisation kinds listed (every signed-in user if empty)."""

    label: str
    href: str
    kinds: frozenset[OrgKind] = frozenset()
    section: str = ""
    """The first path segment of the pages this link stands for (marks it as the current page)."""


NAV: list[NavItem] = [
    NavItem("Designs", "/designs", section="designs"),
    NavItem("Facilities", "/facilities", section="facilities"),
    NavItem("Make or buy", "/makebuy", section="makebuy"),
    NavItem("Quote", "/quote", frozenset({OrgKind.BUYER, OrgKind.ORCHESTRATOR}), section="quote"),
    NavItem(
        "Orders",
        "/orders",
        frozenset({OrgKind.BUYER, OrgKind.ORCHESTRATOR, OrgKind.PLATFORM}),
        section="orders",
    ),
]
NAV += [
    NavItem("Job board", "/jobs", frozenset({OrgKind.MANUFACTURER}), section="jobs"),
    NavItem("My facilities", "/facilities/mine", frozenset({OrgKind.MANUFACTURER})),
    NavItem(
        "Inspections", "/inspections", frozenset({OrgKind.INSPECTION_BODY}), section="inspections"
    ),
    NavItem("Licensing", "/licensor", frozenset({OrgKind.DESIGNER}), section="licensor"),
    NavItem(
        "Permissions",
        "/permissions",
        frozenset({OrgKind.BUYER, OrgKind.ORCHESTRATOR}),
        section="permissions",
    ),
    NavItem("Admin", "/admin", frozenset({OrgKind.PLATFORM}), section="admin"),
    NavItem("Notifications", "/notifications", section="notifications"),
]
"""The main navigation; the role pages of other features append their links here."""


def nav_for(user: sessions.WebUser | None) -> list[NavItem]:
    if user is None:
        return []
    return [item for item in NAV if not item.kinds or user.kind in item.kinds]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    title: str = "",
) -> HTMLResponse:
    """The page ``template`` with the layout's context."""
    user = sessions.current_user(request)
    settings = sessions.settings_of(request)
    section = request.url.path.strip("/").split("/", 1)[0]
    full: dict[str, Any] = {
        "user": user,
        "nav": nav_for(user),
        "section": section,
        "csrf_token": sessions.csrf_token(request),
        "csrf_field": sessions.CSRF_FIELD,
        "csrf_header_json": json.dumps({sessions.CSRF_HEADER: sessions.csrf_token(request)}),
        "htmx_config": HTMX_CONFIG,
        "import_map": IMPORT_MAP,
        "tile_url": settings.web_tile_url or "",
        "tile_attribution": settings.web_tile_attribution,
        "title": title,
    }
    full.update(context or {})
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    sessions.keep_nonce(request, response)
    return response
