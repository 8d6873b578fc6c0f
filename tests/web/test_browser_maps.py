"""The maps in Debian's Chromium (Playwright, never ``playwright install``): the order wizard
(place suggestions and a click on the map fill a delivery point, a row is added through htmx, the
draft is saved); the facilities map clusters every facility of the demo world and a filter
reduces the markers to the filtered count; the plan map draws every flow of the plan and the
order map every lot's way. No request goes to another host and axe-core finds no serious
violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from tests.web.browser_helpers import serve_app, sign_in_page
from tests.web.conftest import PASSWORD, WebParties, csrf_of, sign_in
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations
from tests.web.test_plans_page import _buyer, _order, _plan, _world

from fabnet.demo.designs import manifest_paths
from fabnet.demo.world import DEFAULT_SEED, build_world
from fabnet.server import create_app
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.catalogue.facilities import count_facilities, map_facilities
from fabnet.services.orders import orders
from fabnet.services.orders.plan_jobs import order_plan
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore
from fabnet.storage.orders import OrderRow

pytestmark = [pytest.mark.browser]



@pytest.fixture
def live_url(db: Database, web_settings: Settings) -> Iterator[str]:
    with serve_app(create_app(web_settings, db=db, run_jobs=False)) as url:
        yield url


def _sign_in(page: object, live_url: str, email: str, target: str) -> None:
    sign_in_page(page, live_url, email, PASSWORD, target)


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


# The markers a facilities map shows: the counts of its clusters plus its single facilities.
SHOWN = """el => [...el.querySelectorAll('.fab-cluster .fab-count')]
    .reduce((n, c) => n + parseInt(c.firstChild.textContent, 10), 0)
    + el.querySelectorAll('.fab-pin').length"""


def _watch_hosts(page: object, own_host: str, foreign: list[str]) -> None:
    page.on(  # type: ignore[attr-defined]
        "request",
        lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (own_host, "") else None,
    )


def _ready(page: object, selector: str) -> object:
    page.wait_for_selector(f"{selector}[data-ready]")  # type: ignore[attr-defined]
    box = page.locator(selector)  # type: ignore[attr-defined]
    assert box.get_attribute("data-ready") == "true", page.locator(  # type: ignore[attr-defined]
        ".map-status"
    ).all_text_contents()
    return box


def test_facilities_map_clusters_every_facility_and_a_filter_reduces_the_markers(
    live_url: str, web_parties: WebParties, db: Database
) -> None:
    from playwright.sync_api import sync_playwright

    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(build_world(DEFAULT_SEED).facilities)
    everything = map_facilities(db)
    certified = map_facilities(db, certification="ISO 13485")
    assert everything.total == count_facilities(db) == 2112
    assert 0 < len(certified.points) < 20
    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            for width, height in ((1280, 900), (360, 740)):
                page = browser.new_page(viewport={"width": width, "height": height})
                _watch_hosts(page, own_host, foreign)
                _sign_in(page, live_url, web_parties.buyer_email, "/facilities")
                box = _ready(page, "[data-facilities-map]")
                assert box.get_attribute("data-total") == str(everything.total)  # type: ignore[attr-defined]
                assert box.get_attribute("data-mapped") == str(len(everything.points))  # type: ignore[attr-defined]
                if width == 1280:  # the whole world in view: every marker is in a cluster or shown
                    assert box.evaluate(SHOWN) == len(everything.points)  # type: ignore[attr-defined]
                status = page.locator("#facilities-map-status").text_content() or ""
                assert "2,112 facilities match" in status
                assert f"{everything.unlocated} give no coordinates" in status
                assert _serious_violations(page) == []
                scroll = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
                assert scroll <= 1, f"the facilities page scrolls sideways at {width} px"

                page.get_by_label("Certification").select_option("ISO 13485")
                page.get_by_role("button", name="Filter").click()
                page.wait_for_url("**/facilities?*certification=ISO+13485*")
                box = _ready(page, "[data-facilities-map]")
                assert box.get_attribute("data-mapped") == str(len(certified.points))  # type: ignore[attr-defined]
                assert box.evaluate(SHOWN) == len(certified.points)  # type: ignore[attr-defined]
                assert page.locator("table tbody tr").count() == certified.total
                assert _serious_violations(page) == []

                # Keyboard: a facility's marker takes the focus, Enter opens its popup, whose
                # link leads to the facility page with its own small map.
                pin = page.locator(".fab-pin").first
                if pin.count() == 0:  # all in clusters at this size: Enter on one zooms in
                    page.locator(".fab-cluster").first.focus()
                    page.keyboard.press("Enter")
                    page.wait_for_selector(".fab-pin")
                    pin = page.locator(".fab-pin").first
                pin.focus()
                page.keyboard.press("Enter")
                link = page.locator(".leaflet-popup-content a")
                link.wait_for()
                name = link.text_content() or ""
                assert name == pin.get_attribute("title").removesuffix(" (approximate location)")  # type: ignore[union-attr]
                link.focus()
                page.keyboard.press("Enter")
                page.wait_for_url(f"{live_url}/facilities/*")
                assert page.get_by_role("heading", level=1).text_content() == name
                _ready(page, "[data-facility-map]")
                assert page.locator("[data-facility-map] .fab-pin").count() == 1
                assert _serious_violations(page) == []
                page.close()
        finally:
            browser.close()
    assert foreign == []


def test_plan_map_draws_every_flow_and_the_order_map_every_lot(
    live_url: str,
    web: TestClient,
    web_parties: WebParties,
    db: Database,
    web_settings: Settings,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    _world(db, web_settings)
    buyer = _buyer(db)
    order_id = _order(db, buyer)
    sign_in(web, web_parties.buyer_email)
    plan_url = _plan(web, order_id, csrf_of(web.get(f"/orders/{order_id}").text))
    plan_id = plan_url.rsplit("/", 1)[1]
    flows = order_plan(db, buyer, order_id, plan_id).record.result_json["flows"]
    assert flows
    # a second plan at a high CO2 price, for the side-by-side page
    second_url = _plan(web, order_id, csrf_of(web.get(plan_url).text), co2="800")
    second_flows = order_plan(
        db, buyer, order_id, second_url.rsplit("/", 1)[1]
    ).record.result_json["flows"]
    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _watch_hosts(page, own_host, foreign)
            _sign_in(page, live_url, web_parties.buyer_email, plan_url)
            box = _ready(page, "[data-flow-map]")
            assert box.get_attribute("data-lines") == str(len(flows))  # type: ignore[attr-defined]
            assert page.locator("[data-flow-map] path.fab-flow").count() == len(flows)
            legend = page.locator(".map-legend").text_content() or ""
            for mode in {f["mode"] for f in flows if f["mode"]}:
                assert mode in legend
            assert "delivery point" in legend
            widths = page.locator("path.fab-flow").evaluate_all(
                "ps => ps.map(p => parseFloat(p.getAttribute('stroke-width')))"
            )
            biggest = max(range(len(flows)), key=lambda i: flows[i]["quantity"])
            assert max(widths) == widths[biggest]  # drawn in the plan's order, thickest = most
            assert _serious_violations(page) == []
            # two plans side by side: one map each, each drawing its own plan's flows
            page.goto(f"{live_url}/orders/{order_id}/plans/compare")
            page.wait_for_function(
                "() => document.querySelectorAll('[data-flow-map][data-ready]').length === 2"
            )
            drawn = page.locator("[data-flow-map]").evaluate_all(
                "ms => ms.map(m => [m.dataset.ready, m.dataset.source,"
                " m.querySelectorAll('path.fab-flow').length])"
            )
            expected = {
                f"/orders/{order_id}/plans/{plan_id}/map.geojson": len(flows),
                f"/orders/{order_id}/plans/{second_url.rsplit('/', 1)[1]}/map.geojson": len(
                    second_flows
                ),
            }
            assert {src: n for _, src, n in drawn} == expected
            assert all(ready == "true" for ready, _, _ in drawn)
            assert _serious_violations(page) == []
            page.screenshot(path=str(tmp_path / "plans-compare-desktop.png"))
            phone = browser.new_page(viewport={"width": 360, "height": 740})
            _watch_hosts(phone, own_host, foreign)
            _sign_in(phone, live_url, web_parties.buyer_email, f"/orders/{order_id}/plans/compare")
            phone.wait_for_function(
                "() => document.querySelectorAll('[data-flow-map][data-ready]').length === 2"
            )
            scroll = phone.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert scroll <= 1, "the plans compare page scrolls sideways at 360 px"
            assert _serious_violations(phone) == []
            phone.screenshot(path=str(tmp_path / "plans-compare-phone.png"), full_page=True)
            phone.close()
            page.goto(f"{live_url}{plan_url}")
            _ready(page, "[data-flow-map]")
            page.get_by_role("button", name="Award: invite the manufacturers").click()
            page.wait_for_url(f"{live_url}/orders/{order_id}?*")
            lots = orders.list_lots(db, None, order_id)
            ways = sum(1 for lot in lots for d in lot.destinations if d.quantity > 0)
            box = _ready(page, "[data-flow-map]")
            assert box.get_attribute("data-lines") == str(ways)  # type: ignore[attr-defined]
            assert page.locator("[data-flow-map] path.fab-flow").count() == ways
            assert _serious_violations(page) == []
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto(f"{live_url}{plan_url}")
            _ready(page, "[data-flow-map]")
            assert page.locator(".map-legend").get_attribute("open") is None  # folded on a phone
            scroll = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert scroll <= 1, "the plan page scrolls sideways at 360 px"
            assert _serious_violations(page) == []
        finally:
            browser.close()
    assert foreign == []
