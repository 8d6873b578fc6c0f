"""A permission request through Debian's Chromium (Playwright, never ``playwright install``), one
browser context per party: the buyer asks on its order's licence page, the licensor signs in,
grants it with a note on its page, and the buyer's page shows the permission held. The platform
admin's pages at desktop and phone width. No request goes to another host; axe-core finds no
serious or critical violation on any page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.web.browser_helpers import sign_in_page
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations, shots_dir
from tests.web.test_browser import live_url as live_url  # the fixture

from fabnet.services.orders import permissions
from fabnet.services.orders.orders import get_order
from services.orders.conftest import World
from services.orders.conftest import world as world  # the fixture
from services.orders.test_permissions import Licensing
from services.orders.test_permissions import licensing as licensing  # the fixture

from .conftest import PASSWORD
from .test_admin_pages import ADMIN, ADMIN_PAGES
from .test_admin_pages import admin_world as admin_world  # the fixture
from .test_licensor_pages import BUYER, DESIGNER
from .test_licensor_pages import users as users  # the fixture

pytestmark = [pytest.mark.browser]



def _sign_in(page: object, live_url: str, email: str, target: str) -> None:
    sign_in_page(page, live_url, email, PASSWORD, target)


@pytest.mark.usefixtures("users")
def test_the_licensor_grants_a_buyers_request_in_the_browser(
    live_url: str, world: World, licensing: Licensing, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    db, order_id = world.db, licensing.order_id
    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    shots = shots_dir(tmp_path)

    def watch(page: object) -> None:
        page.on("request", lambda r: foreign.append(r.url)  # type: ignore[attr-defined]
                if urlsplit(r.url).netloc not in (own_host, "") else None)  # fmt: skip

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            buyer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            watch(buyer)
            _sign_in(buyer, live_url, BUYER, f"/permissions/orders/{order_id}")
            assert _serious_violations(buyer) == []
            buyer.get_by_label("Message to Open Splints").fill("200 splints for the clinic")
            buyer.get_by_role("button", name="Ask for permission").click()
            buyer.wait_for_selector("li.request-pending")

            licensor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            watch(licensor)
            _sign_in(licensor, live_url, DESIGNER, "/licensor")
            assert licensor.get_by_text("200 splints for the clinic").is_visible()
            assert _serious_violations(licensor) == []
            licensor.screenshot(path=str(shots / "licensor-page.png"))
            licensor.get_by_label("Note or conditions").fill("for this order, at cost")
            licensor.get_by_role("button", name="Grant permission").click()
            licensor.wait_for_selector("text=No request waits for your answer")
            assert licensor.locator("#decided").get_by_text("granted").is_visible()

            buyer.reload()
            buyer.wait_for_selector("li.request-granted")
            assert buyer.get_by_text("holds the licensor's written permission").is_visible()
        finally:
            browser.close()
    assert foreign == []
    order = get_order(db, world.buyer, order_id)
    assert order.terms.licensor_permission is not None
    [granted] = permissions.permission_requests(db, licensing.licensor, status="granted")
    assert granted.response_note == "for this order, at cost"


def test_the_admin_pages_are_accessible_and_fit_a_phone(
    live_url: str, world: World, admin_world: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    shots = shots_dir(tmp_path)
    pages = (*ADMIN_PAGES, f"/admin/webhooks/{admin_world['webhook']}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            for width, height in ((1280, 900), (360, 740)):
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.on("request", lambda r: foreign.append(r.url)
                        if urlsplit(r.url).netloc not in (own_host, "") else None)  # fmt: skip
                _sign_in(page, live_url, ADMIN, "/admin")
                for url in pages:
                    page.goto(f"{live_url}{url}")
                    assert page.locator("h1").count() == 1, url
                    assert _serious_violations(page) == [], (width, url)
                    scroll = page.evaluate(
                        "() => document.documentElement.scrollWidth - window.innerWidth"
                    )
                    assert scroll <= 1, f"{url} scrolls sideways at {width} px"
                    if width == 1280 and url == "/admin/facilities":
                        page.screenshot(path=str(shots / "admin-facilities.png"))
                page.close()
        finally:
            browser.close()
    assert foreign == []
