"""The request guard: route, token, scope and size are settled before the body is read.

The app is driven as raw ASGI so the tests see exactly how many body bytes the server pulled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from fastapi import FastAPI

from fabnet.server import create_app
from fabnet.settings import Settings
from fabnet.storage.db import Database

from .conftest import Parties

CHUNK = 64 * 1024


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks_read: int = 0
    bytes_read: int = 0

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        size = min(CHUNK, total - sent)
        sent += size
        yield b"x" * size


def call(
    app: FastAPI,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    body_bytes: int,
    declare_length: bool = True,
) -> Exchange:
    """Send ``body_bytes`` of body (in 64 KiB chunks, lazily) and record what was read."""
    exchange = Exchange()
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if declare_length:
        raw_headers.append((b"content-length", str(body_bytes).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": raw_headers, "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }  # fmt: skip
    source = _chunks(body_bytes)
    pending = next(source, None)

    async def receive() -> dict[str, Any]:
        nonlocal pending
        if pending is None:
            return {"type": "http.disconnect"}
        chunk, pending = pending, next(source, None)
        exchange.chunks_read += 1
        exchange.bytes_read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = message["status"]
            exchange.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")

    anyio.run(app, scope, receive, send)
    return exchange


@pytest.fixture
def app(db: Database, api_settings: Settings) -> FastAPI:
    return create_app(api_settings, db=db, run_jobs=False, web=False)


GIB = 1024**3


def _auth(token: str, key: str | None = "guard-key-1") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_an_unknown_path_answers_404_without_reading_the_body(
    app: FastAPI, parties: Parties
) -> None:
    answer = call(app, "POST", "/v1/nowhere", headers=_auth(parties.reader), body_bytes=GIB)
    assert answer.status == 404
    assert answer.bytes_read == 0


def test_a_read_token_on_a_write_route_is_refused_before_the_body(
    app: FastAPI, parties: Parties
) -> None:
    answer = call(app, "POST", "/v1/files", headers=_auth(parties.reader), body_bytes=GIB)
    assert answer.status == 403
    assert answer.bytes_read == 0
    assert answer.headers["content-type"] == "application/problem+json"


def test_no_token_is_refused_before_the_body(app: FastAPI) -> None:
    headers = {"Idempotency-Key": "k", "Content-Type": "application/json"}
    answer = call(app, "POST", "/v1/orders", headers=headers, body_bytes=GIB)
    assert answer.status == 401
    assert answer.bytes_read == 0
    assert "WWW-Authenticate".lower() in answer.headers


def test_a_declared_length_over_the_route_limit_answers_413_at_once(
    app: FastAPI, parties: Parties, api_settings: Settings
) -> None:
    answer = call(app, "POST", "/v1/files", headers=_auth(parties.writer), body_bytes=GIB)
    assert answer.status == 413
    assert answer.bytes_read == 0
    assert "bytes this route accepts" in answer.json["detail"]
    # A JSON route's limit is max_request_bytes, far below the upload limit.
    over = api_settings.max_request_bytes + 1
    answer = call(app, "POST", "/v1/orders", headers=_auth(parties.writer), body_bytes=over)
    assert answer.status == 413
    assert answer.bytes_read == 0


@pytest.mark.parametrize("key", ["guard-stream-key", None], ids=["idempotent", "plain"])
def test_a_streamed_body_stops_at_the_limit(
    app: FastAPI, parties: Parties, api_settings: Settings, key: str | None
) -> None:
    answer = call(
        app, "POST", "/v1/orders", headers=_auth(parties.writer, key), body_bytes=GIB,
        declare_length=False,
    )  # fmt: skip
    assert answer.status == 413
    assert answer.bytes_read <= api_settings.max_request_bytes + CHUNK
    assert answer.json["title"] == "Request body too large"


def test_a_small_body_still_reaches_the_route(app: FastAPI, parties: Parties) -> None:
    answer = call(app, "POST", "/v1/orders", headers=_auth(parties.writer), body_bytes=10)
    assert answer.status == 422  # "xxxxxxxxxx" is not JSON: the route saw it
    assert answer.bytes_read == 10


def test_405_names_every_method_of_the_path(app: FastAPI, parties: Parties) -> None:
    answer = call(
        app, "DELETE", "/v1/orgs/some-org", headers=_auth(parties.reader, None), body_bytes=0
    )
    assert answer.status == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH"}
    answer = call(app, "PUT", "/v1/tokens", headers=_auth(parties.reader, None), body_bytes=0)
    assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_an_empty_cursor_means_the_first_page(app: FastAPI, parties: Parties) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        answer = client.get("/v1/designs?cursor=", headers=Parties.auth(parties.reader))
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == []
