"""Bad input over HTTP: a 4xx application/problem+json whose detail says what to fix, never 500.

Each row: the caller (a token of ``parties``), the request and what the answer must say. Rows
name a design that exists (``{design}``) where the check under test comes after the lookup.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from fabnet.domain.design import Design, Part
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository

from .conftest import Parties

PROBLEM = "application/problem+json"
DESIGN_ID = "design-bad-input-test"
JSON = {"Content-Type": "application/json"}


def _order(demand: int, place: str = "Nairobi, KE") -> dict[str, Any]:
    return {
        "name": "Splints",
        "products": [{"key": "splint", "design": DESIGN_ID}],
        "delivery_points": [{"id": "knh", "place": place, "due_days": 30,
                             "demand": {"splint": demand}}],
    }  # fmt: skip


#: (label, token attribute, method, url, request kwargs, status, fragment of detail)
CASES: list[tuple[str, str, str, str, dict[str, Any], int, str]] = [
    ("malformed JSON", "platform_admin", "POST", "/v1/orgs",
     {"content": b'{"name": ', "headers": JSON}, 422, "not valid JSON"),
    ("JSON sent as text", "platform_admin", "POST", "/v1/orgs",
     {"content": b'{"name": "x"}', "headers": {"Content-Type": "text/plain"}}, 422,
     "Content-Type: application/json"),
    ("unassigned country", "reader", "GET", "/v1/facilities?country=XX", {}, 422,
     "unknown country 'XX'"),
    ("unknown facility material", "reader", "GET", "/v1/facilities?material=unobtainium", {},
     422, "material"),
    ("radius without a place", "reader", "GET", "/v1/facilities?radius_km=50", {}, 422,
     "a radius needs a place"),
    ("users of an unknown org", "platform_admin", "GET", "/v1/users?org_id=nonexistent", {}, 404,
     "no organisation with id 'nonexistent'"),
    ("huge match quantity", "reader", "POST", "/v1/match",
     {"json": {"design_id": DESIGN_ID, "quantity": 10**30}}, 422, "at most 1,000,000,000"),
    ("huge reverse-match quantity", "reader", "GET",
     "/v1/facilities/any/designs?quantity=99999999999999999999", {}, 422, "at most"),
    ("order to an unknown place", "writer", "POST", "/v1/orders",
     {"json": _order(5, place="Nowhereville")}, 422, "delivery_points[0].place"),
    ("order with a huge demand", "writer", "POST", "/v1/orders",
     {"json": _order(10**20)}, 422, "0 to 1,000,000,000 units"),
    ("huge funding", "writer", "POST", "/v1/orders/any/funding",
     {"json": {"amount_minor": 10**30, "reference": "r1"}}, 422, "amount_minor"),
    ("malformed OKW upload", "writer", "POST", "/v1/facilities/import",
     {"files": {"file": ("labs.yml", b"name: [unclosed\n  - x: :\n")}}, 422, "(line 2, column"),
    ("binary CSV upload", "writer", "POST", "/v1/facilities/import",
     {"files": {"file": ("labs.csv", b"\xff\xfe\x00garbage")}}, 422, "CSV is not UTF-8"),
    ("bad cursor", "reader", "GET", "/v1/designs?cursor=garbage", {}, 422, "cursor"),
    ("limit too large", "reader", "GET", "/v1/designs?limit=100000", {}, 422, "query.limit"),
]  # fmt: skip


@pytest.fixture
def design(db: Database) -> str:
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(
            Design(id=DESIGN_ID, name="Finger splint", license="CERN-OHL-P-2.0",
                   parts=(Part(id="splint", name="Splint", processes=("fdm",)),))
        )  # fmt: skip
    return DESIGN_ID


@pytest.mark.parametrize(
    ("who", "method", "url", "kwargs", "status", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_a_problem_that_says_what_to_fix(
    client: TestClient,
    parties: Parties,
    design: str,
    who: str,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    options = dict(kwargs)
    headers = {**Parties.auth(getattr(parties, who)), **options.pop("headers", {})}
    response = client.request(method, url, headers=headers, **options)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status
    assert fragment in problem["detail"] + " ".join(e["message"] for e in problem.get("errors", []))
    assert "\n" not in problem["detail"]


def test_json_syntax_error_points_at_the_body_not_a_field(
    client: TestClient, parties: Parties
) -> None:
    response = client.post(
        "/v1/orgs", content=b'{"name": ', headers={**Parties.auth(parties.platform_admin), **JSON}
    )
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["body"]
    assert "at character 9" in errors[0]["message"]


def test_refused_order_writes_nothing(client: TestClient, parties: Parties, design: str) -> None:
    auth = Parties.auth(parties.writer)
    refused = client.post("/v1/orders", json=_order(5, place="Nowhereville"), headers=auth)
    assert refused.status_code == 422
    assert client.get("/v1/orders", headers=auth).json()["items"] == []
    assert client.post("/v1/orders", json=_order(5), headers=auth).status_code == 201
