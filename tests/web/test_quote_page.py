"""The instant-quote page: the nav link answers, a design is quoted, errors show at the field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings
from fabnet.storage.db import Database


def test_quote_page_quotes_a_design_and_shows_errors_at_the_field(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    # The page reads meshes from the store of the app's settings.
    import_designs(db, manifest_paths(), store=open_file_store(web_settings))
    design = next(d for d in list_designs(db, limit=200).items if not d.parts[0].purchased)
    sign_in(web, web_parties.buyer_email)
    home = web.get("/")
    assert 'href="/quote"' in home.text
    design_page = web.get(f"/designs/{design.id}")
    assert f'href="/quote?design={design.id}"' in design_page.text
    assert f'href="/orders/new?design={design.id}"' in design_page.text
    preset = web.get(f"/orders/new?design={design.id}")
    assert f'<option value="{design.id}" selected>' in preset.text
    empty = web.get("/quote")
    assert empty.status_code == 200
    assert design.name in empty.text  # offered in the design list
    quoted = web.get("/quote", params={"design": design.id, "quantity": "5"})
    assert quoted.status_code == 200, quoted.text
    assert f"5 × {design.name}" in quoted.text
    assert design.parts[0].name in quoted.text
    assert "Hours per unit" in quoted.text
    assert re.search(r"<td class=\"num\">\d+\.\d\d</td>", quoted.text), "no hours were estimated"
    zero = web.get("/quote", params={"design": design.id, "quantity": "0"})
    assert zero.status_code == 422
    assert 'id="e-quantity"' in zero.text
    nobody = web.get("/quote", params={"design": design.id, "facility": "zz-no-such-facility"})
    assert nobody.status_code == 422
    assert 'id="e-facility"' in nobody.text
    unknown = web.get("/quote", params={"design": "zz-no-such-design"})
    assert unknown.status_code == 422
    assert 'id="e-design"' in unknown.text
