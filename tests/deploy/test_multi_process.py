"""The deployment of docs/deploy.md, run as one: two ``fabnet serve`` processes and two
``fabnet worker`` processes on PostgreSQL and Redis; two buyers' orders driven at the same time,
each through another API process (planned as a job, awarded, accepted, funded, signed,
inspected, shipped, delivered); one worker killed with SIGKILL while it runs a plan job.

Afterwards: every job succeeded and ran to completion once (the killed worker's job was taken
over and made one plan), housekeeping ran once for both replicas, the ledger balances, the audit
chain verifies, and each buyer's webhook receiver got every event exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url
from tests.api.orders.conftest import ok, order_body
from tests.api.orders.test_journey_http import _make_inspect_and_deliver, _sign_and_fund
from tests.conftest import _DB_PREFIX, DEFAULT_POSTGRES_URL, _admin_conninfo
from tests.order_world import Member, World, build_world
from tests.webhook_receiver import Receiver, serve_receiver

from fabnet.domain.orders.ledger import escrow
from fabnet.jobs.housekeeping import HOUSEKEEPING_JOB
from fabnet.services.orders import payments
from fabnet.services.orders.plan_jobs import PLAN_JOB
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.jobs import JobRow, JobStatus
from fabnet.storage.plans import PlanRow
from fabnet.storage.webhooks import WebhookDeliveryRow

from .processes import Process, Processes, fabnet_processes

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "deploy-test-secret"
LEASE_SECONDS = 5.0
"""The job lease of every process: how soon a killed worker's job is taken over."""
QUANTITIES = (40, 45)
REDIS_DB = 11


@pytest.fixture
def postgres_url() -> Iterator[URL]:
    """A fresh, empty PostgreSQL database of this test (dropped afterwards)."""
    base = make_url(os.environ.get("FABNET_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    if base.drivername in ("postgresql", "postgres"):
        base = base.set(drivername="postgresql+psycopg")
    name = f"{_DB_PREFIX}deploy_{uuid.uuid4().hex[:8]}_{os.getpid()}"
    try:
        admin = psycopg.connect(_admin_conninfo(base), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {base.render_as_string(hide_password=True)} is unreachable "
            f"({exc}); start it (scripts/services.sh)",
            pytrace=False,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name)
    finally:
        with psycopg.connect(_admin_conninfo(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A cache folder of the test's processes (their matching indexes stay here) sharing the
    machine's built gazetteer, so no process spends 10 s building it."""
    from fabnet.geo._store import cache_dir as machine_cache
    from fabnet.geo.gazetteer import locate

    locate("Nairobi, KE")  # builds the machine's gazetteer on first use
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "gazetteer").symlink_to(machine_cache() / "gazetteer", target_is_directory=True)
    return folder


@dataclass
class Deployment:
    db: Database
    processes: Processes
    api_urls: list[str]
    workers: list[Process]
    world: World
    """The organisations of tests/api/orders (their ``client`` unused: each order has its own)."""
    receivers: list[Receiver]
    """One webhook receiver per order's buyer."""
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, n: int) -> httpx.Client:
        """A client of API process ``n`` (closed with the deployment)."""
        self.clients.append(httpx.Client(base_url=self.api_urls[n], timeout=60))
        return self.clients[-1]


def _load_world(db: Database, settings: Settings) -> World:
    """The shared order world (tests/order_world.py): its splint, five facilities, four
    manufacturers, two buyers (``buyer`` and ``stranger``), inspection bodies and the operator;
    users' keys sealed under the deployment's secret key."""
    return build_world(db, settings)


@pytest.fixture
def deployment(
    postgres_url: URL, redis_db: Callable[[int], str], cache_dir: Path, tmp_path: Path
) -> Iterator[Deployment]:
    url_text = postgres_url.render_as_string(hide_password=False)
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FABNET_")},
        "FABNET_DATABASE_URL": url_text,
        "FABNET_REDIS_URL": redis_db(REDIS_DB),
        "FABNET_JOB_BACKEND": "celery",
        "FABNET_DATA_DIR": str(data_dir),
        "FABNET_CACHE_DIR": str(cache_dir),
        "FABNET_SECRET_KEY": SECRET,
        "FABNET_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "FABNET_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    }
    settings = Settings(data_dir=data_dir, database_url=url_text, secret_key=SECRET)
    logs = tmp_path / "logs"
    logs.mkdir()
    with (
        fabnet_processes(env, logs) as processes,
        serve_receiver() as first,
        serve_receiver() as second,
    ):
        processes.run("db", "upgrade")
        db = Database(url_text)
        try:
            world = _load_world(db, settings)
            # One job at a time per worker: a worker running a plan job runs nothing else.
            workers = processes.workers("worker-1", "worker-2", args=("--concurrency", "1"))
            api_urls = processes.serve("api-1", "api-2")
            deployment = Deployment(db, processes, api_urls, workers, world, [first, second])
            yield deployment
            for client in deployment.clients:
                client.close()
        finally:
            db.dispose()
            for process in processes.started:  # shown by pytest when the test failed
                print(f"--- {process.name} ---\n{process.output()[-4000:]}")


@dataclass
class OrderRun:
    """One order driven through one API process, in a thread of its own."""

    world: World
    quantity: int
    planning: threading.Event
    subscription_id: str
    receiver: Receiver
    order_id: str = ""
    job_id: str = ""
    lot_ids: list[str] = field(default_factory=list)
    total_minor: int = 0
    error: BaseException | None = None

    def created(self) -> None:
        client, buyer = self.world.client, self.world.buyer
        body = order_body(self.quantity, name=f"{self.quantity} finger splints")
        self.order_id = ok(client.post("/v1/orders", json=body, headers=buyer.headers), 201)["id"]

    def finish(self) -> None:
        """Plan as a job (once ``planning`` is set), award, accept, fund and sign, then every
        lot through its prototype, production, inspection, shipping and delivery."""
        client, buyer = self.world.client, self.world.buyer
        assert self.planning.wait(120)
        started = client.post(
            f"/v1/orders/{self.order_id}/plan-jobs", json={}, headers=buyer.headers
        )
        self.job_id = ok(started, 202)["id"]
        job = _finished_job(client, started.headers["location"], buyer)
        assert job["status"] == "succeeded", job
        lots = ok(
            client.post(
                f"/v1/orders/{self.order_id}/award",
                json={"plan_id": job["result"]["plan_id"]},
                headers=buyer.headers,
            )
        )
        assert sum(lot["quantity"] for lot in lots) == self.quantity
        for lot in lots:
            accepted = client.post(
                f"/v1/lots/{lot['id']}/actions/accept",
                json={},
                headers=self.world.maker_of(lot).headers,
            )
            assert ok(accepted)["state"] == "ACCEPTED"
        self.lot_ids = [lot["id"] for lot in lots]
        self.total_minor = _sign_and_fund(self.world, self.order_id, self.lot_ids)
        for lot_id in self.lot_ids:
            _make_inspect_and_deliver(self.world, lot_id)

    def run(self) -> None:
        try:
            self.finish()
        except BaseException as exc:  # reported by the test's thread
            self.error = exc


def _finished_job(client: httpx.Client, url: str, member: Member) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job: dict[str, Any] = ok(client.get(url, headers=member.headers))
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job {url} did not finish")


def _jobs(db: Database) -> list[JobRow]:
    with db.read() as session:
        rows = list(session.scalars(select(JobRow)))
        session.expunge_all()
        return rows


def _wait_until_idle(db: Database, timeout: float = 60) -> None:
    """Until no job runs and none is due. A due housekeeping round is let wait: its message may
    have been held (until its time) by the killed worker, and is then sent again only after the
    sweeper's grace of 5 minutes."""
    deadline = time.monotonic() + timeout
    while True:
        now = utc_now()
        busy = [
            j
            for j in _jobs(db)
            if j.status == JobStatus.RUNNING
            or (
                j.status == JobStatus.QUEUED and j.next_run_at <= now and j.name != HOUSEKEEPING_JOB
            )
        ]
        if not busy:
            return
        assert time.monotonic() < deadline, [(j.name, j.status, j.attempts) for j in busy]
        time.sleep(0.1)


def _running_plan_job(db: Database, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as session:
            job_id = session.scalar(
                select(JobRow.id).where(JobRow.name == PLAN_JOB, JobRow.status == JobStatus.RUNNING)
            )
        if job_id is not None:
            return job_id
        time.sleep(0.01)
    raise AssertionError("no plan job started")


def test_two_api_processes_and_two_workers_survive_a_killed_worker(
    deployment: Deployment,
) -> None:
    dep = deployment
    planning = threading.Event()
    runs = []
    buyers = (dep.world.buyer, dep.world.stranger)
    for n, quantity, buyer, receiver in zip((0, 1), QUANTITIES, buyers, dep.receivers, strict=True):
        client = dep.client(n)
        world = replace(dep.world, client=client, buyer=buyer, stranger=dep.world.buyer)
        body = {"url": receiver.url, "event_types": ["*"]}
        created = ok(client.post("/v1/webhooks", json=body, headers=buyer.headers), 201)
        assert created["subscription"]["org_id"] == buyer.org_id
        runs.append(OrderRun(world, quantity, planning, created["subscription"]["id"], receiver))
    for run in runs:
        run.created()
    threads = [
        threading.Thread(target=run.run, name=f"order-{run.quantity}", daemon=True) for run in runs
    ]
    for thread in threads:
        thread.start()

    # Worker 2 pauses (SIGSTOP) while the plans are submitted, so the plan job that starts
    # first is on worker 1, which is then killed in the middle of it.
    killed, paused = dep.workers
    _wait_until_idle(dep.db)
    paused.signal_group(signal.SIGSTOP)
    try:
        planning.set()
        killed_job = _running_plan_job(dep.db)
        killed.kill()
    finally:
        paused.signal_group(signal.SIGCONT)
    with dep.db.read() as session:
        row = session.get(JobRow, killed_job)
        assert row is not None and row.status == JobStatus.RUNNING and row.attempts == 1

    for thread in threads:
        thread.join(timeout=150)
    assert not any(t.is_alive() for t in threads), "an order did not finish"
    for run in runs:
        if run.error is not None:
            raise run.error
    _wait_until_idle(dep.db)

    # Every job ran to completion once: the killed worker's plan job a second time, by the
    # worker that lived, and one plan per order was stored.
    jobs = _jobs(dep.db)
    rounds = sorted(
        (j for j in jobs if j.name == HOUSEKEEPING_JOB), key=lambda j: j.payload["period"]
    )
    jobs = [j for j in jobs if j.name != HOUSEKEEPING_JOB]
    by_name = Counter(j.name for j in jobs)
    assert by_name[PLAN_JOB] == 2 and by_name["webhooks.deliver"] > 20, by_name
    attempts = {j.id: j.attempts for j in jobs}
    assert attempts.pop(killed_job) == 2
    assert set(attempts.values()) == {1}, Counter(attempts.values())
    assert {j.status for j in jobs} == {JobStatus.SUCCEEDED}
    with dep.db.read() as session:
        query = select(PlanRow.order_id, func.count()).group_by(PlanRow.order_id)
        plans = {order_id: count for order_id, count in session.execute(query).tuples()}
    assert plans == {run.order_id: 1 for run in runs}

    # Housekeeping: both API processes queued the round of the period they started in; it is
    # one row and ran once. Each round queued the next period's, once.
    periods = [j.payload["period"] for j in rounds]
    assert periods == list(range(periods[0], periods[0] + len(periods))), periods
    ran = [j for j in rounds if j.attempts > 0]
    assert ran and ran[0].status == JobStatus.SUCCEEDED
    assert {j.attempts for j in ran} == {1}, [(j.status, j.attempts, j.payload) for j in rounds]
    assert any(j.status == JobStatus.QUEUED for j in rounds)

    # The ledger balances: every currency sums to zero, every escrow is empty.
    balances = payments.ledger_balances(dep.db)
    per_currency: dict[str, int] = defaultdict(int)
    for (_, currency), amount in balances.items():
        per_currency[currency] += amount
    assert per_currency == {"EUR": 0}
    for run in runs:
        assert all(balances.get((escrow(lot), "EUR"), 0) == 0 for lot in run.lot_ids)
        assert run.total_minor > 0

    # The audit chain, asked of the other API process than the one that made the first order.
    chain = ok(dep.client(1).get("/v1/audit/verification", headers=dep.world.operator.headers))
    assert chain["ok"] is True and chain["checked"] > 40, chain

    # Every webhook delivery reached its receiver exactly once: one POST per event, no retry.
    for run in runs:
        with dep.db.read() as session:
            deliveries = list(
                session.execute(
                    select(
                        WebhookDeliveryRow.event_id,
                        WebhookDeliveryRow.status,
                        WebhookDeliveryRow.attempts,
                    ).where(WebhookDeliveryRow.subscription_id == run.subscription_id)
                ).tuples()
            )
        assert {(status, n) for _, status, n in deliveries} == {("delivered", 1)}
        received = Counter(_event_id(r.body) for r in run.receiver.requests)
        assert set(received.values()) == {1}, received.most_common(3)
        assert set(received) == {event for event, _, _ in deliveries}
        kinds = Counter(_event_type(r.body) for r in run.receiver.requests)
        assert kinds["lot.confirm_delivery"] == len(run.lot_ids), kinds


def _event_id(body: bytes) -> str:
    return str(json.loads(body)["id"])


def _event_type(body: bytes) -> str:
    return str(json.loads(body)["type"])
