"""The facilities map interactive in Chromium on the demo world (target: <= 1.5 s).

Usage: ``fabnet demo`` first (or ``FABNET_DATA_DIR`` pointing at a demo), then
``python bench/web_map.py [--runs 10] [--width 1280]``. Serves the app with uvicorn on a free
local port, signs in as the demo buyer in Debian's ``/usr/bin/chromium`` (Playwright, never
``playwright install``) and opens ``/facilities`` ``--runs`` times, each in a fresh browser
context (cold cache: Leaflet, the countries and the GeoJSON are fetched every time) after one
warm-up visit. Interactive = the page's ``fabnet:facilities-map-ready`` mark: every facility is
in the cluster layer, the clusters are drawn and the map takes clicks and keys; measured from
the navigation's start. Also: the markers the map shows (must be every located facility), and
the time to the browser's load event. Prints p50/p95/max as JSON.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright

from fabnet.server import create_app
from fabnet.services.catalogue.facilities import map_facilities
from fabnet.settings import get_settings

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]  # fmt: skip
BUYER = ("procurement@eahs.example", "demo-buyer-1")
READY = """() => {
  const m = performance.getEntriesByName('fabnet:facilities-map-ready')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const el = document.querySelector('[data-facilities-map]');
  const shown = [...el.querySelectorAll('.fab-cluster .fab-count')]
    .reduce((n, c) => n + parseInt(c.firstChild.textContent, 10), 0)
    + el.querySelectorAll('.fab-pin').length;
  return {ready_ms: m.startTime, load_ms: nav.loadEventEnd, shown: shown,
          mapped: parseInt(el.dataset.mapped, 10)};
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(values[max(0, int(len(values) * 0.95 + 0.5) - 1)], 1),
        "max_ms": round(values[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    app = create_app(get_settings(), run_jobs=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    base = f"http://127.0.0.1:{port}"
    located = len(map_facilities(app.state.db).points)
    runs: list[dict[str, Any]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            try:
                for i in range(args.runs + 1):
                    context = browser.new_context(viewport={"width": args.width, "height": 900})
                    page = context.new_page()
                    page.goto(f"{base}/signin")
                    page.get_by_label("Email").fill(BUYER[0])
                    page.get_by_label("Password").fill(BUYER[1])
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(f"{base}/")
                    page.goto(f"{base}/facilities")
                    page.wait_for_selector("[data-facilities-map][data-ready]", timeout=60_000)
                    result = page.evaluate(READY)
                    assert result["shown"] == result["mapped"] == located, result
                    if i:  # the first visit warms the server (gazetteer, templates)
                        runs.append(result)
                    context.close()
            finally:
                browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    out = {
        "runs": len(runs),
        "width": args.width,
        "facilities_on_the_map": located,
        "interactive": _summary([r["ready_ms"] for r in runs]),
        "load_event": _summary([r["load_ms"] for r in runs]),
        "target_ms": 1500,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
