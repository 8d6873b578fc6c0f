"""Issue 13's order life cycle after the award through Debian's Chromium (Playwright, never
``playwright install``) on the demo world, one browser context per party (buyer, three
manufacturers, inspector, platform admin), on SQLite and PostgreSQL: a manufacturer declines
with a reason on its job board and the buyer's order page says how the lot was re-planned; the
new lot's manufacturer counter-offers on price and date and the buyer accepts; the other
manufacturer accepts its lots; the buyer funds escrow to the amount the form offers and signs,
the manufacturers sign; each first article is submitted and approved; one lot fails its AQL
inspection (as many defects as the reject number, the decision computed on the page) and is
reworked and inspected again; the lots ship with a waybill, their delivery is confirmed, escrow
is released to the manufacturer, and the platform admin sees the audit chain verified. No
request goes to another host; axe-core finds no serious or critical violation.

The buyer's way up to the award is tests/web/test_browser_buyer_way.py; here the order is made,
planned and awarded through the same service functions its pages call. Where no page exists the
step calls the service the page would call, and says so (the inspector's assignment)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.web.browser_helpers import sign_in_page, watch_foreign
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _serious_violations
from tests.web.test_browser import live_url as live_url  # the fixture
from tests.web.test_browser_buyer_way import _principal
from tests.web.test_browser_buyer_way import demo_signins as demo_signins  # the fixture

from fabnet.domain.identity import Principal
from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import LotState
from fabnet.services.catalogue.designs import list_designs
from fabnet.services.demo.signins import DemoSignIn
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import OrderTerms, inspections, lots, orders
from fabnet.services.orders.escrow import escrow_summary
from fabnet.settings import Settings
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database

pytestmark = [pytest.mark.browser]

REASON = "our printers are booked for a school programme"
COUNTER_NOTE = "PETG costs more this month; we can ship five days later"



def _awarded_face_shields(db: Database, buyer_email: str) -> str:
    """A face-shield order for Kisumu and Nairobi, planned on fabnet's manufacturers and awarded
    (what the buyer's way does in the browser)."""
    buyer = _principal(db, buyer_email)
    shield = next(d.id for d in list_designs(db, limit=50).items if d.name == "Face shield")
    due = (date.today() + timedelta(days=60)).isoformat()
    spec = OrderSpec.model_validate({
        "name": "Face shields, the life cycle", "order_date": date.today().isoformat(),
        "products": [{"design": shield}],
        "delivery_points": [{"place": p, "due": due, "demand": {shield: q}}
                            for p, q in (("Kisumu, KE", 40), ("Nairobi, KE", 30))],
        "matching": {"platform_only": True},
    })  # fmt: skip
    delivery = DeliveryTerms(rule=Incoterm.DAP, named_place="Kisumu, KE",
                             transport_mode=TransportMode.ROAD)  # fmt: skip
    order = orders.create_order(db, buyer, spec, terms=OrderTerms(delivery=delivery))
    orders.act_on_order(db, buyer, order.id, "specify")
    summary = orders.plan(db, buyer, order.id)
    orders.award(db, buyer, order.id, summary.plan_id)
    return order.id


def runs_of(db: Database, facility_id: str) -> str:
    """The organisation that runs ``facility_id`` on fabnet."""
    return orders.organisations_running(db, {facility_id})[facility_id]


def _rejected_and_reworked(
    live_url: str,
    checker: object,
    shopper: object,
    maker: object,
    db: Database,
    buyer: Principal,
    order_id: str,
    lot_id: str,
    photo: Path,
) -> None:
    """The inspector records as many major defects as the sampling plan's reject number: the
    page computes "reject" from the counts and the lot is rejected; the buyer asks for rework,
    the manufacturer submits the lot again and a new inspection opens."""
    [task] = inspections.lot_inspections(db, buyer, lot_id)
    cls, plan = min(task.plans.items(), key=lambda kv: kv[1].reject)
    checker.goto(f"{live_url}/inspections/{task.id}?rows={max(plan.reject, 1)}")  # type: ignore[attr-defined]
    for i in range(plan.reject):
        checker.locator(f"#f-sample_{i}").fill(str(i + 1))  # type: ignore[attr-defined]
        checker.locator(f"#f-class_{i}").select_option(cls.value)  # type: ignore[attr-defined]
        checker.locator(f"#f-note_{i}").fill("cracked at the clip")  # type: ignore[attr-defined]
    checker.wait_for_selector("#decision >> text=Decision from the counts: reject")  # type: ignore[attr-defined]
    checker.get_by_label("Reason (required when the lot fails)").fill(  # type: ignore[attr-defined]
        "clips crack when bent"
    )
    checker.get_by_label("Inspection record and other photos").set_input_files(str(photo))  # type: ignore[attr-defined]
    with checker.expect_navigation():  # type: ignore[attr-defined]
        checker.get_by_role("button", name="Record the result").click()  # type: ignore[attr-defined]
    assert lots.get_lot(db, buyer, lot_id).state is LotState.LOT_REJECTED
    shopper.goto(f"{live_url}/orders/{order_id}")  # type: ignore[attr-defined]
    card = shopper.locator(f"#lot-{lot_id}")  # type: ignore[attr-defined]
    # the manufacturer's dispute window is open: no terminate button, the time it becomes possible
    assert card.get_by_role("button", name="Terminate the lot").count() == 0
    assert "Terminate available after" in card.inner_text()
    reason = card.get_by_label("Reason (ask for rework)")
    if reason.count():
        reason.fill("replace the clips")
    with shopper.expect_navigation():  # type: ignore[attr-defined]
        card.get_by_role("button", name="Ask for rework").click()
    assert lots.get_lot(db, buyer, lot_id).state is LotState.REWORK
    _park(live_url, shopper)
    maker.goto(f"{live_url}/jobs/lots/{lot_id}")  # type: ignore[attr-defined]
    with maker.expect_navigation():  # type: ignore[attr-defined]
        maker.get_by_role("button", name="Submit for inspection").click()  # type: ignore[attr-defined]
    assert lots.get_lot(db, buyer, lot_id).state is LotState.READY_FOR_INSPECTION


def _park(live_url: str, page: object) -> None:
    """Leave the order page for the order list: the open order page reloads itself when another
    party acts (its 5 s poll), which would abort the next navigation the test makes."""
    page.goto(f"{live_url}/orders")  # type: ignore[attr-defined]


def _first_article_approved(
    live_url: str,
    maker: object,
    shopper: object,
    order_id: str,
    lot_id: str,
    photo: Path,
    sheet: Path,
) -> None:
    """The manufacturer submits the first article (photo and measurements) on its lot page; the
    buyer approves it on the order page with a photo as evidence."""
    maker.goto(f"{live_url}/jobs/lots/{lot_id}")  # type: ignore[attr-defined]
    maker.locator("#f-photos").set_input_files(str(photo))  # type: ignore[attr-defined]
    maker.locator("#f-measurements").set_input_files(str(sheet))  # type: ignore[attr-defined]
    with maker.expect_navigation():  # type: ignore[attr-defined]
        maker.get_by_role("button", name="Submit the first article").click()  # type: ignore[attr-defined]
    shopper.goto(f"{live_url}/orders/{order_id}")  # type: ignore[attr-defined]
    card = shopper.locator(f"#lot-{lot_id}")  # type: ignore[attr-defined]
    card.locator(f"#evidence-{lot_id}-approve_prototype").set_input_files(str(photo))
    with shopper.expect_navigation():  # type: ignore[attr-defined]
        card.get_by_role("button", name="Approve the prototype").click()
    alerts = shopper.locator("[role=alert]").all_inner_texts()  # type: ignore[attr-defined]
    assert alerts == [], alerts
    _park(live_url, shopper)
    maker.goto(f"{live_url}/jobs/lots/{lot_id}")  # type: ignore[attr-defined]


def test_the_order_life_cycle_with_a_browser_per_party(
    live_url: str,
    demo_signins: dict[str, DemoSignIn],
    db: Database,
    web_settings: Settings,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    signin = demo_signins
    order_id = _awarded_face_shields(db, signin["buyer"].email)
    buyer = _principal(db, signin["buyer"].email)
    invited = orders.list_lots(db, buyer, order_id)
    runs = orders.organisations_running(db, {x.facility_id for x in invited})
    # the declining manufacturer makes a part alone; the other makes the rest
    by_org: dict[str, list[str]] = {}
    for lot in invited:
        by_org.setdefault(runs[lot.facility_id], []).append(lot.id)
    decliner_org = next(org for org, ids in by_org.items() if len(ids) == 1)
    maker_org = next(org for org in by_org if org != decliner_org)
    declined = by_org[decliner_org][0]
    mine = by_org[maker_org]
    users = {"maker": (maker_org, "maker@story.example"),
             "decliner": (decliner_org, "decliner@story.example")}  # fmt: skip
    for org, email in users.values():  # the demo names only two manufacturers' passwords
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=web_settings)
    inspector = signin["inspector"]
    evidence = tmp_path / "first-article.jpg"
    evidence.write_bytes(b"\xff\xd8 a photo of the first article")
    sheet = tmp_path / "measurements.csv"
    sheet.write_text("width_mm,240.2\n", encoding="utf-8")
    waybill = tmp_path / "waybill.pdf"
    waybill.write_bytes(b"%PDF-1.4 waybill")

    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            pages = {}
            for who in ("buyer", "maker", "decliner", "counter", "inspector", "admin"):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                watch_foreign(context, live_url, foreign)
                pages[who] = context.new_page()
            shopper, maker, decliner = pages["buyer"], pages["maker"], pages["decliner"]

            # the declining manufacturer says why on its job board
            sign_in_page(decliner, live_url, users["decliner"][1], PASSWORD, "/jobs")
            card = decliner.locator(f"#lot-{declined}")
            assert _serious_violations(decliner) == []
            card.get_by_label("Reason for declining").fill(REASON)
            card.get_by_role("button", name="Decline").click()
            decliner.wait_for_selector(f"#lot-{declined}", state="detached")
            assert lots.get_lot(db, buyer, declined).state is LotState.DECLINED

            # the replacement lot's manufacturer counter-offers on price and date
            [new] = [x for x in orders.list_lots(db, buyer, order_id)
                     if x.replaces_lot_id == declined]  # fmt: skip
            assert new.state is LotState.INVITED
            counter_email = "counter@story.example"
            identity.create_user(db, counter_email, runs_of(db, new.facility_id), actor=None,
                                 password=PASSWORD, settings=web_settings)  # fmt: skip
            offered_minor = new.unit_price_minor + max(1, new.unit_price_minor // 5)
            later = new.due_date + timedelta(days=5)
            counter = pages["counter"]
            sign_in_page(counter, live_url, counter_email, PASSWORD, "/jobs")
            assert _serious_violations(counter) == []
            card = counter.locator(f"#lot-{new.id}")
            card.get_by_label("Counter unit price (EUR)").fill(f"{offered_minor / 100:.2f}")
            card.get_by_label("Counter due date").fill(later.isoformat())
            card.get_by_label("Note to the buyer").fill(COUNTER_NOTE)
            with counter.expect_navigation():
                card.get_by_role("button", name="Counter-offer").click()
            assert lots.get_lot(db, buyer, new.id).state is LotState.COUNTER_OFFERED

            # the other manufacturer accepts its lots
            sign_in_page(maker, live_url, users["maker"][1], PASSWORD, "/jobs")
            assert _serious_violations(maker) == []
            for lot_id in mine:
                maker.locator(f"#lot-{lot_id}").get_by_role("button", name="Accept").click()
                maker.wait_for_selector(f"#lot-{lot_id} >> text=Accept", state="detached")
            assert {lots.get_lot(db, buyer, x).state for x in mine} == {LotState.ACCEPTED}

            # the buyer's order page: the re-plan of the declined lot, in words
            sign_in_page(shopper, live_url, signin["buyer"].email, signin["buyer"].password,
                         f"/orders/{order_id}")  # fmt: skip
            told = shopper.locator(f"#lot-{declined} .replan").inner_text()
            assert REASON in told, told
            assert shopper.locator(f'#lot-{new.id}[data-state="COUNTER_OFFERED"]').count() == 1
            assert COUNTER_NOTE in shopper.locator(f"#lot-{new.id}").inner_text()
            assert _serious_violations(shopper) == []
            with shopper.expect_navigation():
                shopper.locator(f"#lot-{new.id}").get_by_role(
                    "button", name="Accept the counter-offer"
                ).click()
            accepted = lots.get_lot(db, buyer, new.id)
            assert accepted.state is LotState.ACCEPTED
            assert (accepted.unit_price_minor, accepted.due_date) == (offered_minor, later)

            # escrow funded to the amount due (the form offers it), then the buyer signs
            due_text = shopper.get_by_label("Amount received (EUR)").input_value()
            assert due_text and float(due_text) > 0
            shopper.get_by_label("Payment reference").fill("bank-transfer-0042")
            with shopper.expect_navigation():
                shopper.get_by_role("button", name="Record the deposit").click()
            summary = escrow_summary(db, buyer, order_id)
            assert summary.shortfall_minor == 0, summary
            for _ in (*mine, new.id):
                with shopper.expect_navigation():
                    shopper.get_by_role("button", name="Sign the contract").first.click()
                alerts = shopper.locator("[role=alert]").all_inner_texts()
                assert alerts == [], alerts
            assert shopper.get_by_role("button", name="Sign the contract").count() == 0
            _park(live_url, shopper)

            # the manufacturer signs on its lot pages: the lots are contracted
            for lot_id in mine:
                maker.goto(f"{live_url}/jobs/lots/{lot_id}")
                assert _serious_violations(maker) == []
                maker.get_by_role("button", name="Sign the contract (Ed25519)").click()
                maker.wait_for_selector("text=You signed it")
            counter.goto(f"{live_url}/jobs/lots/{new.id}")
            counter.get_by_role("button", name="Sign the contract (Ed25519)").click()
            counter.wait_for_selector("text=You signed it")
            assert {lots.get_lot(db, buyer, x).state for x in (*mine, new.id)} == {
                LotState.CONTRACTED
            }

            checker = pages["inspector"]
            sign_in_page(checker, live_url, inspector.email, inspector.password, "/inspections")
            assert _serious_violations(checker) == []
            inspector_org = _principal(db, inspector.email).org_id
            for lot_id in mine:
                # the buyer assigns the inspection body on the lot's card of the order page
                shopper.goto(f"{live_url}/orders/{order_id}")
                card = shopper.locator(f"#lot-{lot_id}")
                card.get_by_label("Independent inspection body").select_option(inspector_org)
                with shopper.expect_navigation():
                    card.get_by_role("button", name="Assign the inspection body").click()
                assert lots.get_lot(db, buyer, lot_id).inspector_org_id == inspector_org
                _park(live_url, shopper)
                _first_article_approved(live_url, maker, shopper, order_id, lot_id,
                                        evidence, sheet)  # fmt: skip
                for step in ("Start production", "Submit for inspection"):
                    with maker.expect_navigation():
                        maker.get_by_role("button", name=step).click()
                assert lots.get_lot(db, buyer, lot_id).state is LotState.READY_FOR_INSPECTION

                if lot_id == mine[0]:
                    _rejected_and_reworked(live_url, checker, shopper, maker, db, buyer,
                                           order_id, lot_id, evidence)  # fmt: skip
                # the inspector records the sampling result: no defect found in the sample
                [task] = [t for t in inspections.lot_inspections(db, buyer, lot_id)
                          if t.status == "open"]  # fmt: skip
                checker.goto(f"{live_url}/inspections/{task.id}")
                assert _serious_violations(checker) == []
                checker.get_by_label("Inspection record and other photos").set_input_files(
                    str(evidence)
                )
                with checker.expect_navigation():
                    checker.get_by_role("button", name="Record the result").click()
                alerts = checker.locator("[role=alert]").all_inner_texts()
                assert alerts == [], alerts
                assert all(
                    t.status != "open" for t in inspections.lot_inspections(db, buyer, lot_id)
                )

                # shipped with the waybill; the buyer confirms the delivery
                maker.goto(f"{live_url}/jobs/lots/{lot_id}")
                maker.get_by_label("Carrier").fill("G4S Kenya")
                maker.get_by_label("Tracking reference").fill(f"G4S-{lot_id[:6]}")
                maker.get_by_label("Waybill or photo of the handover").set_input_files(str(waybill))
                with maker.expect_navigation():
                    maker.get_by_role("button", name="Ship the lot").click()
                assert lots.get_lot(db, buyer, lot_id).state is LotState.SHIPPED
                shopper.goto(f"{live_url}/orders/{order_id}")
                with shopper.expect_navigation():
                    shopper.locator(f"#lot-{lot_id}").get_by_role(
                        "button", name="Confirm delivery"
                    ).click()
                assert lots.get_lot(db, buyer, lot_id).state in (LotState.DELIVERED, LotState.PAID)
                _park(live_url, shopper)

            # escrow released to the manufacturer: its money, in the order's currency
            maker.goto(f"{live_url}/jobs")
            money = maker.locator("section[aria-labelledby=h-money]").inner_text()
            assert "released" in money.lower(), money
            assert _serious_violations(maker) == []
            released = escrow_summary(db, buyer, order_id)
            assert all(x.released_minor == x.value_minor for x in released.lots
                       if x.lot_id in mine), released  # fmt: skip

            # the platform admin verifies the audit chain
            admin = pages["admin"]
            sign_in_page(admin, live_url, signin["platform admin"].email,
                         signin["platform admin"].password, "/admin/audit")  # fmt: skip
            assert "The chain verifies" in admin.inner_text("#audit-result")
            assert _serious_violations(admin) == []
        finally:
            browser.close()
    assert foreign == []
