"""The buyer assigns an independent inspection body to a lot from the order page, choosing among
the platform's inspection bodies, at any state before the result — also after the lot was
submitted for inspection, when the open inspection moves to the body chosen. Mistakes are
answered at the field in words; once the result is in the form is gone; another organisation's
lot is not found."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind
from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import inspections, lots
from fabnet.settings import Settings
from services.orders.conftest import World, specified_order, submitted_lot
from services.orders.conftest import world as world  # the fixture

from .conftest import PASSWORD, csrf_of, sign_in

BUYER, INSPECTOR, STRANGER = "bea@buyer.org", "ivo@inspect.org", "olu@other.org"
CLEAN: dict[DefectClass | str, int] = {DefectClass.MAJOR: 0, DefectClass.MINOR: 0}


def _errors(html: str) -> list[str]:
    return [unescape(e) for e in re.findall(r'class="error"[^>]*>([^<]*)', html)]


def _card(html: str, lot_id: str) -> str:
    card = re.search(rf'<article class="card" id="lot-{lot_id}".*?</article>', html, re.S)
    assert card is not None
    return card.group(0)


def _bodies(card: str) -> list[tuple[str, str]]:
    select = re.search(r'<select[^>]*name="inspector_org_id".*?</select>', card, re.S)
    assert select is not None, "the lot offers no inspection body to choose"
    return [(v, unescape(t)) for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<',
                                                     select.group(0)) if v]  # fmt: skip


def _submitted_lot(world: World, settings: Settings) -> tuple[str, str]:
    """A lot made and submitted for inspection with no inspection body assigned."""
    db = world.db
    for email, org in ((BUYER, world.buyer.org_id), (INSPECTOR, world.inspector.org_id),
                       (STRANGER, world.stranger.org_id)):  # fmt: skip
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=settings)
    order_id = specified_order(world, quantity=50)
    lot_id = submitted_lot(world, order_id, 50)
    return order_id, lot_id


def test_the_buyer_assigns_an_inspection_body_after_submission(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    second = identity.create_organisation(db, "Audit Bureau", OrgKind.INSPECTION_BODY, actor=None)
    order_id, lot_id = _submitted_lot(world, web_settings)
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    assert task.inspector_org_id == world.buyer.org_id  # the buyer inspects when nobody is named

    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert page.status_code == 200, _errors(page.text)
    card = _card(page.text, lot_id)
    assert "No inspection body assigned: you inspect the lot yourself" in card
    # the inspection bodies of the platform, by name; no manufacturer or buyer among them
    assert _bodies(card) == [(second.id, "Audit Bureau"), (world.inspector.org_id, "Inspect Co"),
                             (world.other_inspector.org_id, "Other Inspect")]  # fmt: skip
    token = csrf_of(page.text)
    url = f"/orders/{order_id}/lots/{lot_id}/inspector"

    nothing = web.post(url, data={"csrf_token": token, "inspector_org_id": ""})
    assert nothing.status_code == 422
    assert "choose the inspection body from the list" in _errors(nothing.text)
    assert 'aria-invalid="true"' in _card(nothing.text, lot_id)
    maker = web.post(url, data={"csrf_token": token, "inspector_org_id": world.makers[0].org_id})
    assert maker.status_code == 422
    assert any("not an inspection body on the platform" in e for e in _errors(maker.text))
    assert lots.get_lot(db, world.buyer, lot_id).inspector_org_id is None

    done = web.post(url, data={"csrf_token": token, "inspector_org_id": world.inspector.org_id},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(db, world.buyer, lot_id).inspector_org_id == world.inspector.org_id
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    assert task.inspector_org_id == world.inspector.org_id  # the open task moved with it
    card = _card(web.get(f"/orders/{order_id}").text, lot_id)
    assert "Inspected by <strong>Inspect Co</strong>" in card
    assert "Change the inspection body" in card
    again = web.post(url, data={"csrf_token": token, "inspector_org_id": world.inspector.org_id})
    assert again.status_code == 422
    assert "Inspect Co already inspects this lot" in _errors(again.text)

    # the inspection body finds the lot on its inspections page and records the result
    web.cookies.clear()
    sign_in(web, INSPECTOR)
    listed = web.get("/inspections")
    assert listed.status_code == 200 and lot_id[:8] in listed.text
    inspections.record_inspection(db, world.inspector, task.id, CLEAN,
                                  evidence_sha256=[world.evidence[2]])  # fmt: skip
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_ACCEPTED

    # with the result in, the buyer is no longer offered the form, and a forged post is refused
    web.cookies.clear()
    sign_in(web, BUYER)
    page = web.get(f"/orders/{order_id}")
    assert 'name="inspector_org_id"' not in _card(page.text, lot_id)
    late = web.post(url, data={"csrf_token": csrf_of(page.text), "inspector_org_id": second.id})
    assert late.status_code == 422
    assert any("its inspection result is in" in e for e in _errors(late.text))
    assert lots.get_lot(db, world.buyer, lot_id).inspector_org_id == world.inspector.org_id

    # another organisation's lot is not found
    web.cookies.clear()
    sign_in(web, STRANGER)
    token = csrf_of(web.get("/orders").text)
    assert web.post(url, data={"csrf_token": token,
                               "inspector_org_id": second.id}).status_code == 404  # fmt: skip
