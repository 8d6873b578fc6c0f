"""The design library and a design's page on the demo designs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


def test_library_filters_and_design_page_shows_parts_licence_and_makers(
    web: TestClient, web_parties: WebParties, sqlite_db: Database, file_store: FileStore
) -> None:
    del sqlite_db
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    import_designs(db, manifest_paths(), store=file_store)
    designs = list_designs(db, limit=200).items
    assert designs
    sign_in(web, web_parties.buyer_email)
    library = web.get("/designs")
    assert f"{len(designs)} of {len(designs)} designs" in library.text
    first = designs[0]
    word = first.name.split()[0]
    found = web.get("/designs", params={"q": word})
    assert first.name in found.text
    none = web.get("/designs", params={"q": "zzzz-no-such-design"})
    assert "No design matches" in none.text
    page = web.get(f"/designs/{first.id}")
    assert page.status_code == 200
    assert "Licence and its obligations" in page.text
    for part in first.parts:
        assert part.name in page.text
    assert "capable facilities" in page.text
    bad = web.get(f"/designs/{first.id}", params={"near": "Nowhereville Qqq"})
    assert bad.status_code == 200
    assert 'id="e-near"' in bad.text
    missing = web.get("/designs/00000000-no-such-design")
    assert missing.status_code == 404


def test_facility_page_shows_equipment_rates_and_provenance(
    web: TestClient, web_parties: WebParties
) -> None:
    from fabnet.demo.world import build_world
    from fabnet.storage.facilities import FacilityRepository

    db: Database = web.app.state.db  # type: ignore[attr-defined]
    world = build_world(7)
    facility = next(f for f in world.facilities if f.equipment and f.extension.rate_card)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([facility])
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/facilities/{facility.id}")
    assert page.status_code == 200
    assert facility.name.replace("&", "&amp;").replace("'", "&#39;") in page.text
    assert facility.equipment[0].equipment_type in page.text
    assert "Where these facts come from" in page.text
    assert facility.provenance.rates.value in page.text
    assert web.get("/facilities/no-such-facility").status_code == 404


def test_facility_list_filters_and_explains_an_unknown_process(
    web: TestClient, web_parties: WebParties
) -> None:
    sign_in(web, web_parties.buyer_email)
    page = web.get("/facilities")
    assert page.status_code == 200
    assert "Facilities" in page.text
    bad = web.get("/facilities", params={"process": "teleportation"})
    assert bad.status_code == 200
    assert 'id="e-process"' in bad.text
    country = web.get("/facilities", params={"country": "Kenya"})
    assert country.status_code == 200
    assert 'id="e-country"' in country.text
    assert "alpha-2" in country.text
