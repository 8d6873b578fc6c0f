"""The demo's order story runs end to end through the services and leaves a consistent record."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from fabnet.services.demo.demo import create_demo
from fabnet.services.demo.story import run_story
from fabnet.services.orders import payments
from fabnet.storage.db import Database
from fabnet.storage.files import FileStore


@pytest.mark.slow
def test_east_africa_story(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    store = FileStore(tmp_path / "files", max_bytes=20 * 1024 * 1024)
    create_demo(url, store=store)
    db = Database(url)
    try:
        report = run_story(db, store)
        assert report.audit_ok and report.audit_events > 100
        assert report.lots_by_state.get("DECLINED") == 1
        assert report.replan_lots >= 1, "the declined lot was re-planned elsewhere"
        assert set(report.lots_by_state) <= {"DECLINED", "PAID"}
        assert report.contracts_verified == report.lots_by_state["PAID"]
        assert report.inspections == report.lots_by_state["PAID"]
        # Assembly lots deliver every ordered unit to the hospitals.
        delivered: dict[str, int] = defaultdict(int)
        for m in report.makers:
            if m.kind == "assembly":
                delivered[m.item] += m.quantity
        assert dict(delivered) == {"face-shield": 2000, "solar-lamp": 300}
        # Money: balanced ledger, no escrow left, the order is funded exactly once.
        balances = payments.ledger_balances(db)
        assert sum(balances.values()) == 0
        assert all(v == 0 for (account, _), v in balances.items() if account.startswith("escrow"))
    finally:
        db.dispose()
