"""Issue 13 fixes at service level: an inspector assigned after submission records the result;
each lot's contract names its own destinations; contract PDFs name the parties."""

from __future__ import annotations

import pytest

from fabnet.domain.identity import OrgKind
from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import ConflictError
from fabnet.services.identity.accounts import create_organisation
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.services.orders.contract_pdf import render_contract_html

from .conftest import Dest, Proposal, World, award_proposals, specified_order


def _to_production(world: World, lot_id: str, maker: int) -> None:
    db = world.db
    lots.accept_lot(db, world.makers[maker], lot_id)
    lot = lots.get_lot(db, world.buyer, lot_id)
    payments.fund_order(db, world.buyer, lot.order_id, lot.quantity * lot.unit_price_minor,
                        reference=f"ref-{lot_id}")  # fmt: skip
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    contracts.sign_contract(db, world.buyer, contract.id)
    contracts.sign_contract(db, world.makers[maker], contract.id)
    lots.submit_prototype(db, world.makers[maker], lot_id, [world.evidence[0]])
    lots.review_prototype(db, world.buyer, lot_id, approve=True,
                          evidence_sha256=[world.evidence[1]])  # fmt: skip
    lots.act_on_lot(db, world.makers[maker], lot_id, LotAction.START_PRODUCTION)


def test_inspector_assigned_after_submission_records_the_result(world: World) -> None:
    db = world.db
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 2.0, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    _to_production(world, lot_id, 0)
    lots.act_on_lot(db, world.makers[0], lot_id, LotAction.SUBMIT_FOR_INSPECTION)
    [task] = inspections.lot_inspections(db, world.buyer, lot_id)
    assert task.inspector_org_id == world.buyer.org_id  # nobody assigned yet: the buyer's
    inspections.assign_inspector(db, world.buyer, lot_id, world.inspector.org_id)
    [task] = inspections.lot_inspections(db, world.inspector, lot_id)
    assert task.inspector_org_id == world.inspector.org_id
    inspections.record_inspection(db, world.inspector, task.id,
                                  {DefectClass.MAJOR: 0, DefectClass.MINOR: 0},
                                  evidence_sha256=[world.evidence[2]])  # fmt: skip
    assert lots.get_lot(db, world.buyer, lot_id).state is LotState.LOT_ACCEPTED
    other = create_organisation(db, "Late Inspect", OrgKind.INSPECTION_BODY, (), actor=None)
    with pytest.raises(ConflictError, match="result is in"):
        inspections.assign_inspector(db, world.buyer, lot_id, other.id)


def test_each_lots_contract_names_its_own_destinations_and_parties(world: World) -> None:
    db = world.db
    order_id = specified_order(world, quantity=100)
    lot_ids = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 2.0, destinations=(Dest("delivery_point", "knh", 100),)),
        Proposal("fac-1", 200, 2.0, destinations=(Dest("assembly_site", "fac-2", 200),)),
    ])  # fmt: skip
    lots.accept_lot(db, world.makers[0], lot_ids[0])
    lots.accept_lot(db, world.makers[1], lot_ids[1])
    [c0] = contracts.list_lot_contracts(db, world.buyer, lot_ids[0])
    [c1] = contracts.list_lot_contracts(db, world.buyer, lot_ids[1])
    assert c0.terms.delivery.named_place == "Nairobi, KE"
    assert c1.terms.delivery.named_place == "assembly site Maker 2's workshop"
    assert c0.terms.delivery.rule.value == "DAP"
    with db.read() as session:
        names = contracts.party_names(session, c0.terms)
    html = render_contract_html(c0.terms, c0.signatures, title="t", kind="direct", names=names)
    assert "Buyer Hospital" in html and "Maker 0" in html
    assert "buyer.hospital@example.org" in html
    assert world.buyer.org_id in html  # ids stay as references
    assert "Nairobi, KE" in html
    # the contract still verifies once signed (the per-lot place is part of the signed terms)
    contracts.sign_contract(db, world.buyer, c0.id)
    contracts.sign_contract(db, world.makers[0], c0.id)
    assert contracts.verify_contract(db, c0.id).ok


def test_cli_prints_money_with_the_currencys_decimals(
    world: World, cli_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from fabnet.cli._common import console
    from fabnet.cli.main import app

    monkeypatch.setattr(console, "width", 240)

    db = world.db
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    lots.accept_lot(db, world.makers[0], lot_id)
    [contract] = contracts.list_lot_contracts(db, world.buyer, lot_id)
    runner = CliRunner()
    shown = runner.invoke(app, ["orders", "show", order_id])
    assert shown.exit_code == 0, shown.output
    assert "4.76 EUR" in shown.output and "476.00 EUR" in shown.output
    assert "476 EUR" not in shown.output
    terms = runner.invoke(app, ["contracts", "show", contract.id])
    assert terms.exit_code == 0, terms.output
    assert "100 x 4.76 EUR = 476.00 EUR" in terms.output
    assert "DAP Nairobi, KE" in terms.output
