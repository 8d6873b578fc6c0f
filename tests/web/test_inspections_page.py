"""The inspector's pages: assigned lots (also when assigned after submission), the ISO 2859-1
plan, per-sample defect rows with photos, the decision from the counts, the first article, and
404 for another organisation's inspection."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.services.identity import accounts as identity
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.settings import Settings
from services.orders.conftest import Proposal, World, award_proposals, specified_order, to_point
from services.orders.conftest import world as world
from services.orders.test_order_fixes import _to_production

from .conftest import PASSWORD, csrf_of, sign_in

INSPECTOR = "ines@inspect.org"


def _users(world: World, web_settings: Settings) -> str:
    """The inspector's user, and another inspection body's (``rita@rival.org``)."""
    rival = identity.create_organisation(
        world.db, "Rival Inspect", OrgKind.INSPECTION_BODY, actor=None
    )
    for email, org in ((INSPECTOR, world.inspector.org_id), ("rita@rival.org", rival.id)):
        identity.create_user(
            world.db, email, org, actor=None, password=PASSWORD, settings=web_settings
        )
    return rival.id


def _submitted_lot(world: World, quantity: int) -> str:
    order_id = specified_order(world, quantity=quantity)
    [lot_id] = award_proposals(
        world,
        order_id,
        [
            Proposal("fac-0", quantity, 2.0, destinations=to_point(quantity)),
        ],
    )
    _to_production(world, lot_id, 0)
    lots.act_on_lot(world.db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    return lot_id


def _errors(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)', html)


def test_inspector_assigned_after_submission_records_per_sample_results(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _users(world, web_settings)
    lot_id = _submitted_lot(world, 500)
    # assigned after submit_for_inspection: the open task moves to the inspector
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)

    sign_in(web, INSPECTOR)
    listing = web.get("/inspections")
    assert listing.status_code == 200 and f'href="/inspections/{task.id}"' in listing.text
    page = web.get(f"/inspections/{task.id}")
    assert page.status_code == 200
    # lot of 500, level II: code letter H, n = 50; AQL 1.0 major: Ac 1, Re 2; 4.0 minor: Ac 5
    assert "draw 50 units" in page.text
    assert re.search(
        r'<td>major</td><td>1.0</td><td>H</td><td class="num">50</td>'
        r'<td class="num">1</td><td class="num">2</td>',
        page.text,
    )
    token = csrf_of(page.text)
    rows = {
        "rows": "5",
        "sample_0": "4",
        "class_0": "major",
        "note_0": "cracked clip",
        "sample_1": "17",
        "class_1": "major",
        "note_1": "visor hole torn",
        "sample_2": "9",
        "class_2": "minor",
        "note_2": "stringing",
    }

    # the decision follows from the rows' counts before anything is recorded
    one_major = web.post(
        f"/inspections/{task.id}/decision",
        headers={"HX-Request": "true"},
        data={"csrf_token": token, "sample_0": "4", "class_0": "major"},
    )
    assert "<html" not in one_major.text and "Decision from the counts: accept" in one_major.text
    preview = web.post(f"/inspections/{task.id}/decision", data={"csrf_token": token, **rows})
    assert "Decision from the counts: reject" in preview.text
    assert "major 2 of Ac 1 / Re 2: reject" in preview.text
    assert inspections.get_inspection(db, world.inspector, task.id).status == "open"

    # a sample number outside the class's sample is refused on its row
    beyond = web.post(
        f"/inspections/{task.id}/record",
        data={"csrf_token": token, "sample_0": "51", "class_0": "major"},
    )
    assert beyond.status_code == 422
    assert any("samples 1 to 50" in e for e in _errors(beyond.text))

    photo = b"\xff\xd8 photo of sample 4"
    files = [
        ("photo_0", ("sample-4.jpg", photo, "image/jpeg")),
        ("evidence", ("record.pdf", b"%PDF inspection record", "application/pdf")),
    ]
    no_reason = web.post(
        f"/inspections/{task.id}/record", data={"csrf_token": token, **rows}, files=files
    )
    assert no_reason.status_code == 422 and "a reason is required" in no_reason.text
    assert 'value="cracked clip"' in no_reason.text  # what was typed stays in the form
    done = web.post(
        f"/inspections/{task.id}/record",
        follow_redirects=False,
        files=files,
        data={"csrf_token": token, **rows, "reason": "2 majors"},
    )
    assert done.status_code == 303, _errors(done.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.LOT_REJECTED  # 2 majors >= Re 2
    recorded = inspections.get_inspection(db, world.inspector, task.id)
    assert recorded.result is not None
    assert recorded.result["defects_found"] == {"major": 2, "minor": 1}
    photo_sha = hashlib.sha256(photo).hexdigest()
    assert photo_sha in recorded.result["evidence_sha256"]
    assert recorded.result["measurements"]["defect.1.sample"] == 4
    assert recorded.result["measurements"]["defect.1.photo"] == photo_sha
    shown = web.get(f"/inspections/{task.id}").text
    assert "cracked clip" in shown and "record.pdf" in shown and "Record the result" not in shown


def test_first_article_is_reviewed_by_the_inspector_assigned_after_it(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _users(world, web_settings)
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(
        world, order_id, [Proposal("fac-0", 100, 2.0, destinations=to_point(100))]
    )
    lots.accept_lot(db, world.makers[0], lot_id)
    payments.fund_order(db, world.buyer, order_id, 20_000, reference="ref-fa")
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    contracts.sign_contract(db, world.buyer, contract.id)
    contracts.sign_contract(db, world.makers[0], contract.id)
    lots.submit_prototype(db, world.makers[0], lot_id, [world.evidence[0]])
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)

    sign_in(web, INSPECTOR)
    page = web.get("/inspections")
    assert "First article to review" in page.text and "photo-0.jpg" in page.text
    token = csrf_of(page.text)
    url = f"/inspections/lots/{lot_id}/first-article"
    # the buyer has not delegated the first article's approval: no form, and a review is refused
    assert "its approval is not delegated to you" in page.text and url not in page.text
    refused = web.post(url, data={"csrf_token": token, "decision": "approve"},
                       files=[("evidence", ("m.csv", b"width,30.0", "text/csv"))])  # fmt: skip
    assert refused.status_code == 403 and "has not delegated" in " ".join(_errors(refused.text))
    assert lots.get_lot(db, None, lot_id).state is LotState.PROTOTYPE_SUBMITTED
    lots.delegate_prototype_approval(db, world.buyer, lot_id)
    page = web.get("/inspections")
    assert "delegated the approval of this first article to you" in page.text and url in page.text
    no_reason = web.post(
        url,
        data={"csrf_token": token, "decision": "reject"},
        files=[("evidence", ("m.csv", b"width,30.2", "text/csv"))],
    )
    assert no_reason.status_code == 422 and "reason" in " ".join(_errors(no_reason.text))
    approved = web.post(
        url,
        data={"csrf_token": token, "decision": "approve"},
        files=[("evidence", ("measurements.csv", b"width,30.1", "text/csv"))],
        follow_redirects=False,
    )
    assert approved.status_code == 303, _errors(approved.text)
    assert lots.get_lot(db, None, lot_id).state is LotState.PROTOTYPE_APPROVED
    [review] = [t for t in lots.lot_history(db, None, lot_id) if t.action == "approve_prototype"]
    assert review.evidence_sha256 == (hashlib.sha256(b"width,30.1").hexdigest(),)


def test_another_organisations_inspection_is_not_found(
    world: World, web: TestClient, web_settings: Settings
) -> None:
    db = world.db
    _users(world, web_settings)
    lot_id = _submitted_lot(world, 100)
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)
    identity.create_user(
        db,
        "olu@other.org",
        world.stranger.org_id,
        actor=None,
        password=PASSWORD,
        settings=web_settings,
    )
    for email in ("rita@rival.org", "olu@other.org"):
        sign_in(web, email)
        listing = web.get("/inspections")
        assert task.id[:8] not in listing.text
        token = csrf_of(listing.text)
        assert web.get(f"/inspections/{task.id}").status_code == 404
        for url in (
            f"/inspections/{task.id}/record",
            f"/inspections/{task.id}/decision",
            f"/inspections/lots/{lot_id}/first-article",
        ):
            answer = web.post(url, data={"csrf_token": token, "decision": "approve"})
            assert answer.status_code == 404, url
        web.cookies.clear()
    assert inspections.get_inspection(db, world.inspector, task.id).status == "open"
