"""Server time of the web pages on the demo world (target: p95 <= 150 ms per page).

Usage: ``fabnet demo`` first (or ``FABNET_DATA_DIR`` pointing at a demo), then
``python bench/web.py [--runs 30]``. Signs in as the demo buyer through the sign-in form and
requests each page in-process (Starlette's TestClient: server time without a network), after one
warm-up request per page. Prints p50/p95/max per page as JSON.

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
    args = parser.parse_args()
    app = create_app(get_settings(), run_jobs=False, freeze_heap=not args.no_freeze)
    with TestClient(app) as client:
        db = app.state.db
        design = list_designs(db, limit=200).items[0]
        facility = list_facilities(db, limit=1).items[0]
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/signin").text)
        assert token
        client.post("/signin", data={"email": "procurement@eahs.example",
                                     "password": "demo-buyer-1", "csrf_token": token.group(1)})
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
        out = {}
        for name, url in pages.items():
            first = client.get(url)
            assert first.status_code == 200, (url, first.status_code)
            if not url.endswith(".geojson"):
                assert "Sign out" in first.text, f"{url}: not signed in"
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            out[name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max_ms": round(times[-1], 1),
            }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
