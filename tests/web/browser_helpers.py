"""Helpers of the browser tests that sign in with other passwords than tests/web/conftest.py's
(the demo world's sign-ins) and watch every page of a browser context for foreign requests."""

from __future__ import annotations

from urllib.parse import urlsplit


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
