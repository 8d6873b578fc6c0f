"""The design library (search and filters) and a design's page (parts, BOM, licence, 3D
previews, who can make it, why not) on the demo designs and the demo world's facilities."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from tests.web.browser_helpers import serve_app
from tests.web.conftest import PASSWORD, WebParties, sign_in

from fabnet.demo.designs import manifest_paths
from fabnet.demo.world import build_world
from fabnet.domain.design import Design
from fabnet.domain.facility import Facility
from fabnet.geo.distance import haversine_km
from fabnet.server import create_app
from fabnet.services.catalogue.designs import import_designs, list_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository

CHROMIUM = "/usr/bin/chromium"


def _library(db: Database, settings: Settings) -> list[Design]:
    """The demo designs, their meshes in the store the app reads."""
    import_designs(db, manifest_paths(), store=open_file_store(settings))
    return list(list_designs(db, limit=200).items)


def _world_near(db: Database, lat: float, lon: float, km: float) -> list[Facility]:
    """The demo world's facilities within ``km`` of a point (a real slice of the registry)."""
    world = build_world(7)
    near = [
        f
        for f in world.facilities
        if f.location.latitude is not None
        and f.location.longitude is not None
        and float(haversine_km(lat, lon, f.location.latitude, f.location.longitude)) <= km
    ]
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(near)
    return near


