"""The API keeps its OpenAPI contract (issue 15 item 13): schemathesis over every operation.

Schemathesis reads the app's OpenAPI document and sends generated requests to every operation
in-process (its examples, coverage and fuzzing phases: valid and invalid inputs, missing headers,
unexpected methods) with the write token of a small seeded world, fresh for every operation: an
organisation, a user, tokens of each scope, a design and five facilities, whose ids half of the
generated ids are. Every answer must be no 5xx, with a documented status code, a documented
content type, a body that matches the documented schema and the documented headers; a 405's
``Allow`` must match the document. The seed is fixed and the number of examples bounded, so a run
is repeatable and takes one to three minutes with ``-n 2`` on a 2-core machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient

from fabnet.server import create_app
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.designs import DesignRepository
from fabnet.storage.facilities import FacilityRepository

from .conftest import Parties
from .orders.conftest import DESIGN_ID, SITES, facility, splint_design

pytestmark = pytest.mark.slow

SEED = 15_013
MAX_EXAMPLES = 20

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "unsupported_method",
    "allow_header_conformance",
]


def _document() -> dict[str, Any]:
    """The OpenAPI document the app serves at /openapi.json (building it touches no database)."""
    settings = Settings(data_dir=Path("/nonexistent"), secret_key="openapi-document")
    return create_app(settings, db=Database("sqlite://"), run_jobs=False, web=False).openapi()


schema = schemathesis.openapi.from_dict(
    _document(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {"stateful": {"enabled": False}},
            # generous: a request on a loaded CI machine may take seconds; a hang still fails
            "request-timeout": 60,
            # half of the generated ids name the seeded design and facilities, so their answers
            # (not only 404s) are checked too
            "dictionaries": {
                "designs": {"values": [DESIGN_ID]},
                "facilities": {"values": [site[0] for site in SITES]},
            },
            "parameters": {
                "path.design_id": {"dictionary": "designs", "probability": 0.5},
                "body.design_id": {"dictionary": "designs", "probability": 0.5},
                "query.design_id": {"dictionary": "designs", "probability": 0.5},
                "path.facility_id": {"dictionary": "facilities", "probability": 0.5},
            },
        }
    ),
)


@pytest.fixture
def api(db: Database, api_settings: Settings, parties: Parties) -> Iterator[ASGIClient]:
    """The app over ``db`` with its seeded world, called in-process with the writer's token."""
    with db.transaction() as session:
        DesignRepository(session).add_or_replace(splint_design())
        for site in SITES:
            FacilityRepository(session).add_or_replace(facility(*site))
    app = create_app(api_settings, db=db, run_jobs=False, web=False)
    session = ASGIClient(app)
    session.headers.update(Parties.auth(parties.writer))
    yield session
    session.close()


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_openapi_contract(
    case: schemathesis.Case, api: ASGIClient
) -> None:
    case.call_and_validate(session=api)
