"""Every page that takes an id answers another organisation with a 404 *page* (HTML, never a
403 or 500): the buyer's order, the manufacturer's lot, the contract PDF and the inspection,
each visited by every party of the demo world that has no business there."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fabnet.services.identity import accounts as identity
from fabnet.services.orders import contracts, inspections, lots
from fabnet.settings import Settings
from services.orders.conftest import World
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, sign_in
from .test_inspections_page import INSPECTOR, _submitted_lot, _users

BUYER, MAKER, RIVAL_MAKER = "bo@buyer.org", "mo@maker0.org", "ri@maker1.org"
RIVAL_INSPECTOR, STRANGER = "rita@rival.org", "sam@otherbuyer.org"

#: Page -> the parties that must not see it.
OUTSIDERS = {
    "order": (RIVAL_MAKER, RIVAL_INSPECTOR, STRANGER),
    "lot": (BUYER, RIVAL_MAKER, RIVAL_INSPECTOR, STRANGER),
    "contract": (RIVAL_MAKER, RIVAL_INSPECTOR, STRANGER),
    "inspection": (RIVAL_MAKER, RIVAL_INSPECTOR, STRANGER),
}


@pytest.mark.parametrize("page", sorted(OUTSIDERS))
def test_another_organisation_gets_a_not_found_page(
    page: str, world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _users(world, web_settings)  # the inspector and a rival inspection body's user
    for email, org in (
        (BUYER, world.buyer.org_id),
        (MAKER, world.makers[0].org_id),
        (RIVAL_MAKER, world.makers[1].org_id),
        (STRANGER, world.stranger.org_id),
    ):
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=web_settings)
    lot_id = _submitted_lot(world, 10)
    order_id = lots.get_lot(db, world.buyer, lot_id).order_id
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)
    [contract, *_] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    url, owner = {
        "order": (f"/orders/{order_id}", BUYER),
        "lot": (f"/jobs/lots/{lot_id}", MAKER),
        "contract": (f"/contracts/{contract.id}.pdf", BUYER),
        "inspection": (f"/inspections/{task.id}", INSPECTOR),
    }[page]
    sign_in(web, owner)
    assert web.get(url).status_code == 200, (owner, url)  # the page exists for its party
    web.cookies.clear()
    for email in OUTSIDERS[page]:
        sign_in(web, email)
        answer = web.get(url)
        assert answer.status_code == 404, (email, url, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html"), (email, url)
        assert contract.id not in answer.text and lot_id not in answer.text
        web.cookies.clear()
