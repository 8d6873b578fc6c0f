"""The facility page: equipment and envelopes, capacity, rates and where each group comes from."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, sign_in

from fabnet.demo.world import build_world
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository


def test_facility_page_names_the_provenance_of_each_field_group(
    web: TestClient, web_parties: WebParties
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    world = build_world(7)
    facility = next(
        f
        for f in world.facilities
        if f.equipment and f.extension.rate_card and f.extension.capacity
        and f.provenance.rates.value == "synthetic"
        and f.provenance.capabilities.value != "synthetic"
    )  # fmt: skip
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([facility])
    sign_in(web, web_parties.buyer_email)
    page = web.get(f"/facilities/{facility.id}").text
    groups = dict(re.findall(r'class="hint provenance">(\w+): <strong>(\w+)</strong>', page))
    assert groups["Rates"] == "synthetic" and "made up by fabnet" in page
    assert groups["Processes"] == facility.provenance.capabilities.value
    assert groups["Capacity"] == facility.provenance.capacity.value
    assert "Equipment and envelopes" in page
    envelope = next(e.envelope for e in facility.equipment if e.envelope)
    assert f"{envelope.x_mm:g} × {envelope.y_mm:g} × {envelope.z_mm:g}" in page
