"""The web interface in Debian's Chromium (Playwright for Python, never ``playwright install``).

A real uvicorn server over the test database; the buyer signs in and walks the library to a
design page. On every page: no request to another host, and axe-core finds no serious or critical
accessibility violation; at 360 px width nothing scrolls sideways. Screenshots go to a temporary
folder; ``FABNET_REFRESH_DOCS_IMAGES=1`` writes them to docs/img/ instead (the README's images),
so an ordinary test run never changes a tracked file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.web.browser_helpers import serve_app
from tests.web.conftest import CHROMIUM, PASSWORD, WebParties

from fabnet.demo.designs import manifest_paths
from fabnet.server import create_app
from fabnet.services.catalogue.designs import import_designs
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG = ROOT / "docs" / "img"
REFRESH_ENV = "FABNET_REFRESH_DOCS_IMAGES"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# Chromium is installed by scripts/setup.sh (the README test command), so its absence fails
# the set-up; it is never a reason to skip the browser checks.
pytestmark = [pytest.mark.browser]



@pytest.fixture
def live_url(db: Database, web_settings: Settings) -> Iterator[str]:
    with serve_app(create_app(web_settings, db=db, run_jobs=False)) as url:
        yield url


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: docs/img/ only when FABNET_REFRESH_DOCS_IMAGES=1 asks for it."""
    if os.environ.get(REFRESH_ENV) == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        return DOCS_IMG
    folder = tmp_path / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def _serious_violations(page: object) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document)).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(result)


def test_buyer_signs_in_and_browses_designs_with_no_foreign_request(
    live_url: str, web_parties: WebParties, db: Database, file_store: FileStore, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    import_designs(db, manifest_paths(), store=file_store)
    own_host = urlsplit(live_url).netloc
    foreign: list[str] = []
    shots = shots_dir(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            for width, height in ((1280, 900), (360, 740)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.on(
                    "request",
                    lambda r: (
                        foreign.append(r.url)
                        if urlsplit(r.url).netloc not in (own_host, "")
                        else None
                    ),
                )
                page.goto(f"{live_url}/designs")
                assert "/signin" in page.url
                assert _serious_violations(page) == []
                page.get_by_label("Email").fill(web_parties.buyer_email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{live_url}/designs")
                assert page.get_by_role("heading", name="Design library").is_visible()
                assert _serious_violations(page) == []
                page.get_by_label("Search").fill("shield")
                page.wait_for_function(
                    "() => !document.querySelector('#results').textContent.includes(' 0 of')"
                    " && document.querySelectorAll('#results li').length > 0"
                )
                if width == 1280:
                    page.screenshot(path=str(shots / "design-library.png"))
                page.locator("#results h2 a").first.click()
                page.wait_for_selector("#h-who")
                assert _serious_violations(page) == []
                scroll = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                assert scroll <= 1, f"the design page scrolls sideways at {width} px"
                if width == 1280:
                    page.screenshot(path=str(shots / "design-page.png"))
                page.keyboard.press("Tab")
                focused = page.evaluate("() => document.activeElement.textContent")
                assert "Skip to the content" in focused
                page.close()
        finally:
            browser.close()
    assert foreign == []
    assert (shots / "design-page.png").stat().st_size > 0
