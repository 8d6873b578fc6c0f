#!/usr/bin/env python3
"""Make the user guide's screenshots (docs/img/<role>-<page>.png) from a fresh demo world.

    FABNET_DATA_DIR=/tmp/fabnet-shots .venv/bin/python scripts/screenshots.py [--out docs/img]

Steps: build the demo world in the data folder (FABNET_DATA_DIR; without it, a temporary folder
that is removed afterwards) as ``fabnet demo`` does: the facilities, the demo designs, the East
Africa order story (every lot delivered and paid) and one sign-in per role. Then a second round
of the same order is planned over the onboarded facilities and awarded, so the manufacturers'
job boards show open invitations. The app is served in-process by uvicorn on a free local port
and Debian's Chromium (``/usr/bin/chromium``, driven by Playwright for Python; never
``playwright install``) signs in once per role, in its own browser context, and takes viewport
screenshots (1280x800; the job board also at 390x844), waiting for every map to be drawn.

The data folder gets a demo database: a folder holding a database that a demo did not make is
refused (as by ``fabnet demo``), an earlier demo there is replaced.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page

    from fabnet.services.demo.signins import DemoSignIn
    from fabnet.services.demo.story import StoryReport
    from fabnet.settings import Settings
    from fabnet.storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SECOND_ROUND = " (second round)"


@dataclass(frozen=True)
class World:
    """What the screenshots need to know about the demo world."""

    signins: list[DemoSignIn]
    story: StoryReport
    second_order_id: str
    maker: DemoSignIn
    """The manufacturer whose pages are shown: one with invitations of the second round."""
    inspected_lot_id: str
    """Its lot of the second round that waits for the inspector."""


def log(message: str) -> None:
    print(f"screenshots: {message}", file=sys.stderr, flush=True)


# --- the demo world ------------------------------------------------------------------------------


def build_world(db: Database, settings: Settings) -> World:
    """The story, the sign-ins and an awarded second round of the order on ``db``, a fresh
    demo world (:func:`fabnet.services.demo.demo.create_demo`)."""
    from fabnet.services.demo.signins import add_demo_signins
    from fabnet.services.demo.story import run_story
    from fabnet.services.platform.database import open_file_store

    log("running the East Africa order story")
    report = run_story(
        db, open_file_store(settings), on_step=lambda s: log(f"  {s.name}: {s.detail}")
    )
    signins = add_demo_signins(db, settings)
    second = award_second_round(db, report, signins)
    maker, lot_id = advance_one_lot(db, settings, signins, second)
    return World(signins, report, second, maker, lot_id)


def award_second_round(db: Database, report: StoryReport, signins: list[DemoSignIn]) -> str:
    """Order the story's goods again, plan it over the facilities whose manufacturers are on the
    platform and award it: every lot is an open invitation on a job board."""
    from fabnet.domain.orders.states import OrderAction
    from fabnet.services.demo.story import load_story_order
    from fabnet.services.orders import orders
    from fabnet.storage.facilities import FacilityRepository

    buyer = principal_of(db, signin_of(signins, "buyer").email)
    onboarded = {lot.facility_id for lot in orders.list_lots(db, buyer, report.order_id)}
    with db.read() as session:
        every = {f.id for f in FacilityRepository(session).all_facilities()}
    spec = load_story_order()
    spec = spec.model_copy(update={"name": spec.name + SECOND_ROUND})
    terms = orders.get_order(db, buyer, report.order_id).terms  # the story's delivery terms
    order = orders.create_order(db, buyer, spec, terms=terms)
    orders.act_on_order(db, buyer, order.id, OrderAction.SPECIFY)
    log("planning and awarding a second round of the order")
    summary = orders.plan(db, buyer, order.id, exclude_facility_ids=sorted(every - onboarded))
    invited = orders.award(db, buyer, order.id, summary.plan_id)
    log(f"  {len(invited)} lots invited")
    return order.id


def advance_one_lot(
    db: Database, settings: Settings, signins: list[DemoSignIn], order_id: str
) -> tuple[DemoSignIn, str]:
    """Take one invitation of a demo manufacturer that has several as far as the inspection:
    accepted, funded, contract signed, first article approved by the inspector (delegated),
    produced and submitted. Returns that manufacturer and the lot."""
    from fabnet.domain.orders.states import LotAction, LotState
    from fabnet.services.orders import contracts, inspections, lots, orders, payments
    from fabnet.services.platform.database import open_file_store
    from fabnet.services.platform.files import store_bytes

    buyer = principal_of(db, signin_of(signins, "buyer").email)
    inspector = principal_of(db, signin_of(signins, "inspector").email)
    invited = [
        lot for lot in orders.list_lots(db, buyer, order_id) if lot.state is LotState.INVITED
    ]
    makers = [s for s in signins if s.role == "manufacturer"]
    chosen = next(
        (
            m
            for m in makers
            if sum(lot.facility_id in facilities_of(db, m.email) for lot in invited) > 1
        ),
        makers[0],
    )
    mine = [lot for lot in invited if lot.facility_id in facilities_of(db, chosen.email)]
    if not mine:
        raise RuntimeError(f"{chosen.email} has no invitation in the second round")
    lot = mine[0]
    maker = principal_of(db, chosen.email)
    log(f"  {chosen.email} accepts lot {lot.id[:8]} and takes it to the inspection")
    lots.accept_lot(db, maker, lot.id)
    payments.fund_order(
        db, buyer, order_id, lot.quantity * lot.unit_price_minor, reference="screenshots-0001"
    )
    for contract in contracts.list_lot_contracts(db, buyer, lot.id):
        contracts.sign_contract(db, buyer, contract.id)
        contracts.sign_contract(db, maker, contract.id)
    store = open_file_store(settings)
    photo, review = (
        store_bytes(db, store, f"screenshots {name}".encode(), original_name=f"{name}.txt").sha256
        for name in ("first-article-photo", "first-article-review")
    )
    inspections.assign_inspector(db, buyer, lot.id, inspector.org_id)
    lots.delegate_prototype_approval(db, buyer, lot.id)
    lots.submit_prototype(db, maker, lot.id, [photo])
    lots.review_prototype(db, inspector, lot.id, approve=True, evidence_sha256=[review])
    lots.act_on_lot(db, maker, lot.id, LotAction.START_PRODUCTION)
    lots.act_on_lot(db, maker, lot.id, LotAction.SUBMIT_FOR_INSPECTION)
    return chosen, lot.id


def signin_of(signins: list[DemoSignIn], role: str, index: int = 0) -> DemoSignIn:
    return [s for s in signins if s.role == role][index]


def principal_of(db: Database, email: str) -> Any:
    from fabnet.services.orders.orders import principal_for_user
    from fabnet.storage.identity import IdentityRepository

    with db.read() as session:
        user = IdentityRepository(session).user_row_by_email(email)
        assert user is not None, email
        user_id = user.id
    return principal_for_user(db, user_id)


# --- serving and browsing ------------------------------------------------------------------------


@contextmanager
def serve_app(app: FastAPI, *, start_timeout_s: float = 20.0) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free local port in a thread; yield its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Shooter:
    """One signed-in browser context per role; saves viewport screenshots into ``out``."""

    def __init__(self, browser: Browser, base: str, out: Path) -> None:
        self.browser, self.base, self.out = browser, base, out
        self.saved: list[Path] = []
        self.problems: list[str] = []

    @contextmanager
    def signed_in(
        self, signin: DemoSignIn, viewport: dict[str, int] | None = None
    ) -> Iterator[Page]:
        context = self.browser.new_context(
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            locale="en-GB",
            timezone_id="UTC",
            reduced_motion="reduce",
        )
        try:
            page = context.new_page()
            page.goto(f"{self.base}/signin")
            page.get_by_label("Email").fill(signin.email)
            page.get_by_label("Password").fill(signin.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{self.base}/")
            yield page
        finally:
            context.close()

    def open(self, page: Page, path: str) -> None:
        answer = page.goto(f"{self.base}{path}")
        if answer is None or answer.status >= 400:
            status = "no answer" if answer is None else answer.status
            self.problems.append(f"{path}: HTTP {status}")
        page.wait_for_load_state("networkidle")
        for box in page.locator("[data-flow-map], [data-facilities-map]").all():
            box.scroll_into_view_if_needed()
            page.wait_for_function(
                "el => el.hasAttribute('data-ready')", arg=box.element_handle(), timeout=30_000
            )
            if box.get_attribute("data-ready") != "true":
                self.problems.append(
                    f"{path}: a map was not drawn ({box.get_attribute('data-ready')})"
                )
        page.evaluate("() => window.scrollTo(0, 0)")

    def shot(self, page: Page, name: str, *, at: str | None = None) -> None:
        """Save the viewport as ``name``.png, scrolled so that the element ``at`` is on top."""
        if at is not None:
            target = page.locator(at).first
            target.wait_for()
            target.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)  # let Leaflet settle after a scroll
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=False, animations="disabled")
        self.saved.append(path)
        log(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def take_screenshots(shooter: Shooter, world: World, db: Database) -> None:
    story = world.story
    signins = world.signins

    log("buyer")
    with shooter.signed_in(signin_of(signins, "buyer")) as page:
        shooter.open(page, f"/orders/{story.order_id}")
        shooter.shot(page, "buyer-order-dashboard")
        shooter.shot(page, "buyer-order-map", at="#lot-map")
        shooter.shot(page, "buyer-order-lots", at="#h-lots")
        shooter.open(page, f"/orders/{world.second_order_id}")
        shooter.shot(page, "buyer-order-escrow", at="#escrow")
        shooter.open(page, f"/orders/{story.order_id}/plans/{story.plan_id}")
        shooter.shot(page, "buyer-plan-page")

    log("manufacturer")
    maker = world.maker
    with shooter.signed_in(maker) as page:
        shooter.open(page, "/jobs")
        shooter.shot(page, "manufacturer-job-board")
        shooter.shot(page, "manufacturer-job-board-lots", at="#h-mylots")
        shooter.open(page, f"/jobs/lots/{world.inspected_lot_id}")
        shooter.shot(page, "manufacturer-lot")
    with shooter.signed_in(maker, PHONE) as page:
        shooter.open(page, "/jobs")
        shooter.shot(page, "manufacturer-job-board-phone")

    log("inspector")
    with shooter.signed_in(signin_of(signins, "inspector")) as page:
        shooter.open(page, "/inspections")
        shooter.shot(page, "inspector-inspections")
        shooter.open(page, f"/inspections/{open_inspection(db, world)}")
        shooter.shot(page, "inspector-inspection")

    log("licensor")
    with shooter.signed_in(signin_of(signins, "licensor")) as page:
        shooter.open(page, "/licensor")
        shooter.shot(page, "licensor-licensing")

    log("platform admin")
    with shooter.signed_in(signin_of(signins, "platform admin")) as page:
        shooter.open(page, "/admin/facilities")
        shooter.shot(page, "admin-facilities-onboarding")
        shooter.open(page, "/admin/audit")
        shooter.shot(page, "admin-audit")


def open_inspection(db: Database, world: World) -> str:
    """The open inspection of the lot waiting for the inspector."""
    from fabnet.services.orders import inspections

    inspector = principal_of(db, signin_of(world.signins, "inspector").email)
    tasks = inspections.lot_inspections(db, inspector, world.inspected_lot_id)
    return next(t.id for t in tasks if t.status == "open")


def facilities_of(db: Database, email: str) -> set[str]:
    from fabnet.storage.identity import IdentityRepository

    with db.read() as session:
        repo = IdentityRepository(session)
        user = repo.user_row_by_email(email)
        assert user is not None, email
        org = repo.organisation_row(user.org_id)
        assert org is not None, user.org_id
        return set(org.facility_ids)


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img",
                        help="where the PNG files go (default: docs/img)")  # fmt: skip
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: run scripts/setup.sh", file=sys.stderr)
        return 2
    given = os.environ.get("FABNET_DATA_DIR")
    data_dir = Path(given) if given else Path(tempfile.mkdtemp(prefix="fabnet-screenshots-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        return run(data_dir, out)
    finally:
        if not given:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(data_dir: Path, out: Path) -> int:
    from playwright.sync_api import sync_playwright

    from fabnet.server import create_app
    from fabnet.settings import Settings
    from fabnet.storage.db import Database

    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'fabnet.db'}",
        secret_key="fabnet-screenshots",
        web_tile_url=None,
    )
    from fabnet.services.demo.demo import create_demo
    from fabnet.services.platform.database import open_file_store

    log(f"building the demo world (facilities and designs) in {data_dir}")
    create_demo(settings.resolved_database_url, store=open_file_store(settings))
    db = Database(settings.resolved_database_url)
    try:
        world = build_world(db, settings)
        with serve_app(create_app(settings, db=db, run_jobs=False)) as base, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            try:
                shooter = Shooter(browser, base, out)
                take_screenshots(shooter, world, db)
            finally:
                browser.close()
    finally:
        db.dispose()
    log(f"{len(shooter.saved)} screenshots in {out}")
    for problem in shooter.problems:
        log(f"problem: {problem}")
    return 1 if shooter.problems else 0


if __name__ == "__main__":
    sys.exit(main())
