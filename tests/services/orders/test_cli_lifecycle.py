"""The order life cycle from the command line, acting as named users (``--as EMAIL``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.orders.states import LotState
from fabnet.services.orders import lots

from .conftest import Dest, Proposal, World, award_proposals, specified_order

BUYER = "buyer.hospital@example.org"
MAKER = "maker.0@example.org"
INSPECTOR = "inspect.co@example.org"


def _run(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    if code == 0 and "--json" in args:
        return json.loads(result.stdout)
    return result.output


def test_a_lot_from_invitation_to_delivery_through_the_cli(world: World, cli_env: object) -> None:
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    # who acts is required, and another organisation's lot is not found
    assert "say who acts" in _run("lots", "accept", lot_id, code=2)
    _run("lots", "accept", lot_id, "--as", "maker.1@example.org", code=2)
    accepted = _run("lots", "accept", lot_id, "--as", MAKER, "--json")
    assert accepted["state"] == "ACCEPTED"

    due = _run("orders", "escrow", order_id, "--as", BUYER, "--json")
    assert due["currency"] == "EUR" and due["due_minor"] == 47600
    assert due["lots"][0]["due_minor"] == 47600 and due["shortfall_minor"] == 47600
    text = _run("orders", "escrow", order_id, "--as", BUYER)
    assert "still to pay 476.00 EUR" in " ".join(text.split())
    # underfunding is refused with the amount due; 'due' pays exactly that
    short = _run("orders", "fund", order_id, "400", "--reference", "r1", "--as", BUYER, code=2)
    assert "476.00 EUR" in short
    funded = _run("orders", "fund", order_id, "due", "--reference", "r2", "--as", BUYER, "--json")
    assert funded["shortfall_minor"] == 0 and funded["available_minor"] == 47600
    assert funded["uncovered_lot_ids"] == []
    assert "covers all 1 accepted lot(s) due (476.00 EUR)" in funded["message"]

    [contract] = _contracts(world, lot_id)
    _run("contracts", "sign", contract, "--as", BUYER, "--json")
    signed = _run("contracts", "sign", contract, "--as", MAKER, "--json")
    assert signed["status"] == "signed"
    assert lots.get_lot(world.db, None, lot_id).state is LotState.CONTRACTED

    ev = world.evidence
    _run("lots", "prototype", lot_id, "submit", "--evidence", ev[0], "--as", MAKER)
    _run("lots", "prototype", lot_id, "approve", "--evidence", ev[1], "--as", BUYER)
    _run("lots", "act", lot_id, "start_production", "--as", MAKER)
    _run("lots", "act", lot_id, "submit-for-inspection", "--as", MAKER)
    # the inspector is assigned after submission and records the result
    _run("inspections", "assign", lot_id, world.inspector.org_id, "--as", BUYER)
    [task] = _run("inspections", "list", lot_id, "--as", INSPECTOR, "--json")
    assert task["status"] == "open" and task["sample_size"] < 100
    _run("inspections", "record", task["id"], "--defects", "major=x", "--as", INSPECTOR, code=2)
    done = _run("inspections", "record", task["id"], "--defects", "major=0", "--defects",
                "minor=0", "--evidence", ev[2], "--as", INSPECTOR, "--json")  # fmt: skip
    assert done["verdict"] == "accept"
    _run("lots", "act", lot_id, "ship", "--evidence", ev[0], "--as", MAKER)
    paid = _run("lots", "act", lot_id, "confirm_delivery", "--as", BUYER, "--json")
    assert paid["state"] == "PAID"
    final = _run("orders", "escrow", order_id, "--as", BUYER, "--json")
    assert final["held_minor"] == 0 and final["released_minor"] == 47600


def _contracts(world: World, lot_id: str) -> list[str]:
    from fabnet.services.orders import contracts

    return [c.id for c in contracts.list_lot_contracts(world.db, None, lot_id)]


@pytest.mark.parametrize("args", [["lots", "counter", "LOT", "--as", MAKER]])
def test_a_counter_offer_needs_a_price_or_a_date(
    world: World, cli_env: object, args: list[str]
) -> None:
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    out = _run(*[lot_id if a == "LOT" else a for a in args], code=2)
    assert "price or a due date" in out
    offer = _run("lots", "counter", lot_id, "--price", "4.95", "--due", "2027-02-20",
                 "--note", "PETG costs more", "--as", MAKER, "--json")  # fmt: skip
    assert offer["state"] == "COUNTER_OFFERED"
    assert offer["counter_offer"]["unit_price_minor"] == 495
    expected = _run("orders", "escrow", order_id, "--as", BUYER, "--json")
    assert expected["expected_minor"] == 49500 and expected["due_minor"] == 0
    accepted = _run("lots", "act", lot_id, "accept_counter_offer", "--as", BUYER, "--json")
    assert accepted["state"] == "ACCEPTED" and accepted["unit_price_minor"] == 495
