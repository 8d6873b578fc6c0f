"""Access per object, optimistic concurrency, and tamper detection (audit chain, contracts)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConflictError, FabnetError, NotFoundError, PermissionDeniedError
from fabnet.services.orders import contracts, inspections, lots, orders, payments
from fabnet.services.orders.audit import verify_audit_chain
from fabnet.storage.db import Database

from .conftest import Proposal, World, award_proposals, specified_order, to_point


def _two_lots(world: World) -> tuple[str, list[str]]:
    order_id = specified_order(world, quantity=200)
    lot_ids = award_proposals(world, order_id, [
        Proposal("fac-0", 120, 2.0, destinations=to_point(120)),
        Proposal("fac-1", 80, 2.0, destinations=to_point(80)),
    ])  # fmt: skip
    return order_id, lot_ids


def test_each_party_sees_only_its_objects(world: World) -> None:
    db = world.db
    order_id, (lot_a, lot_b) = _two_lots(world)
    maker_a, maker_b = world.makers[0], world.makers[1]
    # a manufacturer sees the order but only its own lot
    assert [lot.id for lot in orders.list_lots(db, maker_a, order_id)] == [lot_a]
    with pytest.raises(NotFoundError):
        lots.get_lot(db, maker_a, lot_b)
    with pytest.raises(NotFoundError):  # not even to act on it
        lots.accept_lot(db, maker_a, lot_b)
    # another buyer does not learn that the order exists
    with pytest.raises(NotFoundError):
        orders.get_order(db, world.stranger, order_id)
    assert orders.list_orders(db, world.stranger).items == []
    assert [o.id for o in orders.list_orders(db, world.buyer).items] == [order_id]
    # an inspector sees nothing until assigned, then only that lot
    with pytest.raises(NotFoundError):
        lots.get_lot(db, world.inspector, lot_a)
    inspections.assign_inspector(db, world.buyer, lot_b, world.inspector.org_id)
    assert [lot.id for lot in orders.list_lots(db, world.inspector, order_id)] == [lot_b]
    # a visible lot, a role that may not act: permission denied, not a state change
    with pytest.raises(PermissionDeniedError):
        lots.act_on_lot(db, world.buyer, lot_a, LotAction.ACCEPT)
    # contracts: invisible to organisations without a role on the lot
    lots.accept_lot(db, maker_a, lot_a)
    [contract] = contracts.list_lot_contracts(db, maker_a, lot_a)
    with pytest.raises(NotFoundError):
        contracts.sign_contract(db, world.inspector, contract.id)
    with pytest.raises(NotFoundError):
        contracts.get_contract(db, maker_b, contract.id)


def test_stale_version_is_a_conflict(world: World) -> None:
    db = world.db
    _, (lot_a, _) = _two_lots(world)
    lot = lots.get_lot(db, world.makers[0], lot_a)
    lots.act_on_lot(db, world.makers[0], lot_a, LotAction.ACCEPT, expected_version=lot.version)
    with pytest.raises(ConflictError, match="changed since version"):
        lots.act_on_lot(db, world.makers[0], lot_a, LotAction.CANCEL, reason="x",
                        expected_version=lot.version)  # fmt: skip


def test_fifty_concurrent_accepts_exactly_one_wins(world: World) -> None:
    db = world.db
    _, (lot_a, _) = _two_lots(world)
    maker = world.makers[0]
    outcomes: list[str] = []
    barrier = threading.Barrier(50)
    lock = threading.Lock()

    def race() -> None:
        barrier.wait()
        try:
            lots.accept_lot(db, maker, lot_a, expected_version=1)
            result = "won"
        except ConflictError:
            result = "conflict"
        except FabnetError as error:  # e.g. TransitionError for a late reader: also a loss
            result = type(error).__name__
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=race) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1
    assert len(outcomes) == 50
    lot = lots.get_lot(db, maker, lot_a)
    assert lot.state is LotState.ACCEPTED and lot.version == 2
    assert len(contracts.list_lot_contracts(db, maker, lot_a)) == 1  # drafted once
    assert verify_audit_chain(db).ok


def _signed_contract(world: World) -> str:
    db = world.db
    order_id, (lot_a, _) = _two_lots(world)
    lots.accept_lot(db, world.makers[0], lot_a)
    payments.fund_order(db, world.buyer, order_id, 24_000, reference="wire-1")
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_a)
    contracts.sign_contract(db, world.buyer, contract.id)
    contracts.sign_contract(db, world.makers[0], contract.id)
    assert lots.get_lot(db, world.buyer, lot_a).state is LotState.CONTRACTED
    return contract.id


def _cli(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str]:
    from fabnet.settings import get_settings

    monkeypatch.setenv("FABNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FABNET_DATABASE_URL", db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_tampered_contract_fails_verification(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = world.db
    contract_id = _signed_contract(world)
    assert _cli(db, tmp_path, monkeypatch, "contracts", "verify", contract_id)[0] == 0
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE contracts SET terms_json = replace(terms_json, :old, :new) "
                 "WHERE id = :id"),
            {"old": '"quantity":120', "new": '"quantity":12', "id": contract_id},
        )  # fmt: skip
    result = contracts.verify_contract(db, contract_id)
    assert not result.ok
    assert any("signed terms" in f for f in result.failures)
    code, output = _cli(db, tmp_path, monkeypatch, "contracts", "verify", contract_id, "--json")
    assert code == 1 and '"ok": false' in output
    assert _cli(db, tmp_path, monkeypatch, "contracts", "verify", "no-such-id")[0] == 2


def test_edited_or_deleted_audit_events_are_detected(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = world.db
    _signed_contract(world)
    before = verify_audit_chain(db)
    assert before.ok and before.checked > 10
    assert _cli(db, tmp_path, monkeypatch, "audit", "verify")[0] == 0
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 5"))
    edited = verify_audit_chain(db)
    assert not edited.ok and edited.first_broken_seq == 5 and "edited" in (edited.reason or "")
    code, output = _cli(db, tmp_path, monkeypatch, "audit", "verify", "--json")
    assert code == 1 and '"first_broken_seq": 5' in output


def test_deleted_audit_events_are_detected(world: World) -> None:
    db = world.db
    _signed_contract(world)
    count = verify_audit_chain(db).checked
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    middle = verify_audit_chain(db)
    assert not middle.ok and middle.first_broken_seq == 3
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= 3"))
        conn.execute(text("UPDATE audit_events SET seq = seq WHERE seq < 3"))
    tail = verify_audit_chain(db)  # a valid shorter chain, but the head anchors the last event
    assert not tail.ok and tail.first_broken_seq == 3 and count > 3
