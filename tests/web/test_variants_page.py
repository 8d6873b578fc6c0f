"""The variants page: the parameter form, a re-rendered preview, and the 3D view in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.browser_helpers import serve_app

from fabnet.demo.designs import DESIGNS_DIR
from fabnet.server import create_app
from fabnet.services.catalogue.designs import import_designs
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.web.assets import vendor_dir

from .conftest import PASSWORD, WebParties, csrf_of, sign_in

pytestmark = pytest.mark.usefixtures("openscad_cli")
CHROMIUM = "/usr/bin/chromium"


def _splint(db: Database, settings: Settings) -> str:
    tally = import_designs(
        db, [DESIGNS_DIR / "finger-splint" / "okh.toml"], store=open_file_store(settings)
    )
    return tally.created[0]


def test_form_and_preview(
    web: TestClient, web_parties: WebParties, db: Database, web_settings: Settings
) -> None:
    design_id = _splint(db, web_settings)
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/designs/{design_id}/variants")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'type="range"' in html and 'name="finger_diameter"' in html
    assert 'min="12.0" max="28.0"' in html and "<legend>Fit</legend>" in html
    token = csrf_of(html)
    answer = web.post(
        f"/designs/{design_id}/variants",
        data={"csrf_token": token, "finger_diameter": "16", "length": "52"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    assert "23.0 × " in answer.text and "data-stl=" in answer.text
    stl_url = answer.text.split('data-stl="')[1].split('"')[0]
    stl = web.get(stl_url)
    assert stl.status_code == 200 and len(stl.content) > 84
    bad = web.post(
        f"/designs/{design_id}/variants",
        data={"csrf_token": token, "finger_diameter": "99"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "maximum" in bad.text


@pytest.fixture
def live_server(db: Database, web_settings: Settings) -> Iterator[str]:
    with serve_app(create_app(web_settings, db=db, run_jobs=False)) as url:
        yield url


def test_sliders_rerender_the_3d_preview_in_chromium(
    live_server: str, web_parties: WebParties, db: Database, web_settings: Settings
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh", pytrace=False)
    if vendor_dir(web_settings) is None:
        pytest.fail("front-end packages missing: run npm ci (scripts/setup.sh)")
    from playwright.sync_api import sync_playwright

    design_id = _splint(db, web_settings)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server}/signin?next=/designs/{design_id}/variants")
        page.fill("input[name=email]", web_parties.buyer_email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(f"**/designs/{design_id}/variants")
        slider = page.locator("#p-finger_diameter")
        slider.fill("16")
        slider.dispatch_event("change")
        page.wait_for_selector("canvas.stl-preview[data-loaded]", timeout=60_000)
        first = page.get_attribute("canvas.stl-preview", "data-loaded")
        assert first is not None and first != "error" and int(first) > 100
        assert "23 × " in page.inner_text("#preview") or "23.0 × " in page.inner_text("#preview")
        assert page.inner_text("#o-finger_diameter") == "16"
        page.locator("#p-length").fill("40")
        page.locator("#p-length").dispatch_event("change")
        page.wait_for_function(
            "() => document.querySelector('#preview').innerText.includes('× 40')", timeout=60_000
        )
        page.wait_for_selector("canvas.stl-preview[data-loaded]", timeout=60_000)
        assert not errors, errors
        browser.close()


@pytest.mark.usefixtures("prusa_slicer_cli")
def test_makebuy_page(
    web: TestClient, web_parties: WebParties, db: Database, web_settings: Settings
) -> None:
    design_id = _splint(db, web_settings)
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/makebuy?design={design_id}")
    assert page.status_code == 200 and "Original Prusa MK4" in page.text
    token = csrf_of(page.text)
    form = {
        "csrf_token": token, "design": design_id, "printer": "prusa-mk4", "filament": "petg",
        "retail": "12.50", "electricity": "0.30", "failures": "0.10",
    }  # fmt: skip
    answer = web.post("/makebuy", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    assert "Home cost per unit" in answer.text and "you save" in answer.text
    pla = web.post("/makebuy", data={**form, "filament": "pla"}, headers={"HX-Request": "true"})
    assert "cannot make it" in pla.text and "needs petg" in pla.text
    bad = web.post("/makebuy", data={**form, "retail": "lots"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "retail must be a number" in bad.text
