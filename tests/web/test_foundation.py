"""The web foundation: sign-in and sessions, CSRF, error pages, static files, headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, WebParties, csrf_of, sign_in

from fabnet.server import create_app
from fabnet.settings import Settings
from fabnet.storage.db import Database


def test_pages_need_sign_in_and_redirect_there(web: TestClient) -> None:
    answer = web.get("/designs", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/designs"


def test_sign_in_sets_a_secure_session_cookie_and_shows_the_role_navigation(
    web: TestClient, web_parties: WebParties
) -> None:
    token = csrf_of(web.get("/signin").text)
    answer = web.post(
        "/signin",
        data={"email": web_parties.buyer_email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = next(
        h for h in answer.headers.get_list("set-cookie") if h.startswith("fabnet_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    home = web.get("/")
    assert home.status_code == 200
    assert "Buyer Co" in home.text
    assert 'href="/orders"' in home.text  # a buyer's navigation
    # The session cookie is an API token of the user ("web session").
    bearer = {"Authorization": f"Bearer {web.cookies['fabnet_session']}"}
    tokens = web.get("/v1/tokens", headers=bearer)
    assert tokens.status_code == 200
    assert [t["name"] for t in tokens.json()["items"]] == ["web session"]


def test_wrong_password_is_shown_at_the_field(web: TestClient, web_parties: WebParties) -> None:
    token = csrf_of(web.get("/signin").text)
    answer = web.post(
        "/signin",
        data={"email": web_parties.buyer_email, "password": "not it at all", "csrf_token": token},
    )
    assert answer.status_code == 422
    assert 'id="e-password"' in answer.text
    assert "wrong" in answer.text
    assert "fabnet_session" not in web.cookies


def test_csrf_is_refused_without_a_token_and_with_a_foreign_one(
    web: TestClient, web_parties: WebParties
) -> None:
    web.get("/signin")
    answer = web.post("/signin", data={"email": web_parties.buyer_email, "password": PASSWORD})
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert "<html" in answer.text
    sign_in(web, web_parties.buyer_email)
    refused = web.post("/signout", data={"csrf_token": "0" * 64})
    assert refused.status_code == 403
    htmx = web.post("/signout", headers={"HX-Request": "true"})
    assert htmx.status_code == 403
    assert web.get("/").status_code == 200  # still signed in


def test_sign_out_revokes_the_session(web: TestClient, web_parties: WebParties) -> None:
    sign_in(web, web_parties.buyer_email)
    raw = web.cookies["fabnet_session"]
    token = csrf_of(web.get("/").text)
    answer = web.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    api = web.get("/v1/tokens", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401
    web.cookies.set("fabnet_session", raw)
    assert web.get("/", follow_redirects=False).status_code == 303


def test_unknown_page_is_an_html_404_and_the_api_keeps_problem_json(
    web: TestClient, web_parties: WebParties
) -> None:
    sign_in(web, web_parties.buyer_email)
    page = web.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    api = web.get("/v1/designs/nothing-like-this", headers={"Authorization": "Bearer x"})
    assert api.headers["content-type"].startswith("application/problem+json")


def test_static_files_vendor_packages_and_security_headers(web: TestClient) -> None:
    css = web.get("/static/fabnet.css")
    assert css.status_code == 200
    htmx = web.get("/static/vendor/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200
    assert htmx.headers["content-type"].startswith("text/javascript")
    assert web.get("/static/vendor/commander/package.json").status_code == 404
    assert web.get("/static/vendor/htmx.org/../commander/package.json").status_code == 404
    page = web.get("/signin")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "http" not in csp
    assert "content-security-policy" not in web.get("/v1/health").headers


def test_next_after_sign_in_never_leaves_the_site(web: TestClient, web_parties: WebParties) -> None:
    token = csrf_of(web.get("/signin").text)
    answer = web.post(
        "/signin",
        data={
            "email": web_parties.buyer_email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_design_library_lists_and_filters(web: TestClient, web_parties: WebParties) -> None:
    sign_in(web, web_parties.buyer_email)
    page = web.get("/designs")
    assert page.status_code == 200
    assert "Design library" in page.text
    assert "0 of 0 designs" in page.text
    part = web.get("/designs?q=shield", headers={"HX-Request": "true", "HX-Target": "results"})
    assert part.status_code == 200
    assert "<html" not in part.text


def test_a_form_served_before_a_key_rotation_still_posts_during_it(
    db: Database, web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    """FABNET_SECRET_KEY rotated with the old key in FABNET_SECRET_KEY_PREVIOUS: an open page's
    CSRF token still works; once the old key is gone it is refused."""
    sign_in(web, web_parties.buyer_email)
    token = csrf_of(web.get("/").text)
    cookies = dict(web.cookies)
    new_only = web_settings.model_copy(update={"secret_key": "rotated-web-secret"})
    rotating = new_only.model_copy(update={"secret_key_previous": web_settings.secret_key})
    with TestClient(create_app(new_only, db=db, run_jobs=False), cookies=cookies) as after:
        assert after.post("/signout", data={"csrf_token": token}).status_code == 403
    with TestClient(create_app(rotating, db=db, run_jobs=False), cookies=cookies) as during:
        answer = during.post("/signout", data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303


def test_a_served_app_freezes_its_start_up_heap_and_a_test_app_does_not(
    db: Database, web_settings: Settings
) -> None:
    """`fabnet serve` runs serve_app: once started, the start-up objects are out of the garbage
    collector's walks (request tails under load came from full collections of that heap)."""
    import gc

    gc.unfreeze()
    try:
        with TestClient(create_app(web_settings, db=db, run_jobs=False)) as plain:
            assert plain.get("/v1/health").status_code == 200
            assert gc.get_freeze_count() == 0
        app = create_app(web_settings, db=db, run_jobs=False, freeze_heap=True)
        with TestClient(app) as served:
            assert served.get("/v1/health").status_code == 200
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
