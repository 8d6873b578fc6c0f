"""The order wizard and the facilities map in Debian's Chromium (Playwright, never
``playwright install``): place suggestions and a click on the map fill a delivery point, a row is
added through htmx, the draft is saved; no request goes to another host and axe-core finds no
serious violation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from tests.web.conftest import PASSWORD, WebParties
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _free_port, _serious_violations

from fabnet.demo.designs import manifest_paths
from fabnet.server import create_app
from fabnet.services.catalogue.designs import import_designs
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from fabnet.storage.orders import OrderRow

pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh", pytrace=False)


@pytest.fixture
def live_url(db: Database, web_settings: Settings) -> Iterator[str]:
    app = create_app(web_settings, db=db, run_jobs=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _sign_in(page: object, live_url: str, email: str, target: str) -> None:
    page.goto(f"{live_url}{target}")  # type: ignore[attr-defined]
    page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_url}{target}")  # type: ignore[attr-defined]


def test_wizard_suggests_places_takes_a_map_click_and_saves_a_draft(
    live_url: str, web_parties: WebParties, db: Database, file_store: FileStore, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    import_designs(db, manifest_paths(), store=file_store)
    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "request",
                lambda r: (
                    foreign.append(r.url) if urlsplit(r.url).netloc not in (own_host, "") else None
                ),
            )
            _sign_in(page, live_url, web_parties.buyer_email, "/orders/new")
            page.wait_for_selector("[data-point-map] svg")
            assert _serious_violations(page) == []
            page.get_by_label("Order name").fill("Shields for the lake")
            page.get_by_label("Design").select_option(index=1)
            page.get_by_label("Place", exact=True).press_sequentially("Kisu", delay=30)
            page.get_by_role("button", name="Kisumu, KE").click()
            assert page.get_by_label("Place", exact=True).input_value() == "Kisumu, KE"
            assert page.get_by_label("Latitude").input_value() == "-0.10221"
            page.get_by_label("Quantity").fill("25")
            page.get_by_role("button", name="Add a delivery point").click()
            page.wait_for_selector("#f-place-2")
            assert page.get_by_label("Place", exact=True).first.input_value() == "Kisumu, KE"
            second_map = page.locator('[data-point-map="place-2"]')
            second_map.scroll_into_view_if_needed()
            page.wait_for_selector('[data-point-map="place-2"] svg')
            second_map.click(position={"x": 200, "y": 120})
            page.wait_for_function(
                "() => document.querySelector('#f-place-2').value !== ''"
                " && document.querySelector('#f-lat-2').value !== ''"
            )
            page.locator("#f-quantity-2-1").fill("10")
            assert _serious_violations(page) == []
            page.get_by_role("button", name="Save draft order", exact=True).last.click()
            page.wait_for_url(f"{live_url}/orders/*")
            assert "Shields for the lake" in page.content()
        finally:
            browser.close()
    assert foreign == []
    with db.read() as session:
        row = session.query(OrderRow).one()
        points = row.spec["delivery_points"]
        assert points[0]["coordinates"] == [-0.10221, 34.76171]
        assert points[1]["coordinates"] is not None and points[1]["demand"]
