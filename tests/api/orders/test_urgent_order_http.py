"""Issue 11: the urgent face-shield order (800 shields, Kenyatta National Hospital in Nairobi and a
clinic in Kisumu, due in 21 days) gets a plan through the API on the demo world (it used to be a
422 naming ``assembly_candidates[5] ... min_lot``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from fabnet.domain.identity import OrgKind, Scope
from fabnet.server import create_app
from fabnet.services.demo.demo import create_demo
from fabnet.services.identity import accounts as identity
from fabnet.services.platform.database import open_file_store
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database

pytestmark = pytest.mark.slow

INTERNAL = re.compile(r"candidates\[|min_lot|assembly_candidates")


ORDER = Path(__file__).parents[3] / "src/fabnet/data/orders/kenya-urgent-face-shields.yaml"


def _order() -> dict[str, object]:
    """The shipped order file as the API's order body, with the delivery terms a buyer sets."""
    body: dict[str, object] = yaml.safe_load(ORDER.read_text(encoding="utf-8"))
    body["order_date"] = str(body["order_date"])
    body["terms"] = {
        "delivery": {"rule": "DAP", "named_place": "Nairobi, KE", "transport_mode": "road"}
    }
    return body


def test_the_urgent_face_shield_order_plans_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    # The plan times the headbands from their sliced geometry in the data dir's store (the demo
    # wrote it there), exactly as a served fabnet does after `fabnet demo`.
    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = Settings(data_dir=tmp_path / "data", secret_key="urgent-order-secret")
    create_demo(url, store=open_file_store(settings))
    db = Database(url)
    try:
        buyer = identity.create_organisation(db, "Relief Buyer", OrgKind.BUYER, actor=None)
        user = identity.create_user(db, "buyer@relief.example", buyer.id, actor=None,
                                    settings=settings)  # fmt: skip
        token = identity.create_token(db, user.id, [Scope.WRITE], actor=None).raw
        headers = {"Authorization": f"Bearer {token}"}
        app = create_app(settings, db=db, run_jobs=False, web=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            created = client.post("/v1/orders", json=_order(), headers=headers)
            assert created.status_code == 201, created.text
            order_id = created.json()["id"]
            specified = client.post(f"/v1/orders/{order_id}/actions/specify",
                                    json={"version": 1}, headers=headers)  # fmt: skip
            assert specified.status_code == 200, specified.text
            planned = client.post(f"/v1/orders/{order_id}/plans", json={}, headers=headers)
            assert planned.status_code == 201, planned.text
            assert not INTERNAL.search(planned.text)
            summary = planned.json()
            plan = client.get(f"/v1/plans/{summary['plan_id']}", headers=headers)
            assert plan.status_code == 200, plan.text
            assert not INTERNAL.search(json.dumps(plan.json().get("diagnosis", [])))
    finally:
        db.dispose()
        get_settings.cache_clear()
    assembled = sum(lot["quantity"] for lot in summary["lots"] if lot["kind"] == "assembly")
    assert assembled == 800, summary["lots"]
