"""Issue 12's buyer's whole way through Debian's Chromium (Playwright, never ``playwright install``)
on the demo world (what ``fabnet demo`` makes: the world, the demo designs, the story, the
sign-ins), on SQLite and on PostgreSQL: sign in, search the design library, a design page with
its 3D preview and who can make it, an instant quote (the background job's result), the order
wizard (a product, two delivery points from the gazetteer's suggestions, due dates), planning (the
background job and its progress), the plan page (map, lots, baselines), and the award (the lots
are INVITED). On every page: no request to another host, no serious or critical axe-core
violation. Screenshots of the plan and the order page go to a temporary folder; with
``FABNET_REFRESH_DOCS_IMAGES=1`` the plan page's goes to docs/img/ (the README's image)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.web.browser_helpers import sign_in_page, watch_foreign
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations, shots_dir
from tests.web.test_browser import live_url as live_url  # the fixture

from fabnet.demo.designs import manifest_paths
from fabnet.demo.world import DEFAULT_SEED, build_world
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.states import LotState
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.demo.signins import DemoSignIn, add_demo_signins
from fabnet.services.demo.story import run_story
from fabnet.services.orders import orders
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore
from fabnet.storage.identity import OrganisationRow, UserRow
from fabnet.storage.orders import OrderRow

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("prusa_slicer_cli")]

ORDER = "Face shields for Kisumu and Nairobi"



@pytest.fixture
def demo_signins(
    db: Database, web_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, DemoSignIn]]:
    """The demo world in ``db`` as ``fabnet demo`` makes it (``create_demo`` builds only SQLite
    files, so its steps are taken here on either backend): the world's facilities, the demo
    designs in the web app's file store, the East Africa story (whose manufacturers run their
    facilities on fabnet), then the sign-ins; by role (the first manufacturer as
    ``manufacturer``, the second as ``manufacturer 2``). The story makes its users with the
    process's settings: their signing keys are encrypted with the web app's secret key, as in a
    real demo, where both read the same settings."""
    monkeypatch.setenv("FABNET_SECRET_KEY", web_settings.secret_key)
    get_settings.cache_clear()
    store = FileStore(web_settings.file_store_dir, max_bytes=web_settings.max_file_bytes)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(build_world(DEFAULT_SEED).facilities)
    import_designs(db, manifest_paths(), store=store)
    run_story(db, store)
    out: dict[str, DemoSignIn] = {}
    for signin in add_demo_signins(db, web_settings):
        role = signin.role if signin.role not in out else f"{signin.role} 2"
        out[role] = signin
    yield out
    get_settings.cache_clear()


def _principal(db: Database, email: str) -> Principal:
    with db.read() as session:
        user = session.query(UserRow).filter_by(email=email).one()
        org = session.query(OrganisationRow).filter_by(id=user.org_id).one()
        return Principal(user_id=user.id, org_id=user.org_id, org_kind=OrgKind(org.kind),
                         scopes=frozenset({Scope.WRITE}))  # fmt: skip


def test_the_buyers_way_from_the_library_to_an_awarded_plan(
    live_url: str, demo_signins: dict[str, DemoSignIn], db: Database, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    buyer = demo_signins["buyer"]
    foreign: list[str] = []
    shots = shots_dir(tmp_path)  # the plan page's image is the README's
    scratch = tmp_path / "screenshots"
    scratch.mkdir(exist_ok=True)
    due = [(date.today() + timedelta(days=d)).isoformat() for d in (60, 75)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            watch_foreign(context, live_url, foreign)
            page = context.new_page()

            # sign in on the way to the library; search it
            page.goto(f"{live_url}/signin")
            assert _serious_violations(page) == []
            sign_in_page(page, live_url, buyer.email, buyer.password, "/designs")
            assert page.get_by_role("heading", name="Design library").is_visible()
            assert _serious_violations(page) == []
            page.get_by_label("Search").fill("face shield")
            page.wait_for_function(
                "() => [...document.querySelectorAll('#results h2 a')]"
                ".some(a => a.textContent.includes('Face shield'))"
            )
            page.locator("#results h2 a", has_text="Face shield").first.click()

            # the design page: its 3D preview draws, and who can make it near Nairobi
            page.wait_for_selector("#h-who")
            assert page.get_by_role("heading", name="Face shield").first.is_visible()
            assert page.locator("canvas.part-preview").count() >= 1
            page.get_by_label("Quantity").fill("50")
            page.get_by_label("Near a place").fill("Nairobi")
            page.get_by_role("button", name="Find makers").click()
            page.wait_for_selector("text=capable facilities")
            assert page.locator("section[aria-labelledby=h-who] table tbody tr").count() > 0
            assert _serious_violations(page) == []

            # instant quote: the background job's progress, then its prices
            page.goto(f"{live_url}/quote")
            page.get_by_label("Design", exact=True).select_option(label="Face shield")
            page.get_by_label("Quantity").fill("50")
            page.get_by_label("Near a place").fill("Nairobi, KE")
            page.get_by_role("button", name="Quote").click()
            page.wait_for_url(f"{live_url}/quote/jobs/*")
            page.wait_for_selector("table.quotes tbody tr", timeout=180_000)
            assert page.get_by_role("heading", name="50 × Face shield").is_visible()
            assert "facilities can make every part" in page.inner_text("#quote-job")
            assert _serious_violations(page) == []

            # the order wizard: the face shield to two points from the gazetteer's suggestions
            page.get_by_role("link", name="Order it").click()
            page.wait_for_url(f"{live_url}/orders/new*")
            page.wait_for_selector("[data-point-map] svg")
            page.get_by_label("Order name").fill(ORDER)
            assert page.get_by_label("Design").locator("option:checked").inner_text() == (
                "Face shield"
            )
            page.get_by_label("Place", exact=True).press_sequentially("Kisu", delay=30)
            page.get_by_role("button", name="Kisumu, KE").click()
            assert page.get_by_label("Latitude").input_value() == "-0.10221"
            page.locator("#f-due").fill(due[0])
            page.get_by_label("Quantity").fill("40")
            page.get_by_role("button", name="Add a delivery point").click()
            page.wait_for_selector("#f-place-2")
            page.locator("#f-place-2").press_sequentially("Nairob", delay=30)
            page.get_by_role("button", name="Nairobi, Nairobi Area, KE").click()
            assert page.locator("#f-place-2").input_value() == "Nairobi, Nairobi Area, KE"
            assert page.locator("#f-lat-2").input_value().startswith("-1.2")
            page.locator("#f-due-2").fill(due[1])
            page.locator("#f-quantity-2-1").fill("30")
            page.get_by_label("Only facilities run by a manufacturer on fabnet").check()
            assert _serious_violations(page) == []
            page.get_by_role("button", name="Save draft order", exact=True).last.click()
            page.wait_for_url(f"{live_url}/orders/*")
            order_url = page.url
            assert page.get_by_role("heading", name=ORDER).is_visible()
            assert page.get_by_text("DAP Kisumu, KE (Incoterms 2020)").is_visible()
            assert "70" in page.locator("dl.facts").inner_text()  # 40 + 30 units
            assert _serious_violations(page) == []

            # plan: the background job's page shows progress, then the plan page
            page.get_by_role("button", name="Plan", exact=True).click()
            page.wait_for_url(re.compile(r".*/plan.*"))
            assert "/plan-jobs/" in page.url, (page.url, page.inner_text("main"))
            assert page.locator("#plan-job progress").count() == 1
            page.wait_for_url(f"{order_url}/plans/*", timeout=180_000)
            assert page.get_by_role("heading", name=f"Plan of {ORDER}").is_visible()
            page.wait_for_selector('[data-flow-map][data-ready="true"]')
            assert int(page.get_attribute("[data-flow-map]", "data-lines") or 0) > 0
            assert page.locator("table.lots tbody tr").count() > 0
            assert page.locator("table.baselines tbody tr").count() > 0
            assert page.locator("svg.chart").count() == 1
            assert _serious_violations(page) == []
            page.screenshot(path=str(shots / "plan-page.png"))

            # award: the invitations are sent; every lot on the order page is INVITED
            page.get_by_role("button", name="Award: invite the manufacturers").click()
            page.wait_for_url(f"{order_url}?*")
            assert page.get_by_text("manufacturer invitation(s) sent").is_visible()
            cards = page.locator("article[data-lot]")
            assert cards.count() > 0
            assert cards.count() == page.locator('article[data-lot][data-state="INVITED"]').count()
            assert _serious_violations(page) == []
            page.screenshot(path=str(scratch / "order-page.png"))
        finally:
            browser.close()
    assert foreign == []
    with db.read() as session:
        order_id = session.query(OrderRow).filter_by(name=ORDER).one().id
    lots = orders.list_lots(db, _principal(db, buyer.email), order_id)
    assert lots and {lot.state for lot in lots} == {LotState.INVITED}
    assert (shots / "plan-page.png").stat().st_size > 0
    assert (scratch / "order-page.png").stat().st_size > 0
