"""The facility editor's live quote in Debian's Chromium (Playwright): the manufacturer adds a
rate card to its record, presses **Check the quote** and the price appears under the button in
place (htmx, no page load), the typed record kept; then saves. No request goes to another host;
axe-core finds no serious or critical violation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from tests.web.browser_helpers import sign_in_page, watch_foreign
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations
from tests.web.test_browser import live_url as live_url  # the fixture

from fabnet.services.catalogue.facilities import get_facility
from fabnet.settings import Settings
from fabnet.storage.db import Database

from .conftest import PASSWORD
from .test_my_facility_page import CLIP, MAKER, _record, _setup, _with_rates

pytestmark = [pytest.mark.browser]


def test_the_live_quote_updates_in_place(
    live_url: str, db: Database, web_settings: Settings
) -> None:
    from playwright.sync_api import sync_playwright

    _setup(db, web_settings)
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 800})
            watch_foreign(context, live_url, foreign)
            page = context.new_page()
            sign_in_page(page, live_url, MAKER, PASSWORD, "/facilities/lab-1/edit")
            assert _serious_violations(page) == []
            record = _record(page.content())
            edited = _with_rates(record, 20.0)
            page.get_by_label("Record (YAML or JSON)").fill(edited)
            page.get_by_label("Design").select_option(CLIP.id)
            page.get_by_label("Products").fill("25")
            loads: list[str] = []
            page.on("load", lambda _: loads.append(page.url))
            page.get_by_role("button", name="Check the quote").click()
            page.wait_for_selector("#quote-check >> text=Total")
            assert loads == []  # swapped in place, no page load
            text = page.locator("#quote-check").inner_text()
            assert re.search(r"25 × Cable clip", text) and "EUR" in text
            assert page.get_by_label("Record (YAML or JSON)").input_value() == edited
            assert _serious_violations(page) == []
            with page.expect_navigation():
                page.get_by_role("button", name="Save the record").click()
            assert urlsplit(page.url).path == "/facilities/lab-1"
        finally:
            browser.close()
    rate_card = get_facility(db, "lab-1").extension.rate_card
    assert rate_card is not None and rate_card.rates[0].hourly_rate == 20.0
    assert foreign == []
