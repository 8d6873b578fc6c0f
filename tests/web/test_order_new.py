"""The order wizard: a draft order from products, quantities, delivery points, due dates and the
planner's options; rows added without JavaScript; errors at their field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, csrf_of, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore
from fabnet.storage.orders import OrderRow


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


def _designs(web: TestClient, file_store: FileStore) -> list[str]:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    import_designs(db, manifest_paths(), store=file_store)
    return [d.id for d in list_designs(db, limit=200).items]


def _stored_spec(web: TestClient, order_id: str) -> dict[str, Any]:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    with db.read() as session:
        row = session.get(OrderRow, order_id)
        assert row is not None
        assert row.state == "DRAFT"
        return dict(row.spec)


def test_wizard_saves_several_products_points_due_dates_and_options(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    first, second = _designs(web, file_store)[:2]
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/orders/new").text)
    due = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    form = {
        "csrf_token": token, "name": "Clinics in the lake region", "products": "2", "points": "2",
        "design": first, "design-2": second,
        "label": "Kisumu County Hospital", "place": "Kisumu, KE", "due": due,
        "quantity": "30", "quantity-1-2": "5",
        "place-2": "Kampala", "lat-2": "0.3476", "lon-2": "32.5825", "due-2": "",
        "quantity-2-1": "", "quantity-2-2": "12",
        "co2_price": "80", "lateness_penalty": "0.5", "local_share": "40",
        "local_countries": "KE, Uganda", "max_facilities": "6",
        "certifications": "iso13485", "radius_km": "1500", "platform_only": "on",
    }  # fmt: skip
    made = web.post("/orders/new", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    order_id = made.headers["location"].rsplit("/", 1)[1]
    spec = _stored_spec(web, order_id)
    assert [p["design"] for p in spec["products"]] == [first, second]
    kisumu, kampala = spec["delivery_points"]
    assert kisumu["place"] == "Kisumu, KE" and kisumu["name"] == "Kisumu County Hospital"
    assert kisumu["due"] == due and kisumu["demand"] == {first: 30, second: 5}
    assert kampala["coordinates"] == [0.3476, 32.5825] and kampala["name"] == "Kampala"
    assert kampala["due"] is None and kampala["demand"] == {second: 12}
    assert spec["options"]["co2_price_per_t"] == 80
    assert spec["options"]["lateness_penalty_per_unit_day"] == 0.5
    assert spec["options"]["max_facilities"] == 6
    assert spec["options"]["local_share"] == {
        "min_share": 0.4, "countries": ["KE", "UG"], "regions": []
    }  # fmt: skip
    assert spec["matching"]["require_certs"] == ["ISO 13485"]
    assert spec["matching"]["radius_km"] == 1500
    assert spec["matching"]["platform_only"] is True
    page = web.get(made.headers["location"])
    assert page.status_code == 200 and "Clinics in the lake region" in page.text
    assert "47" in page.text  # 30 + 5 + 12 units


def test_the_draft_carries_delivery_terms_so_the_buyer_can_plan_it(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    """Without an Incoterm rule and its named place an order cannot be specified, so a draft of
    the wizard could not be planned ("cannot specify order in state DRAFT")."""
    design = _designs(web, file_store)[0]
    sign_in(web, web_parties.buyer_email)
    form = web.get("/orders/new")
    assert 'id="f-incoterm"' in form.text and 'id="f-transport_mode"' in form.text
    token = csrf_of(form.text)
    good = {"csrf_token": token, "name": "Shields", "design": design, "quantity": "40",
            "place": "Kisumu, KE"}  # fmt: skip
    bad = web.post("/orders/new", data={**good, "incoterm": "FOB", "transport_mode": "teleport"})
    assert bad.status_code == 422
    assert 'id="e-incoterm"' in bad.text and 'id="e-transport_mode"' in bad.text
    made = web.post("/orders/new", data=good, follow_redirects=False)  # the defaults
    assert made.status_code == 303, made.text
    page = web.get(made.headers["location"])
    assert "DAP Kisumu, KE (Incoterms 2020)" in page.text
    fca = {**good, "incoterm": "FCA", "named_place": "Mombasa", "transport_mode": "sea"}
    chosen = web.post("/orders/new", data=fca, follow_redirects=False)
    assert chosen.status_code == 303, chosen.text
    order_id = chosen.headers["location"].rsplit("/", 1)[1]
    started = web.post(f"/orders/{order_id}/plan", data={"csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert started.status_code == 303, started.text  # specified and queued, not refused
    assert "/plan-jobs/" in started.headers["location"]
    assert "FCA Mombasa (Incoterms 2020)" in web.get(f"/orders/{order_id}").text


def test_add_and_remove_rows_post_the_form_back_keeping_every_value(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    first, second = _designs(web, file_store)[:2]
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/orders/new").text)
    base = {"csrf_token": token, "name": "Lamps", "design": first, "quantity": "9",
            "place": "Gent, Belgium", "co2_price": "25"}  # fmt: skip
    # Without JavaScript: the whole page comes back with a second product row and a quantity for
    # it at the first point; nothing is saved and nothing is lost.
    added = web.post("/orders/new", data={**base, "change": "add-product"})
    assert added.status_code == 200
    assert "<html" in added.text
    assert 'name="design-2"' in added.text and 'name="quantity-1-2"' in added.text
    assert 'value="Gent, Belgium"' in added.text and 'value="25"' in added.text
    assert 'name="products" value="2"' in added.text
    assert 'id="f-design-2"' in added.text and "autofocus" in added.text
    # With htmx only the form is swapped.
    point = web.post(
        "/orders/new",
        data={**base, "products": "2", "design-2": second, "change": "add-point"},
        headers={"HX-Request": "true"},
    )
    assert point.status_code == 200
    assert "<html" not in point.text and point.text.lstrip().startswith("<form")
    assert 'name="place-2"' in point.text and 'name="quantity-2-2"' in point.text
    assert 'name="points" value="2"' in point.text
    # Removing the first product shifts the second into its place.
    removed = web.post(
        "/orders/new",
        data={**base, "products": "2", "design-2": second, "quantity-1-2": "4",
              "change": "remove-product-1"},
    )  # fmt: skip
    assert 'name="products" value="1"' in removed.text
    assert 'name="design-2"' not in removed.text
    assert f'<option value="{second}" selected>' in removed.text
    assert 'name="quantity" type="number" value="4"' in removed.text
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    with db.read() as session:
        assert session.query(OrderRow).count() == 0


def test_wizard_errors_are_at_their_field_in_the_users_words(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    first, second = _designs(web, file_store)[:2]
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/orders/new").text)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    bad = web.post(
        "/orders/new",
        data={
            "csrf_token": token, "name": "Broken", "products": "2", "points": "2",
            "design": first, "design-2": first,
            "place": "Nairobbi, KE", "due": yesterday, "quantity": "3", "quantity-1-2": "1",
            "place-2": "", "lat-2": "95", "lon-2": "30", "quantity-2-1": "2",
            "local_share": "30", "certifications": "ISO 99999x", "max_facilities": "2.5",
        },
    )  # fmt: skip
    assert bad.status_code == 422
    html = bad.text.replace("&#34;", '"').replace("&#39;", "'")

    def error_of(name: str) -> str:
        found = re.search(rf'<p class="error" id="e-{name}">(.*?)</p>', html)
        assert found, f"no error at {name}"
        return found.group(1)

    assert "Nairobbi, KE" in error_of("place") and "Nairobi, KE" in error_of("place")
    assert yesterday in error_of("due") and "in the past" in error_of("due")
    assert "already product 1" in error_of("design-2")
    assert "-90 to 90" in error_of("lat-2")
    assert "countries" in error_of("local_countries")
    assert "ISO 99999x" in error_of("certifications")
    assert "whole number" in error_of("max_facilities")
    assert 'aria-invalid="true"' in html and 'href="#f-place"' in html
    # Every value typed comes back.
    assert 'value="Nairobbi, KE"' in html and 'value="95"' in html
    nothing = web.post(
        "/orders/new",
        data={"csrf_token": token, "name": "Empty point", "points": "2", "design": second,
              "place": "Nairobi, KE", "quantity": "5", "place-2": "Mombasa, KE",
              "quantity-2-1": "0"},
    )  # fmt: skip
    assert nothing.status_code == 422
    assert 'id="e-quantity-2-1"' in nothing.text and "asks for nothing" in nothing.text
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    with db.read() as session:
        assert session.query(OrderRow).count() == 0


def test_place_suggestions_and_the_town_nearest_a_map_click(
    web: TestClient, web_parties: WebParties
) -> None:
    sign_in(web, web_parties.buyer_email)
    listed = web.get("/orders/new/places", params={"field": "place-2", "place-2": "Kisu, KE"})
    assert listed.status_code == 200
    assert 'data-place-for="place-2"' in listed.text
    assert 'data-label="Kisumu, KE"' in listed.text and 'data-lat="-0.10221"' in listed.text
    none = web.get("/orders/new/places", params={"field": "place", "place": "Qqqzzx"})
    assert "No place starts with" in none.text
    assert web.get("/orders/new/places", params={"field": "name", "name": "x"}).status_code == 422
    near = web.get("/orders/new/place-at", params={"lat": "-0.1", "lon": "34.7"})
    assert near.status_code == 200
    assert near.json()["label"] == "Kisumu, KE" and near.json()["km"] < 10
    assert web.get("/orders/new/place-at", params={"lat": "99", "lon": "0"}).status_code == 422
    form = web.get("/orders/new").text
    assert 'hx-get="/orders/new/places"' in form and "data-point-map" in form
    scripts = re.findall(r'(?:src|href)="([^"]+)"', form)
    assert all(url.startswith(("/", "#")) for url in scripts), scripts
