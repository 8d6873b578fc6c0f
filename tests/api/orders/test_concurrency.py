"""Fifty clients race the same lot transition against a real HTTP server: one wins, the others
are told the lot moved on, and the audit chain still verifies."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from fabnet.server import create_app
from fabnet.services.orders import contracts, lots
from fabnet.services.orders.audit import verify_audit_chain

from .conftest import World, awarded_order

CLIENTS = 50


@pytest.fixture
def server_url(world: World) -> Iterator[str]:
    """The API served by uvicorn on 127.0.0.1 (a free port) over the world's database."""
    app = create_app(world.settings, db=world.db, run_jobs=False, web=False)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def test_fifty_clients_race_one_lot_transition(world: World, server_url: str) -> None:
    awarded = awarded_order(world)
    lot = awarded.lots[0]
    maker = world.maker_of(lot)
    barrier = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def accept() -> None:
        with httpx.Client(base_url=server_url, timeout=60) as client:
            barrier.wait()
            response = client.post(
                f"/v1/lots/{lot.id}/actions/accept",
                headers={**maker.headers, "If-Match": f'"v{lot.version}"'},
            )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=accept) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    counts = Counter(statuses)
    assert len(statuses) == CLIENTS
    assert counts[200] == 1, counts
    assert set(counts) <= {200, 409, 412}, counts
    after = lots.get_lot(world.db, maker.principal, lot.id)
    assert after.state.value == "ACCEPTED" and after.version == lot.version + 1
    history = lots.lot_history(world.db, maker.principal, lot.id)
    assert [t.action for t in history] == ["accept"]
    assert len(contracts.list_lot_contracts(world.db, maker.principal, lot.id)) == 1
    chain = verify_audit_chain(world.db)
    assert chain.ok, chain.reason
