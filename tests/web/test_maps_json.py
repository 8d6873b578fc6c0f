"""The maps' GeoJSON routes: the facilities of the list's search on the demo world (filters
honoured, an unknown value refused naming its field), a facility's approximate location said on
its page, and a plan's and an order's map (flows as in the plan; another organisation's: 404)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import WebParties, csrf_of, sign_in
from tests.web.test_plans_page import _buyer, _order, _plan, _world

from fabnet.demo.world import DEFAULT_SEED, build_world
from fabnet.domain.common import Provenance
from fabnet.domain.facility import Facility
from fabnet.geo.distance import haversine_km
from fabnet.services.catalogue.facilities import count_facilities, list_facilities
from fabnet.services.orders import orders
from fabnet.services.orders.plan_jobs import order_plan
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository


def _demo_world(db: Database) -> dict[str, Facility]:
    world = build_world(DEFAULT_SEED)
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(world.facilities)
    return {f.id: f for f in world.facilities}


def _listed(db: Database, **filters: object) -> set[str]:
    """Every facility id the list's service function gives for these filters, page by page."""
    ids: set[str] = set()
    cursor = None
    while True:
        page = list_facilities(db, limit=200, cursor=cursor, **filters)  # type: ignore[arg-type]
        ids |= {f.id for f in page.items}
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_the_facilities_map_json_has_every_facility_and_honours_the_filters(
    web: TestClient, web_parties: WebParties
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    world = _demo_world(db)
    sign_in(web, web_parties.buyer_email)

    everything = web.get("/facilities.geojson").json()
    located = {i for i, f in world.items() if f.location.latitude is not None}
    assert everything["properties"]["total"] == count_facilities(db) == len(world) == 2112
    assert {f["id"] for f in everything["features"]} == located
    assert everything["properties"]["unlocated"] == len(world) - len(located) > 0

    cases = {
        "process=fdm": {"process": "fdm"},
        "material=PETG": {"material": "PETG"},
        "certification=iso13485": {"certification": "iso13485"},
        "country=ke": {"country": "KE"},
        "process=laser+cutting&country=FR": {"process": "laser cutting", "country": "FR"},
    }
    for query, filters in cases.items():
        answer = web.get(f"/facilities.geojson?{query}").json()
        listed = _listed(db, **filters)
        ids = {f["id"] for f in answer["features"]}
        assert answer["properties"]["total"] == len(listed), query
        assert ids == listed & located, query
        assert 0 < len(ids) < len(located), query
    certified = web.get("/facilities.geojson?certification=ISO+13485").json()["features"]
    for fid in {f["id"] for f in certified}:
        assert "ISO 13485" in world[fid].certifications
    for fid in {f["id"] for f in web.get("/facilities.geojson?material=petg").json()["features"]}:
        assert "petg" in world[fid].typical_materials

    near = web.get("/facilities.geojson?near=Nairobi&radius_km=400&process=fdm").json()
    assert near["properties"]["near"]["name"] == "Nairobi, KE"

    def km(i: str) -> float:
        loc = world[i].location
        return float(haversine_km(-1.28333, 36.81667, loc.latitude, loc.longitude))

    inside = {i for i in _listed(db, process="fdm") if i in located and km(i) <= 400}
    assert {f["id"] for f in near["features"]} == inside and inside
    assert all(f["properties"]["km"] <= 400 for f in near["features"])
    assert _listed(db, process="fdm", near="Nairobi", radius_km=400) == inside
    # The list page shows the same search (no JavaScript needed).
    page = web.get("/facilities?near=Nairobi&radius_km=400&process=fdm").text
    assert page.count('<tr><th scope="row"><a href="/facilities/') == len(inside)
    source = "/facilities.geojson?process=fdm&amp;near=Nairobi&amp;radius_km=400"
    assert f'data-source="{source}"' in page


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("material=unobtainium", "material", "unobtainium"),
        ("certification=ISO+99999", "certification", "ISO 99999"),
        ("process=knitting+by+hand", "process", "knitting by hand"),
        ("country=Kenya", "country", "Kenya"),
        ("near=Xyzzyville+Qq", "near", "Xyzzyville"),
        ("radius_km=50", "near", "radius"),
        ("near=Nairobi&radius_km=lots", "radius_km", "lots"),
        ("near=Nairobi&radius_km=0", "radius_km", "radius"),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_its_field(
    web: TestClient, web_parties: WebParties, query: str, field: str, words: str
) -> None:
    sign_in(web, web_parties.buyer_email)
    answer = web.get(f"/facilities.geojson?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert words in answer.json()["message"]
    page = web.get(f"/facilities?{query}")
    assert f'id="e-{field}"' in page.text  # said at the field of the list's form


def test_the_facility_page_says_when_its_location_is_approximate(
    web: TestClient, web_parties: WebParties
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    base = next(f for f in build_world(DEFAULT_SEED).facilities if f.location.latitude is not None)
    approximate = base.model_copy(
        update={
            "id": "approx-1",
            "provenance": base.provenance.model_copy(update={"location": Provenance.APPROXIMATE}),
        }
    )
    exact = base.model_copy(
        update={
            "id": "exact-1",
            "provenance": base.provenance.model_copy(update={"location": Provenance.DECLARED}),
        }
    )
    nowhere = base.model_copy(
        update={
            "id": "nowhere-1",
            "location": base.location.model_copy(update={"latitude": None, "longitude": None}),
        }
    )
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert([approximate, exact, nowhere])
    sign_in(web, web_parties.buyer_email)
    page = web.get("/facilities/approx-1").text
    assert "Approximate location" in page and 'data-approximate="true"' in page
    assert f'data-lat="{base.location.latitude}"' in page
    plain = web.get("/facilities/exact-1").text
    assert "Approximate location" not in plain and 'data-approximate="false"' in plain
    unplaced = web.get("/facilities/nowhere-1").text
    assert "gives no coordinates" in unplaced and "data-facility-map" not in unplaced
    collection = web.get("/facilities.geojson").json()
    assert collection["properties"] | {"near": None} == {
        "total": 3, "mapped": 2, "unlocated": 1, "near": None}  # fmt: skip
    features = {f["id"]: f for f in collection["features"]}
    assert features["approx-1"]["properties"]["approximate"] is True
    assert "approximate" not in features["exact-1"]["properties"]


def test_the_plan_and_order_maps_draw_the_plan_and_are_not_found_for_others(
    web: TestClient, web_parties: WebParties, web_settings: Settings
) -> None:
    db: Database = web.app.state.db  # type: ignore[attr-defined]
    _world(db, web_settings)
    buyer = _buyer(db)
    order_id = _order(db, buyer)
    sign_in(web, web_parties.buyer_email)
    plan_url = _plan(web, order_id, csrf_of(web.get(f"/orders/{order_id}").text))
    plan_id = plan_url.rsplit("/", 1)[1]
    stored = order_plan(db, buyer, order_id, plan_id).record
    page = web.get(plan_url).text
    assert f'data-source="/orders/{order_id}/plans/{plan_id}/map.geojson"' in page
    assert page.count("<tr data-flow>") == len(stored.result_json["flows"]) > 0
    assert "Kenyatta National Hospital <small>(delivery point)</small>" in page  # named, not "knh"

    plan_map = web.get(f"/orders/{order_id}/plans/{plan_id}/map.geojson").json()
    kinds = [f["properties"]["kind"] for f in plan_map["features"]]
    flows = [f["properties"] for f in plan_map["features"] if f["properties"]["kind"] == "flow"]
    assert len(flows) == len(stored.result_json["flows"])
    assert sorted((f["from"], f["to"], round(f["quantity"], 6)) for f in flows) == sorted(
        (f["from"], f["to"], f["quantity"]) for f in stored.result_json["flows"]
    )
    assert {f["mode"] for f in flows} <= {"road", "sea", "air", None}
    assert kinds.count("delivery_point") == len(stored.spec.delivery_points)
    assert "Kenyatta" in next(
        f["properties"]["name"]
        for f in plan_map["features"]
        if f["properties"]["kind"] == "delivery_point"
    )

    other = TestClient(web.app)
    sign_in(other, web_parties.other_email)
    assert other.get(f"/orders/{order_id}/plans/{plan_id}/map.geojson").status_code == 404
    assert other.get(f"/orders/{order_id}/map.geojson").status_code == 404

    awarded = web.post(
        f"/orders/{order_id}/plans/{plan_id}/award",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert awarded.status_code == 303, awarded.text
    assert (
        'data-source="/orders/' + order_id + '/map.geojson"' in web.get(f"/orders/{order_id}").text
    )
    lots = orders.list_lots(db, None, order_id)
    order_map = web.get(f"/orders/{order_id}/map.geojson").json()
    lines = [f["properties"] for f in order_map["features"] if f["properties"]["kind"] == "flow"]
    expected = sorted(
        (lot.id, d.id, d.quantity) for lot in lots for d in lot.destinations if d.quantity > 0
    )
    assert sorted((x["lot_id"], x["to"], x["quantity"]) for x in lines) == expected
    makers = {f["properties"]["id"] for f in order_map["features"]
              if f["properties"]["kind"] == "facility"}  # fmt: skip
    assert {lot.facility_id for lot in lots} <= makers
