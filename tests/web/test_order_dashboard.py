"""The order page's timeline: every lot as a bar against its due date, late lots flagged,
and the bars sized in percentages so they stay readable on a 360 px phone."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from tests.query_count import counted

from fabnet.services.identity import accounts as identity
from fabnet.services.orders import contracts, lots
from fabnet.services.orders.orders import principal_for_user
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.web.pages.orders import _timeline
from services.orders.conftest import Proposal, World, award_proposals, specified_order, to_point
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, sign_in

BUYER = "ana@hospital.org"


def _web_buyer(world: World, settings: Settings) -> World:
    user = identity.create_user(world.db, BUYER, world.buyer.org_id, actor=None,
                                password=PASSWORD, settings=settings)  # fmt: skip
    return dataclasses.replace(world, buyer=principal_for_user(world.db, user.id))


def test_the_order_page_shows_each_lot_against_its_due_date(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    w = _web_buyer(world, web_settings)
    order_id = specified_order(w, quantity=20)
    lot_ids = award_proposals(w, order_id, [
        Proposal("fac-0", 10, 2.0, item_id="part-0", destinations=to_point(10), due_days=10),
        Proposal("fac-1", 10, 3.0, item_id="part-1", destinations=to_point(10), due_days=30),
    ])  # fmt: skip
    lots.decline_lot(w.db, w.makers[1], lot_ids[1], reason="no capacity")
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert page.status_code == 200
    section = page.text.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'data-lot="([^"]+)" data-status="([a-z]+)"', section)
    statuses = dict(rows)
    assert statuses[lot_ids[0]] == "running"
    assert statuses[lot_ids[1]] == "dropped"
    due = lots.get_lot(w.db, w.buyer, lot_ids[0]).due_date
    assert f'due <time datetime="{due.isoformat()}">' in section
    assert "day(s)" in section or "due today" in section
    # widths are percentages of one shared scale, never fixed pixels
    widths = [float(x) for x in re.findall(r"width: ([0-9.]+)%", section)]
    assert widths and all(0 < x <= 100 for x in widths)


def test_a_lot_past_its_due_date_and_not_delivered_is_late(world: World) -> None:
    order_id = specified_order(world, quantity=10)
    [lot_id] = award_proposals(
        world, order_id, [Proposal("fac-0", 10, 2.0, destinations=to_point(10), due_days=5)]
    )
    lot = lots.get_lot(world.db, world.buyer, lot_id)
    card = {"lot": lot, "facility": "Maker 0"}
    later = lot.due_date + timedelta(days=3)
    timeline = _timeline([card], today=later)
    assert timeline is not None
    [row] = timeline["rows"]
    assert row["status"] == "late" and row["when"] == "3 day(s) past due"
    assert timeline["today_pct"] == 100.0  # today is the scale's end
    early = _timeline([card], today=lot.created_at.date())
    assert early is not None and early["rows"][0]["status"] == "running"
    assert early["rows"][0]["left"] == 0.0 and early["rows"][0]["width"] == 100.0
    assert _timeline([], today=date(2026, 1, 1)) is None


def _order_with_lots(w: World, count: int, settings: Settings) -> tuple[str, list[str]]:
    """An order of ``count`` lots over the three workshops: each accepted with its contract signed
    by the buyer, except the last, declined (so it was re-planned or failed to be)."""
    order_id = specified_order(w, quantity=10 * count)
    lot_ids = award_proposals(w, order_id, [
        Proposal(f"fac-{i % 3}", 10, 2.0 + i, item_id=f"part-{i}", destinations=to_point(10))
        for i in range(count)
    ])  # fmt: skip
    for i, lot_id in enumerate(lot_ids[:-1]):
        lots.accept_lot(w.db, w.makers[i % 3], lot_id)
        [contract] = contracts.list_lot_contracts(w.db, w.buyer, lot_id)
        contracts.sign_contract(w.db, w.buyer, contract.id, settings=settings)
    lots.decline_lot(w.db, w.makers[(count - 1) % 3], lot_ids[-1], reason="no capacity")
    return order_id, lot_ids


def _selects(db: Database, client: TestClient, url: str) -> tuple[int, str]:
    with counted(db) as statements:
        page = client.get(url)
    assert page.status_code == 200
    return len(statements), page.text


def test_the_order_page_reads_each_kind_of_row_once_however_many_lots(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    """A 28-lot order's page had asked the database 937 questions (seven services per lot
    card, each loading the lot, its order and parties again): now every lot's transitions,
    contracts, signatures, escrow and audit events are read in one query each, so a page of 7
    lots asks no more than a page of 2, and still shows each lot with its facility, price,
    contract signatures and the declined lot's re-plan."""
    w = _web_buyer(world, web_settings)
    small, _ = _order_with_lots(w, 2, web_settings)
    large, large_lots = _order_with_lots(w, 7, web_settings)
    sign_in(web, BUYER)
    web.get(f"/orders/{small}")  # warm: the session's and the page's first reads
    small_count, _ = _selects(w.db, web, f"/orders/{small}")
    large_count, html = _selects(w.db, web, f"/orders/{large}")
    assert large_count <= small_count, (small_count, large_count)
    assert large_count < 40
    for lot_id in large_lots:
        assert f'data-lot="{lot_id}"' in html
    assert html.count("Maker 0") >= 3  # fac-0 makes parts 0, 3 and 6: named on each card
    assert html.count("(1 of 2 signatures)") == len(large_lots) - 1  # the buyer signed each
    assert "no capacity" in html  # the declined lot's reason, from its history
