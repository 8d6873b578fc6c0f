"""Server time of the web pages on the demo world (target: p95 <= 150 ms per page).

Usage: ``fabnet demo`` first (or ``FABNET_DATA_DIR`` pointing at a demo), then
``python bench/web.py [--runs 30]``. Signs in as the demo buyer through the sign-in form and
requests each page in-process (Starlette's TestClient: server time without a network), after one
warm-up request per page. Then signs in as each other role of the demo world (a manufacturer,
the inspector, the licensor, the platform admin) and times their pages the same way, with the
ids taken from the links of their own pages (``--buyer-only``: not). Prints p50/p95/max per page
as JSON.

The app is built as a served process builds it (``create_app(freeze_heap=True)``, what
``fabnet.server:serve_app`` does: the start-up heap frozen out of the garbage collector);
``--no-freeze`` measures without, for a side-by-side run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time

from fastapi.testclient import TestClient

from fabnet.server import create_app
from fabnet.services.catalogue.designs import list_designs
from fabnet.services.catalogue.facilities import list_facilities
from fabnet.services.orders.orders import list_orders
from fabnet.services.orders.plan_jobs import order_plans
from fabnet.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-freeze", action="store_true", help="do not freeze the start-up heap")
    parser.add_argument("--buyer-only", action="store_true", help="only the buyer's pages")
    args = parser.parse_args()
    app = create_app(get_settings(), run_jobs=False, freeze_heap=not args.no_freeze)
    with TestClient(app) as client:
        db = app.state.db
        design = list_designs(db, limit=200).items[0]
        facility = list_facilities(db, limit=1).items[0]
        _sign_in(client, "procurement@eahs.example", "demo-buyer-1")
        pages = {
            "start": "/",
            "design library": "/designs",
            "design library, filtered": "/designs?q=shield",
            "design page (who can make it)": f"/designs/{design.id}",
            "design page near Nairobi": f"/designs/{design.id}?near=Nairobi&quantity=100",
            "facility page": f"/facilities/{facility.id}",
            "facilities (list and map)": "/facilities",
            "facilities map points (GeoJSON)": "/facilities.geojson",
            "orders": "/orders",
            "new order (wizard)": "/orders/new",
            "instant quote": "/quote",
        }
        orders = list_orders(db, None, limit=5).items
        if orders:
            order = orders[0]
            pages["order dashboard"] = f"/orders/{order.id}"
            pages["order map (JSON)"] = f"/orders/{order.id}/map.geojson"
            plans = order_plans(db, None, order.id)
            if plans:
                plan = plans[0].record.id
                pages["plan page"] = f"/orders/{order.id}/plans/{plan}"
                pages["plans compared"] = f"/orders/{order.id}/plans/compare"
            pages["order page polled for changes"] = f"/orders/{order.id}/changes?seen=x"
        pages.update({"notifications": "/notifications", "make or buy": "/makebuy",
                      "add a design": "/designs/new"})  # fmt: skip
        out = _measure(client, pages, args.runs)
        if not args.buyer_only:
            for role, (email, password) in ROLES.items():
                other = TestClient(app)
                _sign_in(other, email, password)
                role_pages = _role_pages(other, role)
                for name, stats in _measure(other, role_pages, args.runs).items():
                    out[f"{role}: {name}"] = stats
    print(json.dumps(out, indent=2))


#: The demo world's other roles (``fabnet demo`` prints the same sign-ins).
ROLES = {
    "manufacturer": ("maker0@fabnet-demo.example", "demo-manufacturer-2"),
    "inspector": ("inspections@afriqa.example", "demo-inspector-4"),
    "licensor": ("licensing@openhw-designs.example", "demo-licensor-5"),
    "admin": ("admin@fabnet-demo.example", "demo-platform-admin-6"),
}


def _sign_in(client: TestClient, email: str, password: str) -> None:
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/signin").text)
    assert token
    signed = client.post("/signin", data={"email": email, "password": password,
                                          "csrf_token": token.group(1)})  # fmt: skip
    assert "Sign out" in signed.text, f"{email}: sign-in refused"


def _first_link(client: TestClient, page: str, pattern: str) -> str | None:
    found = re.search(pattern, client.get(page).text)
    return found.group(0) if found else None


def _role_pages(client: TestClient, role: str) -> dict[str, str]:
    if role == "manufacturer":
        pages = {"jobs": "/jobs", "my facility": "/facilities/mine", "orders": "/orders"}
        lot = _first_link(client, "/jobs", r"/jobs/lots/[0-9a-f-]{36}")
        if lot:
            pages["a job (lot)"] = lot
        order = _first_link(client, "/orders", r"/orders/[0-9a-f-]{36}")
        if order:
            pages["order page (its lots)"] = order
        return pages
    if role == "inspector":
        pages = {"inspections": "/inspections"}
        inspection = _first_link(client, "/inspections", r"/inspections/[0-9a-f-]{36}")
        if inspection:
            pages["an inspection"] = inspection
        return pages
    if role == "licensor":
        return {"licensor": "/licensor", "permissions": "/permissions"}
    return {name: f"/admin{suffix}" for name, suffix in (
        ("admin", ""), ("organisations", "/organisations"), ("users", "/users"),
        ("tokens", "/tokens"), ("facilities", "/facilities"), ("licensors", "/licensors"),
        ("webhooks", "/webhooks"), ("jobs", "/jobs"), ("audit chain", "/audit"),
    )}  # fmt: skip


def _measure(client: TestClient, pages: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    out = {}
    for name, url in pages.items():
        first = client.get(url)
        assert first.status_code in (200, 204), (url, first.status_code)
        html = "text/html" in first.headers.get("content-type", "")
        if html and "HX-Refresh" not in first.headers:
            assert "Sign out" in first.text, f"{url}: not signed in"
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "max_ms": round(times[-1], 1),
        }
    return out


if __name__ == "__main__":
    main()
