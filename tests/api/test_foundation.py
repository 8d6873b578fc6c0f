"""The REST API foundation: auth, problem+json, idempotency, pagination, ETags, OpenAPI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fabnet.domain.facility import Facility
from fabnet.services.identity import accounts as identity
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import ApiTokenRow, OrganisationRow

from .conftest import Parties

PROBLEM = "application/problem+json"
STOOL = Path(__file__).parents[1] / "cli" / "data" / "designs" / "stool" / "okh.toml"
BAD = Path(__file__).parents[1] / "cli" / "data" / "designs" / "bad" / "okh.toml"


def _assert_problem(response: object, status: int) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    assert "Traceback" not in response.text
    return dict(body)


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_missing_malformed_unknown_revoked_and_expired_tokens_get_401(
    client: TestClient, parties: Parties, db: Database
) -> None:
    response = client.get("/v1/orgs")
    body = _assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "API token" in str(body["detail"])

    _assert_problem(client.get("/v1/orgs", headers=Parties.auth("not-a-token")), 401)
    token_id = parties.reader.split("_")[1]
    forged = f"fnt_{token_id}_{'A' * 43}"
    assert "not known" in str(
        _assert_problem(client.get("/v1/orgs", headers=Parties.auth(forged)), 401)["detail"]
    )

    assert client.get("/v1/orgs", headers=Parties.auth(parties.reader)).status_code == 200
    identity.revoke_token(db, token_id, actor=None)
    revoked = _assert_problem(client.get("/v1/orgs", headers=Parties.auth(parties.reader)), 401)
    assert "revoked" in str(revoked["detail"])

    expiring = identity.create_token(
        db, parties.buyer_user, ["read"], actor=None, expires_in_days=1
    )
    with db.transaction() as session:
        row = session.get(ApiTokenRow, expiring.token.id)
        assert row is not None
        row.expires_at = utc_now() - timedelta(seconds=1)
    expired = _assert_problem(client.get("/v1/orgs", headers=Parties.auth(expiring.raw)), 401)
    assert "expired" in str(expired["detail"])


def test_wrong_scope_gets_403(client: TestClient, parties: Parties) -> None:
    response = client.post(
        "/v1/tokens", json={"scopes": ["read"]}, headers=Parties.auth(parties.reader)
    )
    body = _assert_problem(response, 403)
    assert "'write' scope" in str(body["detail"])
    _assert_problem(client.get("/v1/users", headers=Parties.auth(parties.writer)), 403)
    # An org admin is not a platform admin.
    _assert_problem(
        client.post(
            "/v1/orgs", json={"name": "X", "kind": "buyer"}, headers=Parties.auth(parties.admin)
        ),
        403,
    )


def test_validation_errors_say_which_field_and_what_to_fix(
    client: TestClient, parties: Parties
) -> None:
    response = client.post(
        "/v1/orgs",
        json={"name": "Fab Lab", "kind": "castle", "colour": "red"},
        headers=Parties.auth(parties.platform_admin),
    )
    body = _assert_problem(response, 422)
    errors = {e["field"]: e["message"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert "'buyer'" in errors["body.kind"] and "castle" in errors["body.kind"]
    assert "not a known field" in errors["body.colour"]
    missing = _assert_problem(
        client.post(
            "/v1/orgs", json={"kind": "buyer"}, headers=Parties.auth(parties.platform_admin)
        ),
        422,
    )
    assert missing["errors"] == [{"field": "body.name", "message": "is required; add it"}]
    limit = _assert_problem(
        client.get("/v1/orgs?limit=500", headers=Parties.auth(parties.reader)), 422
    )
    assert limit["errors"][0]["field"] == "query.limit"  # type: ignore[index]
    _assert_problem(client.get("/v1/orgs/nope", headers=Parties.auth(parties.reader)), 404)
    _assert_problem(client.get("/v1/nothing-here"), 404)


def test_same_idempotency_key_and_body_replays_without_a_second_effect(
    client: TestClient, parties: Parties, db: Database
) -> None:
    with db.transaction() as session:
        FacilityRepository(session).add_or_replace(Facility(id="f-1", name="Fab Lab Gent"))
    headers = {**Parties.auth(parties.platform_admin), "Idempotency-Key": "create-lab-1"}
    payload = {"name": "Fab Lab Gent", "kind": "manufacturer", "facility_ids": ["f-1"]}
    first = client.post("/v1/orgs", json=payload, headers=headers)
    second = client.post("/v1/orgs", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    with db.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(OrganisationRow)
            .where(OrganisationRow.name == "Fab Lab Gent")
        )
    assert count == 1

    different = client.post("/v1/orgs", json={**payload, "name": "Other"}, headers=headers)
    body = _assert_problem(different, 422)
    assert "different request" in str(body["detail"])
    # The key belongs to its user: another user's same key is a new request.
    other = client.post(
        "/v1/tokens",
        json={"scopes": ["read"]},
        headers={**Parties.auth(parties.writer), "Idempotency-Key": "create-lab-1"},
    )
    assert other.status_code == 201
    # Errors are replayed too (no second attempt at a refused request).
    bad_headers = {**Parties.auth(parties.platform_admin), "Idempotency-Key": "bad-1"}
    refused = client.post("/v1/orgs", json={"name": "X", "kind": "castle"}, headers=bad_headers)
    again = client.post("/v1/orgs", json={"name": "X", "kind": "castle"}, headers=bad_headers)
    assert refused.status_code == again.status_code == 422
    assert refused.json() == again.json()


def test_upload_retried_with_the_same_key_is_one_import(
    client: TestClient, parties: Parties
) -> None:
    headers = {**Parties.auth(parties.writer), "Idempotency-Key": "upload-stool"}
    content = STOOL.read_bytes()
    first = client.post(
        "/v1/designs/import", files={"file": ("okh.toml", content)}, headers=headers
    )
    assert first.status_code == 200, first.text
    assert len(first.json()["created"]) == 1
    # httpx picks a new multipart boundary: still the same request.
    second = client.post(
        "/v1/designs/import", files={"file": ("okh.toml", content)}, headers=headers
    )
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    # Without a key, importing again is a no-op by the design's stable id.
    third = client.post(
        "/v1/designs/import",
        files={"file": ("okh.toml", content)},
        headers=Parties.auth(parties.writer),
    )
    assert third.json()["unchanged"] == first.json()["created"]
    design_id = first.json()["created"][0]
    listed = client.get("/v1/designs", headers=Parties.auth(parties.reader)).json()
    assert [d["id"] for d in listed["items"]] == [design_id]
    got = client.get(f"/v1/designs/{design_id[:8]}", headers=Parties.auth(parties.reader))
    assert got.json()["id"] == design_id


def test_refused_upload_is_a_problem_naming_the_file(client: TestClient, parties: Parties) -> None:
    response = client.post(
        "/v1/designs/import",
        files={"file": ("okh.toml", BAD.read_bytes())},
        headers=Parties.auth(parties.writer),
    )
    body = _assert_problem(response, 422)
    assert "okh.toml" in str(body["detail"])
    assert "fabnet-upload-" not in str(body["detail"])
    big = client.post(
        "/v1/designs/import",
        files={"file": ("okh.toml", b"x" * 200_001)},
        headers=Parties.auth(parties.writer),
    )
    _assert_problem(big, 413)


def test_cursor_pagination_visits_every_item_once(
    client: TestClient, parties: Parties, db: Database
) -> None:
    for i in range(5):
        identity.create_organisation(db, f"Org {i}", "buyer", actor=None)
    seen: list[str] = []
    url = "/v1/orgs?limit=3"
    pages = 0
    while True:
        body = client.get(url, headers=Parties.auth(parties.reader)).json()
        pages += 1
        seen.extend(o["id"] for o in body["items"])
        if body["next_cursor"] is None:
            break
        url = f"/v1/orgs?limit=3&cursor={body['next_cursor']}"
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    bad = _assert_problem(
        client.get("/v1/orgs?cursor=%%%", headers=Parties.auth(parties.reader)), 422
    )
    assert bad["errors"] == [{"field": "cursor", "message": "the cursor is not valid"}]


def test_etag_if_match_and_stale_body_version(client: TestClient, parties: Parties) -> None:
    admin = Parties.auth(parties.admin)
    url = f"/v1/orgs/{parties.buyer_org}"
    got = client.get(url, headers=admin)
    assert got.headers["etag"] == '"v1"'
    changed = client.patch(url, json={"name": "Buyer Ltd"}, headers={**admin, "If-Match": '"v1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.headers["etag"] == '"v2"'
    stale = client.patch(url, json={"name": "Late"}, headers={**admin, "If-Match": '"v1"'})
    _assert_problem(stale, 412)
    conflict = client.patch(url, json={"name": "Late", "version": 1}, headers=admin)
    _assert_problem(conflict, 409)
    assert client.get(url, headers=admin).json()["name"] == "Buyer Ltd"
    # Other organisations' admins may not change it.
    _assert_problem(
        client.patch(f"/v1/orgs/{parties.platform_org}", json={"name": "x"}, headers=admin), 403
    )


def test_tokens_and_users_through_the_api(client: TestClient, parties: Parties) -> None:
    created = client.post(
        "/v1/users",
        json={"email": "bo@buyer.org", "org_id": parties.buyer_org, "display_name": "Bo"},
        headers=Parties.auth(parties.admin),
    )
    assert created.status_code == 201, created.text
    bo = created.json()
    assert len(bo["public_key"]) == 64 and "private_key" not in created.text
    issued = client.post(
        "/v1/tokens",
        json={"user_id": bo["id"], "scopes": ["read"], "expires_in_days": 30},
        headers=Parties.auth(parties.admin),
    )
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    raw = issued.json()["raw"]
    me = client.get("/v1/users/me", headers=Parties.auth(raw))
    assert me.json()["email"] == "bo@buyer.org"
    revoked = client.delete(
        f"/v1/tokens/{issued.json()['token']['id']}", headers=Parties.auth(parties.admin)
    )
    assert revoked.json()["revoked_at"] is not None
    _assert_problem(client.get("/v1/users/me", headers=Parties.auth(raw)), 401)
    # Writers cannot mint admin tokens.
    _assert_problem(
        client.post("/v1/tokens", json={"scopes": ["admin"]}, headers=Parties.auth(parties.writer)),
        403,
    )


def test_webhook_registration_is_per_organisation(client: TestClient, parties: Parties) -> None:
    created = client.post(
        "/v1/webhooks",
        json={"url": "https://buyer.example/hooks", "event_types": ["lot.*"]},
        headers=Parties.auth(parties.writer),
    )
    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    sub_id = created.json()["subscription"]["id"]
    assert created.json()["subscription"]["org_id"] == parties.buyer_org
    listed = client.get("/v1/webhooks", headers=Parties.auth(parties.reader)).json()
    assert [s["id"] for s in listed["items"]] == [sub_id]
    bad = client.post(
        "/v1/webhooks",
        json={"url": "ftp://x", "event_types": ["*"]},
        headers=Parties.auth(parties.writer),
    )
    assert _assert_problem(bad, 422)["errors"] == [
        {"field": "url", "message": "'ftp://x' is not an http(s) URL"}
    ]
    assert (
        client.delete(f"/v1/webhooks/{sub_id}", headers=Parties.auth(parties.writer)).status_code
        == 204
    )


def test_openapi_is_3_1_and_documents_idempotency_and_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    post = document["paths"]["/v1/orgs"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "application/problem+json" in post["responses"]["401"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/docs/assets/swagger-ui-bundle.js" in docs.text
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200
    # ReDoc is turned off on purpose (it would load its script from a CDN): no /redoc page.
    assert client.get("/redoc").status_code == 404


def test_facility_list_honours_the_map_filters(
    client: TestClient, parties: Parties, db: Database
) -> None:
    """``near``/``radius_km`` (and material, certification) filter /v1/facilities as the web
    map does; a term fabnet cannot resolve is refused (tests/api/test_bad_input_matrix.py)."""
    from fabnet.domain.common import Location

    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(
            [
                Facility(id="f-nbo", name="Nairobi lab",
                         location=Location(latitude=-1.29, longitude=36.82, country="KE")),
                Facility(id="f-gnt", name="Gent lab",
                         location=Location(latitude=51.05, longitude=3.72, country="BE")),
            ]
        )  # fmt: skip
    url = "/v1/facilities?near=Nairobi,%20KE&radius_km=100"
    answer = client.get(url, headers=parties.auth(parties.reader))
    assert answer.status_code == 200, answer.text
    assert [f["id"] for f in answer.json()["items"]] == ["f-nbo"]
    everyone = client.get("/v1/facilities", headers=parties.auth(parties.reader))
    assert {f["id"] for f in everyone.json()["items"]} >= {"f-nbo", "f-gnt"}
