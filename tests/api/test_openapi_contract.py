"""What schemathesis found against the OpenAPI document (issue 15 item 13), one check each.

An unreadable body (400) and an oversize one (413) are answers of every operation that takes a
body, so the document says so; every error answer is ``application/problem+json`` with the
``Problem`` schema, as documented; a 405's ``Allow`` names the methods of the resource the path
names (``/v1/designs/import`` is the import, not a design called ``import``).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from fabnet.api.problems import PROBLEM_JSON, Problem
from fabnet.settings import Settings

from .conftest import Parties

PROBLEM_CONTENT = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _problem(answer: Any, status: int) -> Problem:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    return Problem.model_validate(answer.json())


def test_an_unreadable_json_body_is_a_documented_400(
    client: TestClient, parties: Parties, document: dict[str, Any]
) -> None:
    headers = Parties.auth(parties.writer) | {"Content-Type": "application/json"}
    answer = client.post("/v1/match", content=b'{"design_id": "\xff\xfe"}', headers=headers)
    assert _problem(answer, 400).title == "Bad request"
    assert document["paths"]["/v1/match"]["post"]["responses"]["400"]["content"] == (
        PROBLEM_CONTENT
    )


def test_broken_multipart_is_a_documented_400(
    client: TestClient, parties: Parties, document: dict[str, Any]
) -> None:
    headers = Parties.auth(parties.writer) | {"Content-Type": "multipart/form-data; boundary=xyz"}
    body = b"--xyz\r\nnot a part header--xyz--\r\n"  # a part without its headers
    answer = client.post("/v1/files", content=body, headers=headers)
    assert "multipart" in _problem(answer, 400).detail
    assert "400" in document["paths"]["/v1/files"]["post"]["responses"]


def test_an_oversize_body_is_a_documented_413(
    client: TestClient, parties: Parties, api_settings: Settings, document: dict[str, Any]
) -> None:
    headers = Parties.auth(parties.writer) | {"Content-Type": "application/json"}
    body = b'{"name": "' + b"x" * api_settings.max_request_bytes + b'"}'
    answer = client.post("/v1/orders", content=body, headers=headers)
    assert "bytes this route accepts" in _problem(answer, 413).detail
    assert document["paths"]["/v1/orders"]["post"]["responses"]["413"]["content"] == (
        PROBLEM_CONTENT
    )


def test_every_operation_with_a_body_documents_400_and_413(document: dict[str, Any]) -> None:
    with_body = [(label, op) for label, op in _operations(document) if "requestBody" in op]
    assert len(with_body) > 20
    missing = [
        f"{label} {status}"
        for label, operation in with_body
        for status in ("400", "413")
        if status not in operation["responses"]
    ]
    assert missing == []


def test_every_error_answer_is_documented_as_problem_json(
    client: TestClient, parties: Parties, document: dict[str, Any]
) -> None:
    wrong = [
        f"{label} {status}: {response.get('content')}"
        for label, operation in _operations(document)
        for status, response in operation["responses"].items()
        if status[0] in "45" and response.get("content") != PROBLEM_CONTENT
    ]
    assert wrong == []
    # and that is what an error answer is
    answer = client.get("/v1/designs/no-such-design", headers=Parties.auth(parties.reader))
    assert _problem(answer, 404).status == 404


def test_allow_names_the_methods_of_the_resource_the_path_names(client: TestClient) -> None:
    answer = client.options("/v1/designs/import")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    # a design's path answers GET (and so HEAD)
    answer = client.delete("/v1/designs/some-design")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    # a resource served by several routes: the methods of them all
    answer = client.options("/v1/designs/some-design/licensor")
    assert set(answer.headers["allow"].split(", ")) == {"DELETE", "GET", "HEAD", "PUT"}
