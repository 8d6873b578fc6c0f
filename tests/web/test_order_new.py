"""The new-order form: a draft order from a design, a quantity, a place and a due date."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, csrf_of, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


def test_new_order_form_saves_a_draft_and_shows_errors_at_the_field(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    import_designs(db, manifest_paths(), store=file_store)
    design = list_designs(db, limit=200).items[0]
    sign_in(web, web_parties.buyer_email)
    listing = web.get("/orders")
    assert 'href="/orders/new"' in listing.text
    form = web.get("/orders/new")
    assert form.status_code == 200
    token = csrf_of(form.text)
    good = {
        "name": "Shields for Kisumu", "design": design.id, "quantity": "40",
        "place": "Kisumu, KE", "due": "2027-03-01", "csrf_token": token,
    }  # fmt: skip
    bad = web.post("/orders/new", data={**good, "quantity": "0", "place": "Qqqzzz Nowhere"})
    assert bad.status_code == 422
    assert 'id="e-quantity"' in bad.text
    unknown_place = web.post("/orders/new", data={**good, "place": "Qqqzzz Nowhere"})
    assert unknown_place.status_code == 422
    assert 'id="e-place"' in unknown_place.text
    refused = web.post("/orders/new", data={k: v for k, v in good.items() if k != "csrf_token"})
    assert refused.status_code == 403
    made = web.post("/orders/new", data=good, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = web.get(made.headers["location"])
    assert page.status_code == 200
    assert "Shields for Kisumu" in page.text
    assert "draft" in page.text
    assert "40" in page.text
    other = TestClient(web.app)
    sign_in(other, web_parties.other_email)
    assert other.get(made.headers["location"]).status_code == 404
