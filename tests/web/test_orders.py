"""Order pages: the buyer sees its order; another organisation's order is a 404 page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, WebParties, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.demo.story import load_story_order
from fabnet.services.identity.auth import authenticate_password
from fabnet.services.orders.orders import create_order, principal_for_user
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


def test_own_order_is_shown_and_another_orgs_order_is_a_404_page(
    web: TestClient, web_parties: WebParties, file_store: FileStore
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    import_designs(db, manifest_paths(), store=file_store)
    buyer = authenticate_password(db, web_parties.buyer_email, PASSWORD)
    order = create_order(db, principal_for_user(db, buyer.id), load_story_order())
    sign_in(web, web_parties.buyer_email)
    listing = web.get("/orders")
    assert order.name in listing.text
    page = web.get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert "draft" in page.text
    web.cookies.clear()
    sign_in(web, web_parties.other_email)
    assert order.name not in web.get("/orders").text
    foreign = web.get(f"/orders/{order.id}")
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("text/html")
    assert order.name not in foreign.text


def test_pages_show_money_with_each_currencys_decimals() -> None:
    """The ``money`` filter the order page prices lots with: 476 minor units of EUR are 4.76 EUR,
    of JPY (no decimals) 476 JPY, of KWD (three) 0.476 KWD, never minor / 100."""
    from fabnet.web.render import templates

    shown = templates.env.from_string(
        "{{ 476|money('EUR') }} | {{ 476|money('JPY') }} | {{ 476|money('KWD') }}"
    ).render()
    assert shown == "4.76 EUR | 476 JPY | 0.476 KWD"