def test_library_filters_by_search_process_material_licence_and_readiness(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    designs = _library(db, web_settings)
    sign_in(web, web_parties.buyer_email)
    library = web.get("/designs")
    assert f"{len(designs)} of {len(designs)} designs" in library.text
    assert web.get("/designs", params={"q": "shield"}).text.count('class="card"') == 1
    assert "No design matches" in web.get("/designs", params={"q": "zzzz-no-such"}).text
    filters = {
        "process": ("fdm", lambda d: any("fdm" in p.processes for p in d.parts)),
        "material": ("plywood", lambda d: any("plywood" in p.materials for p in d.parts)),
        "licence": ("CC-BY-SA-4.0", lambda d: d.license == "CC-BY-SA-4.0"),
        "readiness": ("OTRL-5", lambda d: d.technology_readiness_level == "OTRL-5"),
    }
    for name, (value, accepts) in filters.items():
        wanted = [d for d in designs if accepts(d)]
        assert 0 < len(wanted) < len(designs), name
        page = web.get("/designs", params={name: value})
        assert f"{len(wanted)} of {len(designs)} designs" in page.text, name
        for d in designs:
            assert (f'href="/designs/{d.id}"' in page.text) == (d in wanted), (name, d.name)
        assert f'<option value="{value}" selected>' in page.text
    # htmx asks for the results region only
    part = web.get(
        "/designs",
        params={"process": "fdm"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    assert "<html" not in part.text and "designs</p>" in part.text


def test_design_page_shows_parts_bom_licence_previews_and_who_can_make_it(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    shield = next(d for d in _library(db, web_settings) if d.name == "Face shield")
    facilities = _world_near(db, -1.29, 36.82, 1500)  # around Nairobi
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/designs/{shield.id}", params={"near": "Nairobi, KE", "quantity": "100"})
    assert page.status_code == 200, page.text
    html = page.text
    for part in shield.parts:
        assert part.name in html
    assert "1 × <strong>Face shield</strong> (assembly)" in html  # the BOM tree's root
    assert "Licence and its obligations" in html and "CERN-OHL-S-2.0 allows manufacture" in html
    assert "complete source" in html  # one of the strong-reciprocal licence's obligations
    # a preview for each part with a mesh (headband, visor), none for the bought-in strap
    meshes = re.findall(r'data-src="([^"]+)" data-format="(stl|3mf)"', html)
    assert sorted(u.rsplit("/", 2)[1] for u, _ in meshes) == ["headband", "visor"]
    assert '<script type="importmap">' in html and "/static/vendor/three/" in html
    assert '<script type="module" src="/static/designs.js">' in html
    stl = web.get(meshes[0][0])
    assert stl.status_code == 200 and stl.headers["content-type"] == "model/stl"
    assert len(stl.content) == 84 + 50 * int.from_bytes(stl.content[80:84], "little")
    assert web.get(f"/designs/{shield.id}/parts/elastic-strap/mesh").status_code == 404
    assert web.get("/static/designs.js").status_code == 200
    for module in ("controls/OrbitControls.js", "loaders/STLLoader.js", "loaders/3MFLoader.js"):
        assert web.get(f"/static/vendor/three/examples/jsm/{module}").status_code == 200
    # candidates with reasons, near-misses with what they lack
    assert "capable facilities; the best" in html
    assert "process: equipment" in html and "distance:" in html
    assert "near-misses and what each lacks" in html
    # why not: a facility that cannot make the headband is told why, criterion by criterion
    no_printer = next(f for f in facilities if not f.all_processes())
    why = web.get(
        f"/designs/{shield.id}",
        params={"near": "Nairobi, KE", "quantity": "100", "facility": no_printer.id[:12]},
    )
    assert why.status_code == 200
    headband = why.text.split("<h4>Headband:", 1)[1].split("</ul>", 1)[0]
    assert '<span class="bad">no</span>' in headband
    assert "not met: </span>" in headband and "needs fdm" in headband
    able = next(
        f
        for f in facilities
        if "fdm" in f.all_processes() and f.id in html and f.extension.rate_card is not None
    )
    yes = web.get(f"/designs/{shield.id}", params={"near": "Nairobi, KE", "facility": able.id})
    assert '<h4>Headband: <span class="good">yes</span>' in yes.text
    unknown = web.get(f"/designs/{shield.id}", params={"facility": "zz-no-such-facility"})
    assert unknown.status_code == 422 and 'id="e-facility"' in unknown.text
    bad = web.get(f"/designs/{shield.id}", params={"near": "Nowhereville Qqq"})
    assert bad.status_code == 422 and 'id="e-near"' in bad.text
    zero = web.get(f"/designs/{shield.id}", params={"quantity": "0"})
    assert zero.status_code == 422 and 'id="e-quantity"' in zero.text
    assert web.get("/designs/00000000-no-such-design").status_code == 404


def test_facility_page_shows_equipment_rates_and_provenance(
    web: TestClient, web_parties: WebParties
) -> None:
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


@pytest.fixture
def live_server(db: Database, web_settings: Settings) -> Iterator[str]:
    with serve_app(create_app(web_settings, db=db, run_jobs=False)) as url:
        yield url


@pytest.mark.browser
def test_3d_preview_draws_each_part_and_turns_and_zooms_in_chromium(
    live_server: str, web_parties: WebParties, db: Database, web_settings: Settings
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh", pytrace=False)
    from playwright.sync_api import sync_playwright

    shield = next(d for d in _library(db, web_settings) if d.name == "Face shield")
    own = urlsplit(live_server).netloc
    foreign: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "request",
                lambda r: (
                    foreign.append(r.url) if urlsplit(r.url).netloc not in (own, "") else None
                ),
            )
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server}/signin?next=/designs/{shield.id}")
            page.fill("input[name=email]", web_parties.buyer_email)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(f"**/designs/{shield.id}")
            page.wait_for_function(
                "() => [...document.querySelectorAll('canvas.part-preview')]"
                ".every(c => c.dataset.loaded)",
                timeout=60_000,
            )
            loaded = page.eval_on_selector_all(
                "canvas.part-preview", "cs => cs.map(c => c.dataset.loaded)"
            )
            assert len(loaded) == 2 and all(x != "error" and int(x) > 10 for x in loaded), loaded
            canvas = page.locator("canvas.part-preview").first
            canvas.scroll_into_view_if_needed()

            def view() -> dict[str, float]:
                data = canvas.evaluate("c => ({...c.dataset})")
                return {k: float(data[k]) for k in ("distance", "azimuth", "polar")}

            start = view()
            box = canvas.bounding_box()
            assert box is not None
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 120, y + 40, steps=8)
            page.mouse.up()
            turned = view()
            assert turned["azimuth"] != start["azimuth"], "dragging did not turn the part"
            page.mouse.wheel(0, -600)
            page.wait_for_function(
                f"() => +document.querySelector('canvas.part-preview').dataset.distance"
                f" < {turned['distance']}"
            )
            assert not errors, errors
        finally:
            browser.close()
    assert foreign == []
