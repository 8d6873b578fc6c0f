"""Helpers of the browser tests: a real uvicorn server for an app, signing in with any password
(the demo world's sign-ins), and watching every page of a browser context for foreign requests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI


@contextmanager
def serve_app(app: FastAPI, *, start_timeout_s: float = 20.0) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free local port in a thread; yields its base URL and stops
    the server afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in_page(page: object, live_url: str, email: str, password: str, target: str) -> None:
    """Open ``target``, which asks for the sign-in, sign in, and wait to be back at ``target``."""
    page.goto(f"{live_url}{target}")  # type: ignore[attr-defined]
    assert "/signin" in page.url, page.url  # type: ignore[attr-defined]
    page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_url}{target}")  # type: ignore[attr-defined]


def watch_foreign(context: object, live_url: str, foreign: list[str]) -> None:
    """Append to ``foreign`` the URL of every request a page of ``context`` sends to a host
    other than the app's."""
    own_host = urlsplit(live_url).netloc
    context.on(  # type: ignore[attr-defined]
        "request",
        lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (own_host, "") else None,
    )
