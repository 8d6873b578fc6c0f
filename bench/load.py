"""The API under load (issue 15): req/s, p50 and p99 of typical calls against a served fabnet.

    python bench/load.py [--duration 10] [--clients 8] [--ledger 100000] [--out FILE]

Sets up a fresh PostgreSQL database (``fabnet_load_<random>`` on ``--postgres``, dropped
afterwards), runs ``fabnet db upgrade``, loads the order world of the tests
(``tests/order_world.py``: a buyer, four manufacturers, the finger splint), creates orders (60
drafts for the list, planned and awarded orders whose INVITED lots the makers accept) and starts
``uvicorn --factory fabnet.server:serve_app --workers 2`` on that database. Then, for
``--duration`` seconds each, ``--clients`` concurrent clients (threads spread over
``--procs`` processes, one keep-alive connection each) drive:

- ``health``: GET /v1/health
- ``lot``: GET /v1/lots/{id} (the buyer)
- ``orders``: GET /v1/orders?limit=50 (the buyer, 60 orders visible)
- ``transition``: POST /v1/lots/{id}/actions/accept (each maker accepting its INVITED lots, one
  lot per request, until the prepared lots run out or the time is up)
- ``deposit``: POST /v1/orders/{id}/funding (the buyer; each client its own order, a new
  reference per request)
- ``deposit@N``: the same after N more ledger transactions (deposits of other organisations for
  other orders, inserted in bulk straight into the ledger tables; no audit events for them),
  then ``ANALYZE`` of the ledger tables as autovacuum would soon do (``--no-analyze``: not).

The code served is the one ``PYTHONPATH`` points at (so ``PYTHONPATH=/work/main/src`` measures
another checkout with the same script). Prints a table and writes JSON lines (one per scenario)
to ``--out``. The load generator runs on the same machine and takes CPU from the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.order_world

import psycopg  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class Scenario:
    name: str
    requests: list[list[Request]]
    """One list per client: the client cycles through it (``once``: each used once)."""
    once: bool = False
    fresh_body: bool = False
    """A new payment reference in every body (deposits)."""


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "scenario": self.name,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "req_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(_quantile(lat, 0.50), 1),
            "p99_ms": round(_quantile(lat, 0.99), 1),
            "max_ms": round(lat[-1], 1) if lat else 0.0,
            "statuses": self.statuses,
        }


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


# --- the load driver --------------------------------------------------------------------------


def _client(
    port: int, requests: list[Request], once: bool, fresh: bool, start: float, stop: float
) -> tuple[list[float], dict[str, int], int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    while time.time() < start:
        time.sleep(0.001)
    i = 0
    while time.time() < stop and requests:
        if once and i >= len(requests):
            break
        req = requests[i % len(requests)]
        i += 1
        body = req.body
        if fresh and body is not None:
            body = body.replace(b"@REF@", uuid.uuid4().hex.encode())
        t0 = time.perf_counter()
        try:
            conn.request(req.method, req.path, body=body, headers=req.headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        latencies.append((time.perf_counter() - t0) * 1000)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if not 200 <= status < 300:
            errors += 1
    conn.close()
    return latencies, statuses, errors


def _proc(
    port: int,
    batch: list[list[Request]],
    once: bool,
    fresh: bool,
    start: float,
    stop: float,
    out: Any,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(batch)) as pool:
        done = list(pool.map(lambda r: _client(port, r, once, fresh, start, stop), batch))
    out.put(done)


def drive(port: int, scenario: Scenario, duration: float, procs: int) -> Result:
    clients = scenario.requests
    batches = [clients[i::procs] for i in range(procs) if clients[i::procs]]
    queue: Any = mp.get_context("fork").Queue()
    start = time.time() + 0.5
    stop = start + duration
    workers = [
        mp.get_context("fork").Process(
            target=_proc,
            args=(port, b, scenario.once, scenario.fresh_body, start, stop, queue),
        )
        for b in batches
    ]
    for w in workers:
        w.start()
    parts = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    ended = min(time.time(), stop)
    result = Result(scenario.name, 0, 0, 0.0)
    for part in parts:
        for latencies, statuses, errors in part:
            result.latencies_ms.extend(latencies)
            result.requests += len(latencies)
            result.errors += errors
            for key, n in statuses.items():
                result.statuses[key] = result.statuses.get(key, 0) + n
    # a "once" scenario may run out of work before the time is up
    result.seconds = duration if not scenario.once else _once_seconds(result, start, ended)
    return result


def _once_seconds(result: Result, start: float, ended: float) -> float:
    return max(0.001, ended - start)


# --- set-up -----------------------------------------------------------------------------------


@contextmanager
def fresh_database(base_url: str) -> Iterator[str]:
    base = make_url(base_url)
    name = f"fabnet_load_{uuid.uuid4().hex[:8]}"
    admin = _conninfo(base)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(url: Any) -> str:
    parts = [
        f"host={url.host or '127.0.0.1'}",
        f"port={url.port or 5432}",
        f"user={url.username or 'postgres'}",
        "dbname=postgres",
    ]
    if url.password:
        parts.append(f"password={url.password}")
    return " ".join(parts)


@dataclass
class Prepared:
    buyer_headers: dict[str, str]
    lot_id: str
    deposit_orders: list[str]
    invited: list[tuple[str, dict[str, str]]]
    """(lot id, the maker's headers) of every INVITED lot."""


def prepare(env: dict[str, str], *, awarded: int, clients: int) -> Prepared:
    """The order world, 60 draft orders, ``awarded`` planned and awarded orders."""
    os.environ.update(env)
    from tests.api.orders.conftest import order_body
    from tests.order_world import build_world

    from fabnet.services.orders import OrderTerms, orders
    from fabnet.settings import Settings
    from fabnet.standards.order_file import OrderSpec
    from fabnet.storage.db import Database

    settings = Settings()
    db = Database(settings.resolved_database_url)
    world = build_world(db, settings)
    buyer = world.buyer.principal

    def new_order(name: str) -> str:
        body = order_body(name=name)
        terms = OrderTerms.model_validate(body.pop("terms"))
        return orders.create_order(db, buyer, OrderSpec.model_validate(body), terms=terms).id

    drafts = [new_order(f"Splints {i}") for i in range(60)]
    invited: list[tuple[str, dict[str, str]]] = []
    t0 = time.perf_counter()
    for i in range(awarded):
        order_id = new_order(f"Awarded splints {i}")
        orders.act_on_order(db, buyer, order_id, "specify")
        plan = orders.plan(db, buyer, order_id)
        for lot in orders.award(db, buyer, order_id, plan.plan_id):
            invited.append((lot.id, world.maker_of(lot).headers))
    print(
        f"set-up: {awarded} orders planned and awarded in {time.perf_counter() - t0:.1f} s, "
        f"{len(invited)} INVITED lots",
        file=sys.stderr,
    )
    lot_id = invited[-1][0] if invited else ""
    db.dispose()
    return Prepared(world.buyer.headers, lot_id, drafts[:clients], invited)


def seed_ledger(database_url: str, count: int, start: int, *, analyze: bool = True) -> None:
    """``count`` deposits of other organisations for other orders, inserted in bulk (balanced
    postings: external -> cash of a made-up organisation; 100 organisations, 1,000 orders),
    then ``ANALYZE`` of the two ledger tables unless ``analyze`` is false."""
    from sqlalchemy import create_engine

    from fabnet.storage.ledger import LedgerPostingRow, LedgerTransactionRow

    engine = create_engine(database_url)
    batch = 5000
    with engine.begin() as conn:
        for first in range(start, start + count, batch):
            txs, postings = [], []
            for n in range(first, min(first + batch, start + count)):
                tx_id = f"seed-deposit-{n}"
                org = f"seed-org-{n % 100}"
                txs.append(
                    {
                        "id": tx_id,
                        "kind": "deposit",
                        "memo": f"seed {n}",
                        "order_id": f"seed-order-{n % 1000}",
                        "lot_id": None,
                        "trigger": None,
                    }
                )
                postings.append(
                    {
                        "transaction_id": tx_id,
                        "account": "external",
                        "amount": -1000,
                        "currency": "EUR",
                    }
                )
                postings.append(
                    {
                        "transaction_id": tx_id,
                        "account": f"cash:{org}",
                        "amount": 1000,
                        "currency": "EUR",
                    }
                )
            conn.execute(insert(LedgerTransactionRow), txs)
            conn.execute(insert(LedgerPostingRow), postings)
    if analyze:  # what autovacuum does soon after such growth; without it the planner
        with engine.begin() as conn:  # keeps the statistics of a near-empty ledger
            conn.exec_driver_sql("ANALYZE ledger_transactions")
            conn.exec_driver_sql("ANALYZE ledger_postings")
    engine.dispose()


@contextmanager
def served(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "fabnet.server:serve_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while not _healthy(port):
            if popen.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        # every worker answers: a few requests on new connections
        for _ in range(20):
            _healthy(port)
        yield
    finally:
        with suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGTERM)
        try:
            popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(timeout=20)


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/v1/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", default=os.environ.get("FABNET_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--procs", type=int, default=2, help="load-generator processes")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument(
        "--awarded",
        type=int,
        default=40,
        help="orders planned and awarded (3 INVITED lots each) to accept",
    )
    parser.add_argument(
        "--ledger",
        type=int,
        nargs="*",
        default=[10_000, 100_000],
        help="ledger sizes (cumulative seeded transactions) to re-run deposits at",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="leave the planner statistics stale after seeding the ledger",
    )
    parser.add_argument("--only", default="", help="comma-separated scenarios")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}

    def wanted(name: str) -> bool:
        return not only or name.split("@")[0] in only

    folder = Path(tempfile.mkdtemp(prefix="fabnet-load-"))
    records: list[dict[str, Any]] = []
    with fresh_database(args.postgres) as url:
        env = {
            **os.environ,
            "FABNET_DATABASE_URL": url,
            "FABNET_DATA_DIR": str(folder / "data"),
            "FABNET_SECRET_KEY": "load-bench-secret",
        }
        subprocess.run(
            [sys.executable, "-m", "fabnet.cli.main", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
        ctx = mp.get_context("fork")
        with ctx.Pool(1) as pool:  # the world in a child: the driver stays small
            prepared: Prepared = pool.apply(
                prepare,
                (env,),
                {"awarded": args.awarded if wanted("transition") else 1, "clients": args.clients},
            )
        port = _free_port()
        buyer = {**prepared.buyer_headers, "Content-Type": "application/json"}
        scenarios: list[Scenario] = [
            Scenario("health", [[Request("GET", "/v1/health", {})]] * args.clients),
            Scenario(
                "lot", [[Request("GET", f"/v1/lots/{prepared.lot_id}", buyer)]] * args.clients
            ),
            Scenario("orders", [[Request("GET", "/v1/orders?limit=50", buyer)]] * args.clients),
        ]
        lots = [
            Request(
                "POST",
                f"/v1/lots/{lot}/actions/accept",
                {**headers, "Content-Type": "application/json"},
                b"{}",
            )
            for lot, headers in prepared.invited
        ]
        scenarios.append(
            Scenario(
                "transition", [lots[i :: args.clients] for i in range(args.clients)], once=True
            )
        )
        deposit_body = b'{"amount_minor": 100, "reference": "load-@REF@"}'

        def deposits(name: str) -> Scenario:
            return Scenario(
                name,
                [
                    [Request("POST", f"/v1/orders/{o}/funding", buyer, deposit_body)]
                    for o in prepared.deposit_orders
                ],
                fresh_body=True,
            )

        scenarios.append(deposits("deposit"))
        with served(env, port, args.workers, folder / "server.log"):
            for scenario in scenarios:
                if not wanted(scenario.name):
                    continue
                records.append(_run(port, scenario, args))
            seeded = 0
            for size in args.ledger if wanted("deposit") else []:
                t0 = time.perf_counter()
                seed_ledger(url, size - seeded, seeded, analyze=not args.no_analyze)
                print(
                    f"seeded the ledger to {size} transactions in {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                )
                seeded = size
                records.append(_run(port, deposits(f"deposit@{size}"), args))
    meta = {
        "label": args.label,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "clients": args.clients,
        "workers": args.workers,
        "duration_s": args.duration,
        "pythonpath": os.environ.get("PYTHONPATH", ""),
    }
    print(
        f"\n{args.label or 'run'}: {meta['machine']}; {args.clients} clients, "
        f"{args.workers} workers, {args.duration:.0f} s per scenario"
    )
    print(f"{'scenario':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  load")
    for r in records:
        print(
            f"{r['scenario']:<16}{r['req_per_s']:>9.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['errors']:>8}  {r['load_average']}"
        )
    if args.out:
        with args.out.open("a") as out:
            for r in records:
                out.write(json.dumps({**meta, **r}) + "\n")
    return 0


def _run(port: int, scenario: Scenario, args: argparse.Namespace) -> dict[str, Any]:
    # warm-up (connections, caches), not counted; a "once" scenario has no work to spare
    if not scenario.once:
        drive(port, scenario, min(2.0, args.duration / 4), args.procs)
    result = drive(port, scenario, args.duration, args.procs)
    record = result.record()
    record["load_average"] = round(os.getloadavg()[0], 1)
    if scenario.once:
        record["prepared"] = sum(len(r) for r in scenario.requests)
    print(json.dumps(record), file=sys.stderr)
    return record


if __name__ == "__main__":
    raise SystemExit(main())
