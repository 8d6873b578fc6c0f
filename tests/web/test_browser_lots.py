"""Issue 13 in Debian's Chromium (Playwright, never ``playwright install``), one browser context
per party: the buyer rejects a manufacturer's counter-offer and sees the re-plan on the order
page (which facility, why, where the quantity went); the buyer delegates a lot's prototype
approval to the inspector, the inspector approves the first article on the inspections page, and
the buyer's open order page shows the result without a reload. No request goes to another host
and axe-core finds no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.web.browser_helpers import serve_app, sign_in_page
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations

from fabnet.domain.identity import OrgKind
from fabnet.domain.orders.states import LotState
from fabnet.server import create_app
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import CounterOffer, contracts, inspections, lots, orders, payments
from fabnet.services.platform.files import store_bytes
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from services.sourcing.planning.conftest import catalogue as catalogue  # the fixture
from services.sourcing.planning.test_replan_messages import NAMES, _awarded

pytestmark = [pytest.mark.browser]

BUYER, INSPECTOR = "ana@hospital.org", "ines@inspect.org"



@pytest.fixture
def live_url(catalogue: Database, web_settings: Settings) -> Iterator[str]:
    with serve_app(create_app(web_settings, db=catalogue, run_jobs=False)) as url:
        yield url


def _sign_in(page: object, live_url: str, email: str, target: str) -> None:
    sign_in_page(page, live_url, email, PASSWORD, target)


def test_buyer_rejects_a_counter_offer_and_inspector_approves_a_delegated_prototype(
    catalogue: Database, live_url: str, web_settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    db = catalogue
    buyer, makers, order_id, invited = _awarded(db, tmp_path)
    identity.create_user(db, BUYER, buyer.org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    body = identity.create_organisation(db, "Inspect Co", OrgKind.INSPECTION_BODY, actor=None)
    identity.create_user(db, INSPECTOR, body.id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    headband = next(x for x in invited if x.item_id == "headband")
    other = next(x for x in invited if x.kind == "part" and x.id != headband.id)
    lots.counter_offer_lot(db, makers[headband.facility_id], headband.id,
                           CounterOffer(unit_price_minor=headband.unit_price_minor * 3,
                                        note="filament prices"))  # fmt: skip
    # the other part lot is contracted, its first article submitted, an inspector assigned
    maker = makers[other.facility_id]
    lots.accept_lot(db, maker, other.id)
    for contract in contracts.list_lot_contracts(db, buyer, other.id):
        payments.fund_order(db, buyer, order_id, contract.terms.total_minor,
                            reference=f"pay-{contract.id[:8]}")  # fmt: skip
        contracts.sign_contract(db, buyer, contract.id)
        contracts.sign_contract(db, maker, contract.id)
    store = FileStore(web_settings.file_store_dir, max_bytes=web_settings.max_file_bytes)
    photo = store_bytes(db, store, b"first article photo", original_name="first-article.jpg")
    inspections.assign_inspector(db, buyer, other.id, body.id)
    lots.submit_prototype(db, maker, other.id, [photo.sha256])
    measurements = tmp_path / "measurements.csv"
    measurements.write_text("width_mm,30.1\n", encoding="utf-8")

    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            contexts = {who: browser.new_context(viewport={"width": 1280, "height": 900})
                        for who in ("buyer", "inspector")}  # fmt: skip
            for context in contexts.values():
                context.on("request", lambda r: foreign.append(r.url)
                           if urlsplit(r.url).netloc not in (own_host, "") else None)  # fmt: skip
            shopper = contexts["buyer"].new_page()
            _sign_in(shopper, live_url, BUYER, f"/orders/{order_id}")
            card = shopper.locator(f"#lot-{headband.id}")
            assert "filament prices" in card.inner_text()
            card.get_by_label("Reason (reject the counter-offer)").fill("three times the price")
            card.get_by_role("button", name="Reject the counter-offer").click()
            shopper.wait_for_selector(f'#lot-{headband.id}[data-state="DECLINED"]')
            [new] = [x for x in orders.list_lots(db, buyer, order_id)
                     if x.replaces_lot_id == headband.id]  # fmt: skip
            told = shopper.locator(f"#lot-{headband.id} .replan").inner_text()
            assert f"the counter-offer of {NAMES[headband.facility_id]} was rejected" in told
            assert "three times the price" in told and NAMES[new.facility_id] in told
            assert shopper.locator(f'#lot-{new.id}[data-state="INVITED"]').count() == 1
            assert _serious_violations(shopper) == []

            other_card = shopper.locator(f"#lot-{other.id}")
            other_card.get_by_role(
                "button", name="Delegate the prototype approval to Inspect Co"
            ).click()
            shopper.wait_for_selector(f"#lot-{other.id} >> text=Take the prototype approval back")
            assert lots.prototype_approval(db, buyer, other.id).delegated

            checker = contexts["inspector"].new_page()
            _sign_in(checker, live_url, INSPECTOR, "/inspections")
            review = checker.locator(f"#lot-{other.id}")
            assert "delegated the approval of this first article to you" in review.inner_text()
            assert "first-article.jpg" in review.inner_text()
            assert _serious_violations(checker) == []
            review.get_by_label("Approve").check()
            review.get_by_label("Photos and measurement records").set_input_files(str(measurements))
            review.get_by_role("button", name="Send the review").click()
            checker.wait_for_url(f"{live_url}/inspections")
            assert lots.get_lot(db, buyer, other.id).state is LotState.PROTOTYPE_APPROVED

            # the buyer's open page learns of it within the 5 s poll, without a reload
            shopper.wait_for_selector(f'#lot-{other.id}[data-state="PROTOTYPE_APPROVED"]',
                                      timeout=15_000)  # fmt: skip
            history = shopper.locator(f"#lot-{other.id} details").text_content() or ""
            assert "approve prototype (inspector)" in history
        finally:
            browser.close()
    assert foreign == []
