"""What the order routes do with what clients send: versions, action names, bodies, ids."""

from __future__ import annotations

from .conftest import World, awarded_order, ok, order_body, problem


def test_stale_if_match_is_412_and_stale_body_version_is_409(world: World) -> None:
    client, headers = world.client, world.buyer.headers
    order = ok(client.post("/v1/orders", json=order_body(), headers=headers), 201)
    url = f"/v1/orders/{order['id']}/actions/specify"
    problem(client.post(url, headers={**headers, "If-Match": '"v7"'}), 412)
    problem(client.post(url, json={"version": 7}, headers=headers), 409)
    mismatch = problem(client.post(url, json={"version": 1},
                                   headers={**headers, "If-Match": '"v2"'}), 422)  # fmt: skip
    assert "If-Match names version 2" in mismatch["detail"]
    assert ok(client.get(f"/v1/orders/{order['id']}", headers=headers))["state"] == "DRAFT"
    specified = client.post(url, json={"version": 1}, headers=headers)
    assert ok(specified)["state"] == "SPECIFIED" and specified.headers["etag"] == '"v2"'
    got = client.get(f"/v1/orders/{order['id']}", headers=headers)
    assert got.headers["etag"] == '"v2"'


def test_lot_action_names_and_their_bodies(world: World) -> None:
    lot = awarded_order(world).lots[0]
    maker = world.maker_of(lot)
    url = f"/v1/lots/{lot.id}/actions"
    unknown = problem(world.client.post(f"{url}/fly", headers=maker.headers), 422)
    assert "unknown lot action 'fly'" in unknown["detail"] and "counter_offer" in unknown["hint"]
    review = problem(world.client.post(f"{url}/review-prototype", json={"evidence_sha256": []},
                                       headers=maker.headers), 422)  # fmt: skip
    assert review["errors"][0]["field"] == "body.approve"
    stray = problem(world.client.post(f"{url}/accept", json={"approve": True},
                                      headers=maker.headers), 422)  # fmt: skip
    assert "only given with review-prototype" in stray["detail"]
    extra = problem(world.client.post(f"{url}/accept", json={"colour": "red"},
                                      headers=maker.headers), 422)  # fmt: skip
    assert extra["errors"][0]["field"] == "body.colour"
    # a declined lot needs its reason (the life cycle says so), and gets it recorded
    problem(world.client.post(f"{url}/decline", headers=maker.headers), 409)
    offer = {"counter_offer": {"unit_price_minor": lot.unit_price_minor + 50, "note": "PLA rose"}}
    countered = ok(world.client.post(f"{url}/counter-offer", json=offer, headers=maker.headers))
    assert countered["state"] == "COUNTER_OFFERED"
    assert countered["counter_offer"]["unit_price_minor"] == lot.unit_price_minor + 50


def test_designs_are_named_by_id_never_by_path(world: World) -> None:
    headers = world.buyer.headers
    for ref in ("/etc/passwd", "../okh.toml", "design.toml"):
        body = problem(world.client.post("/v1/match", json={"design_id": ref}, headers=headers),
                       422)  # fmt: skip
        assert body["errors"][0]["field"] == "body.design_id"
    missing = problem(world.client.post("/v1/match", json={"design_id": "nope"},
                                        headers=headers), 404)  # fmt: skip
    assert "nope" in missing["detail"]
    wrong = order_body()
    wrong["products"][0]["design"] = "no-such-design"
    body = problem(world.client.post("/v1/orders", json=wrong, headers=headers), 422)
    assert body["errors"][0]["field"] == "products[0].design"


def test_why_not_and_reverse_match(world: World) -> None:
    headers = world.buyer.headers
    why = ok(world.client.get(
        "/v1/match/why-not?design_id=design-finger-splint-test&part=splint"
        "&facility_id=fac-kampala&countries=KE", headers=headers))  # fmt: skip
    assert why["qualifies"] is False
    assert [c["criterion"] for c in why["failed"]] == ["country"]
    coverage = ok(world.client.get("/v1/facilities/fac-kampala/designs", headers=headers))
    assert [(d["design_id"], d["whole"]) for d in coverage["designs"]] == [
        ("design-finger-splint-test", True)
    ]


def test_evidence_upload_is_content_addressed_and_bounded(world: World) -> None:
    headers = world.makers[0].headers
    first = ok(world.client.post("/v1/files", files={"file": ("a.jpg", b"photo")},
                                 headers=headers), 201)  # fmt: skip
    again = ok(world.client.post("/v1/files", files={"file": ("b.jpg", b"photo")},
                                 headers=headers), 201)  # fmt: skip
    assert first["sha256"] == again["sha256"] and first["size_bytes"] == 5
    problem(world.client.post("/v1/files", files={"file": ("e.jpg", b"")}, headers=headers), 422)
    big = b"x" * (world.settings.max_file_bytes + 1)
    problem(world.client.post("/v1/files", files={"file": ("big.jpg", big)}, headers=headers), 413)


def test_terms_change_while_draft_and_a_licensor_permission_is_recorded(world: World) -> None:
    client, headers = world.client, world.buyer.headers
    order = ok(client.post("/v1/orders", json=order_body(), headers=headers), 201)
    url = f"/v1/orders/{order['id']}"
    terms = {"delivery": {"rule": "DAP", "named_place": "Kisumu, KE", "transport_mode": "road"},
             "dispute_window_days": 21}  # fmt: skip
    problem(client.put(f"{url}/terms", json=terms, headers={**headers, "If-Match": '"v9"'}), 412)
    changed = client.put(f"{url}/terms", json=terms, headers={**headers, "If-Match": '"v1"'})
    assert ok(changed)["version"] == 2 and changed.headers["etag"] == '"v2"'
    problem(client.put(f"{url}/terms", json=terms, headers=world.makers[0].headers), 404)
    # a permission must be a stored document
    problem(client.post(f"{url}/licensor-permission", json={"evidence_sha256": "a" * 64},
                        headers=headers), 422)  # fmt: skip
    stored = ok(client.post("/v1/files", files={"file": ("ok.pdf", b"%PDF permission")},
                            headers=headers), 201)  # fmt: skip
    recorded = client.post(f"{url}/licensor-permission",
                           json={"evidence_sha256": stored["sha256"], "note": "email of 3 Jan"},
                           headers=headers)  # fmt: skip
    assert ok(recorded)["version"] == 3


def test_a_facility_both_pinned_and_excluded_is_a_422_naming_the_field(world: World) -> None:
    """Issue 11: pinning and excluding the same facility is refused, not silently resolved."""
    body = order_body()
    body["matching"] = {"pin_facilities": ["f-a", "f-b"], "exclude_facilities": ["f-b"]}
    refused = problem(world.client.post("/v1/orders", json=body, headers=world.buyer.headers),
                      422)  # fmt: skip
    assert refused["errors"][0]["field"] == "body.matching.exclude_facilities"
    assert "f-b is both pinned" in refused["detail"] + str(refused["errors"])
    body["matching"] = {"pin_facilities": ["f-a"], "exclude_facilities": ["f-b"]}
    ok(world.client.post("/v1/orders", json=body, headers=world.buyer.headers), 201)
