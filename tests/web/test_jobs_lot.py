"""The manufacturer's lot page: licence obligations on the invitation, the contract signed,
the first article with photo and measurement files (their SHA-256 recorded), production,
submission, shipping with carrier, tracking and packages, the delivery confirmation and the
lot's money; another organisation's lot is 404."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.settings import Settings
from services.orders.conftest import Proposal, World, award_proposals, specified_order, to_point
from services.orders.conftest import world as world

from .conftest import PASSWORD, csrf_of, sign_in

MAKER, RIVAL, BUYER = "mia@maker0.org", "oto@maker1.org", "bea@buyer.org"


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


def test_a_lot_from_invitation_to_delivery(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    for email, org in (
        (MAKER, world.makers[0].org_id),
        (RIVAL, world.makers[1].org_id),
        (BUYER, world.buyer.org_id),
    ):
        identity.create_user(db, email, org, actor=None, password=PASSWORD, settings=web_settings)
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(
        world, order_id, [Proposal("fac-0", 100, 4.76, destinations=to_point(100))]
    )
    sign_in(web, MAKER)
    board = web.get("/jobs").text
    # the invitation names the licence and what it obliges the manufacturer to do
    assert "CERN-OHL-S-2.0" in board and "convey products only with the complete source" in board
    token = csrf_of(board)
    assert (
        web.post(
            f"/jobs/{lot_id}/accept", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    payments.fund_order(db, world.buyer, order_id, 47_600, reference="ref-lot")
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    contracts.sign_contract(db, world.buyer, contract.id)

    page = web.get(f"/jobs/lots/{lot_id}")
    assert page.status_code == 200 and "Sign the contract" in page.text
    assert "476.00 EUR" in page.text  # the lot's value with the currency's decimals
    signed = web.post(
        f"/jobs/lots/{lot_id}/sign/{contract.id}",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, _errors(signed.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.CONTRACTED
    page = web.get(f"/jobs/lots/{lot_id}").text
    assert "You signed it" in page and "Submit the first article" in page

    empty = web.post(
        f"/jobs/lots/{lot_id}/first-article",
        data={"csrf_token": token},
        files=[("photos", ("", b"", "application/octet-stream"))],
    )
    assert empty.status_code == 422 and "photos and measurements" in empty.text
    photo, sheet = b"\xff\xd8 first article", b"width_mm,30.1\nclip_mm,4.0\n"
    submitted = web.post(
        f"/jobs/lots/{lot_id}/first-article",
        data={"csrf_token": token},
        files=[
            ("photos", ("fa.jpg", photo, "image/jpeg")),
            ("measurements", ("fa.csv", sheet, "text/csv")),
        ],
        follow_redirects=False,
    )
    assert submitted.status_code == 303, _errors(submitted.text)
    [fa] = [t for t in lots.lot_history(db, None, lot_id) if t.action == "submit_prototype"]
    assert fa.evidence_sha256 == (
        hashlib.sha256(photo).hexdigest(),
        hashlib.sha256(sheet).hexdigest(),
    )
    lots.review_prototype(
        db, world.buyer, lot_id, approve=True, evidence_sha256=[world.evidence[1]]
    )

    for action in ("start_production", "submit_for_inspection"):
        assert action.replace("_", " ").capitalize() in web.get(f"/jobs/lots/{lot_id}").text
        done = web.post(
            f"/jobs/lots/{lot_id}/act/{action}", data={"csrf_token": token}, follow_redirects=False
        )
        assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.READY_FOR_INSPECTION
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    inspections.record_inspection(
        db,
        world.buyer,
        task.id,
        {DefectClass.MAJOR.value: 0, DefectClass.MINOR.value: 0},
        evidence_sha256=[world.evidence[2]],
    )

    ship = {
        "csrf_token": token,
        "carrier": "G4S Kenya",
        "tracking_reference": "G4S-88231",
        "packages": "3",
    }
    no_waybill = web.post(f"/jobs/lots/{lot_id}/ship", data=ship)
    assert no_waybill.status_code == 422 and "waybill" in " ".join(_errors(no_waybill.text))
    assert 'value="G4S-88231"' in no_waybill.text  # what was typed stays
    bad = web.post(f"/jobs/lots/{lot_id}/ship", data={**ship, "packages": "0"})
    assert bad.status_code == 422 and "number of packages" in bad.text
    shipped = web.post(
        f"/jobs/lots/{lot_id}/ship",
        data=ship,
        follow_redirects=False,
        files=[("waybill", ("waybill.pdf", b"%PDF waybill", "application/pdf"))],
    )
    assert shipped.status_code == 303, _errors(shipped.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.SHIPPED
    shipment = lots.lot_shipment(db, world.buyer, lot_id)  # the buyer sees what the maker gave
    assert shipment is not None and shipment.tracking_reference == "G4S-88231"
    assert shipment.packages == 3
    page = web.get(f"/jobs/lots/{lot_id}").text
    assert "G4S Kenya" in page and "Waiting for the buyer to confirm delivery" in page
    lots.act_on_lot(db, world.buyer, lot_id, LotAction.CONFIRM_DELIVERY)
    page = web.get(f"/jobs/lots/{lot_id}").text
    assert "Delivery confirmed" in page
    web.cookies.clear()

    # another manufacturer, and the buyer, do not have this manufacturer's lot page
    for email in (RIVAL, BUYER):
        sign_in(web, email)
        token = csrf_of(web.get("/").text)
        assert web.get(f"/jobs/lots/{lot_id}").status_code == 404
        for url in (
            f"/jobs/lots/{lot_id}/ship",
            f"/jobs/lots/{lot_id}/first-article",
            f"/jobs/lots/{lot_id}/act/submit_for_inspection",
            f"/jobs/lots/{lot_id}/sign/{contract.id}",
        ):
            assert web.post(url, data={"csrf_token": token}).status_code == 404, (email, url)
        web.cookies.clear()
