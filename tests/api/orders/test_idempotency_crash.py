"""An idempotent request whose server dies (SIGKILL) at the commit of its change (issue 15 item 6):
a retry with the same key gets the committed outcome, never a second effect, when the process
died just after the commit; and runs once the dead claim's short lease has run out, instead of a
409 for 24 hours, when it died just before. On SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import World, awarded_order, ok, order_body

SERVER = Path(__file__).with_name("crashing_server.py")
LEASE_S = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def crashing_server(world: World) -> Iterator[object]:
    """``start(moment)`` runs the crashing server over the world's database; yields its URL."""
    started: list[subprocess.Popen[bytes]] = []

    def start(moment: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = _free_port()
        env = {
            **os.environ,
            "FABNET_DATABASE_URL": world.db.url.render_as_string(hide_password=False),
            "FABNET_DATA_DIR": str(world.settings.data_dir),
            "FABNET_SECRET_KEY": world.settings.secret_key,
            "FABNET_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_S),
            "FABNET_JOB_BACKEND": "inprocess",
        }
        process = subprocess.Popen([sys.executable, str(SERVER), str(port), moment], env=env)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server did not start"
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    return url, process
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer /v1/health within 60 s")

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def _post_until_the_server_dies(
    url: str,
    process: subprocess.Popen[bytes],
    headers: dict[str, str],
    path: str = "/v1/orders",
    body: dict[str, object] | None = None,
) -> None:
    with pytest.raises(httpx.TransportError):  # the connection drops: no response at all
        httpx.post(f"{url}{path}", json=body or order_body(), headers=headers, timeout=60)
    assert process.wait(timeout=30) == -9


def _order_ids(world: World) -> list[str]:
    listed = ok(world.client.get("/v1/orders", headers=world.buyer.headers))
    return [o["id"] for o in listed["items"]]


def test_a_retry_after_a_crash_after_the_commit_replays_the_committed_outcome(
    world: World, crashing_server: object
) -> None:
    url, process = crashing_server("after_commit")  # type: ignore[operator]
    headers = {**world.buyer.headers, "Idempotency-Key": "order-crash-after-commit"}
    _post_until_the_server_dies(url, process, headers)
    committed = _order_ids(world)
    assert len(committed) == 1  # the change committed before the process died

    retry = world.client.post("/v1/orders", json=order_body(), headers=headers)
    assert ok(retry, 201)["id"] == committed[0]  # the real outcome, not a 409
    assert retry.headers["idempotent-replayed"] == "true"
    assert _order_ids(world) == committed  # and no second order


def test_a_retry_after_a_crash_before_the_commit_runs_once_the_lease_has_run_out(
    world: World, crashing_server: object
) -> None:
    url, process = crashing_server("before_commit")  # type: ignore[operator]
    headers = {**world.buyer.headers, "Idempotency-Key": "order-crash-before-commit"}
    _post_until_the_server_dies(url, process, headers)
    assert _order_ids(world) == []  # nothing committed

    # (while a claim's lease holds, the key answers 409: tests/services/platform/
    # test_idempotency_claims.py; here the claim was made before the crash, so it has run out)
    time.sleep(LEASE_S + 0.2)  # the dead claim's lease runs out (nobody renews it)
    retry = world.client.post("/v1/orders", json=order_body(), headers=headers)
    created = ok(retry, 201)
    assert "idempotent-replayed" not in retry.headers
    assert _order_ids(world) == [created["id"]]
    again = world.client.post("/v1/orders", json=order_body(), headers=headers)
    assert ok(again, 201)["id"] == created["id"] and again.headers["idempotent-replayed"] == "true"


def test_a_deposit_committed_before_a_crash_is_learnt_by_the_retry_and_not_paid_twice(
    world: World, crashing_server: object
) -> None:
    order_id = awarded_order(world).order_id
    url, process = crashing_server("after_commit")  # type: ignore[operator]
    headers = {**world.buyer.headers, "Idempotency-Key": "deposit-crash-after-commit"}
    path, body = f"/v1/orders/{order_id}/funding", {"amount_minor": 1000, "reference": "bank-1"}
    _post_until_the_server_dies(url, process, headers, path, body)

    retry = world.client.post(path, json=body, headers=headers)
    funding = ok(retry)
    assert retry.headers["idempotent-replayed"] == "true"
    assert [tx["kind"] for tx in funding["transactions"]] == ["deposit"]
    ledger = ok(world.client.get(f"/v1/orders/{order_id}/ledger", headers=world.buyer.headers))
    assert ledger["transactions"] == funding["transactions"]  # the one deposit: paid once
