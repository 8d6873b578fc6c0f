"""Issue 13 on the buyer's order page: rejecting a counter-offer re-plans the lot; the page shows
the new lot with its invitation, and on the old lot (and in the order's news) which facility's
offer was rejected, the reason and where the quantity went."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from fabnet.domain.orders.states import LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import CounterOffer, lots, orders
from fabnet.settings import Settings
from fabnet.storage.db import Database
from services.sourcing.planning.conftest import catalogue as catalogue  # the fixture
from services.sourcing.planning.test_replan_messages import NAMES, _awarded

from .conftest import PASSWORD, csrf_of, sign_in

BUYER = "ana@hospital.org"


def _card(page: str, lot_id: str) -> str:
    found = re.search(rf'<article class="card" id="lot-{lot_id}".*?</article>', page, re.S)
    assert found, f"no card for lot {lot_id}"
    return html.unescape(" ".join(found.group(0).split()))


def test_the_buyer_rejects_a_counter_offer_and_sees_the_replan(
    catalogue: Database, web: TestClient, web_settings: Settings, tmp_path: Path
) -> None:
    db = catalogue
    buyer, makers, order_id, invited = _awarded(db, tmp_path)
    identity.create_user(db, BUYER, buyer.org_id, actor=None, password=PASSWORD,
                         settings=web_settings)  # fmt: skip
    part = next(lot for lot in invited if lot.kind == "part")
    lots.counter_offer_lot(db, makers[part.facility_id], part.id,
                           CounterOffer(unit_price_minor=part.unit_price_minor * 3,
                                        note="filament prices"))  # fmt: skip
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert page.status_code == 200
    card = _card(page.text, part.id)
    assert "Reject the counter-offer" in card and "filament prices" in card
    done = web.post(
        f"/orders/{order_id}/lots/{part.id}/act",
        data={"csrf_token": csrf_of(page.text), "action": "reject_counter_offer",
              "reason": "three times the planned price"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    page = web.get(done.headers["location"])
    assert page.status_code == 200
    [new] = [x for x in orders.list_lots(db, buyer, order_id) if x.replaces_lot_id == part.id]
    assert new.state is LotState.INVITED
    old_card = _card(page.text, part.id)
    assert "Re-planned" in old_card
    assert f"the counter-offer of {NAMES[part.facility_id]} was rejected" in old_card
    assert "three times the planned price" in old_card
    assert f'href="#lot-{new.id}"' in old_card and NAMES[new.facility_id] in old_card
    new_card = _card(page.text, new.id)
    assert "invited" in new_card and f"lot {part.id[:8]} (re-planned)" in new_card
    assert NAMES[new.facility_id] in new_card
    news = re.search(r'<ul class="news">(.*?)</ul>', page.text, re.S)
    assert news is not None
    assert "re-planned into 1 new lot(s)" in html.unescape(news.group(1))
