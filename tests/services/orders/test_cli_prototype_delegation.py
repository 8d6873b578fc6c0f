"""Issue 13 from the command line: the buyer delegates a lot's prototype approval to the lot's
inspector (``fabnet lots delegate-prototype LOT [--undo]``), and ``fabnet lots show`` says who
approves the prototype and what became of a declined lot's quantity (its re-plan outcome)."""

from __future__ import annotations

from fabnet.domain.orders.states import LotState
from fabnet.services.orders import lots

from .conftest import Dest, Proposal, World, award_proposals, specified_order
from .test_cli_lifecycle import BUYER, INSPECTOR, MAKER, _run
from .test_inspector_assignment import _contracted


def test_the_buyer_delegates_the_prototype_approval_from_the_cli(
    world: World, cli_env: object
) -> None:
    lot_id = _contracted(world)
    # no inspection body yet: refused, saying what to do
    assert "assign one first" in _run("lots", "delegate-prototype", lot_id, "--as", BUYER, code=1)
    _run("inspections", "assign", lot_id, world.inspector.org_id, "--as", BUYER)
    shown = " ".join(_run("lots", "show", lot_id, "--as", BUYER).split())
    assert "prototype approval: the buyer's (delegate it to Inspect Co" in shown
    # only the buyer delegates; another organisation does not even see the lot
    assert "only the buyer" in _run("lots", "delegate-prototype", lot_id, "--as", MAKER, code=1)
    _run("lots", "delegate-prototype", lot_id, "--as", "other.buyer@example.org", code=2)
    assert "say who acts" in _run("lots", "delegate-prototype", lot_id, code=2)

    out = " ".join(_run("lots", "delegate-prototype", lot_id, "--as", BUYER).split())
    assert "the inspector Inspect Co approves or rejects the prototype" in out
    undone = _run("lots", "delegate-prototype", lot_id, "--undo", "--as", BUYER, "--json")
    assert undone["delegated"] is False
    _run("lots", "prototype", lot_id, "submit", "--evidence", world.evidence[0], "--as", MAKER)
    refused = _run("lots", "prototype", lot_id, "approve", "--evidence", world.evidence[1],
                   "--as", INSPECTOR, code=1)  # fmt: skip
    assert "has not delegated" in refused

    again = _run("lots", "delegate-prototype", lot_id, "--as", BUYER, "--json")
    assert again["delegated"] is True and again["inspector_name"] == "Inspect Co"
    assert again["delegated_by"] == world.buyer.user_id
    shown = _run("lots", "show", lot_id, "--as", MAKER, "--json")
    assert shown["prototype_approval"]["delegated"] is True and shown["replan"] is None
    text = " ".join(_run("lots", "show", lot_id, "--as", INSPECTOR).split())
    assert "prototype approval: delegated to the inspector Inspect Co on " in text
    approved = _run("lots", "prototype", lot_id, "approve", "--evidence", world.evidence[1],
                    "--as", INSPECTOR, "--json")  # fmt: skip
    assert approved["state"] == LotState.PROTOTYPE_APPROVED.value
    # past review it can no longer be taken back
    assert "past review" in _run("lots", "delegate-prototype", lot_id, "--undo", "--as", BUYER,
                                 code=1)  # fmt: skip


def test_lots_show_tells_what_became_of_a_declined_lot(world: World, cli_env: object) -> None:
    order_id = specified_order(world, quantity=100)
    [lot_id] = award_proposals(world, order_id, [
        Proposal("fac-0", 100, 4.76, destinations=(Dest("delivery_point", "knh", 100),)),
    ])  # fmt: skip
    before = _run("lots", "show", lot_id, "--as", BUYER, "--json")
    assert before["replan"] is None
    _run("lots", "decline", lot_id, "--reason", "no PETG in stock", "--as", MAKER)
    outcome = lots.replan_outcome(world.db, world.buyer, lot_id)
    assert outcome is not None
    shown = _run("lots", "show", lot_id, "--as", BUYER, "--json")
    assert shown["state"] == "DECLINED"
    assert shown["replan"]["status"] == outcome.status
    assert shown["replan"]["message"] == outcome.message
    text = " ".join(_run("lots", "show", lot_id, "--as", BUYER).split())
    assert "declined by Maker 0's workshop" in text and "no PETG in stock" in text
    assert ("re-planned" if outcome.status == "replanned" else "re-plan failed") in text
