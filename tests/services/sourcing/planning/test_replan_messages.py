"""Issue 13: a rejected counter-offer re-plans like a decline, and the buyer is told what
happened and why: which facility's offer was rejected, the reason, where the quantity went (by
facility name) — or, when no other facility can take it, that it stays open — in a notification
and an audit event on the lot that the lot's re-plan outcome shows."""

from __future__ import annotations

from pathlib import Path

from fabnet.domain.identity import OrgKind, Principal
from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import LotAction, LotState, OrderAction, OrderState
from fabnet.services.identity.accounts import get_organisation, update_organisation
from fabnet.services.orders import CounterOffer, LotView, OrderTerms, lots, orders
from fabnet.services.orders.audit import object_history, verify_audit_chain
from fabnet.services.platform import notifications
from fabnet.storage.db import Database

from .test_counter_offer_replan import _principal
from .test_plan_order import _spec

NAMES = {"f-nairobi": "Nairobi Makers", "f-kampala": "Kampala Fab", "f-kigali": "Kigali Lab"}


def _awarded(db: Database, tmp_path: Path) -> tuple[Principal, dict[str, Principal], str,
                                                   list[LotView]]:  # fmt: skip
    buyer = _principal(db, "Hospital Buyer", OrgKind.BUYER)
    makers = {f: _principal(db, f"Maker {f}", OrgKind.MANUFACTURER, (f,)) for f in NAMES}
    terms = OrderTerms(delivery=DeliveryTerms(rule=Incoterm.DAP, named_place="each hospital",
                                              transport_mode=TransportMode.ROAD))  # fmt: skip
    order = orders.create_order(db, buyer, _spec(tmp_path), terms=terms)
    orders.act_on_order(db, buyer, order.id, OrderAction.SPECIFY)
    summary = orders.plan(db, buyer, order.id)
    return buyer, makers, order.id, orders.award(db, buyer, order.id, summary.plan_id)


def _reject_counter_offer(db: Database, buyer: Principal, maker: Principal, lot: LotView,
                          reason: str) -> LotView:  # fmt: skip
    lots.counter_offer_lot(db, maker, lot.id,
                           CounterOffer(unit_price_minor=lot.unit_price_minor * 3))  # fmt: skip
    return lots.act_on_lot(db, buyer, lot.id, LotAction.REJECT_COUNTER_OFFER, reason=reason)


def test_the_buyer_is_told_which_facility_offered_why_it_was_rejected_and_where_it_went(
    catalogue: Database, tmp_path: Path
) -> None:
    db = catalogue
    buyer, makers, order_id, invited = _awarded(db, tmp_path)
    part = next(lot for lot in invited if lot.kind == "part")
    _reject_counter_offer(db, buyer, makers[part.facility_id], part, "three times the price")

    [new] = [lot for lot in orders.list_lots(db, buyer, order_id) if lot.replaces_lot_id == part.id]
    assert new.state is LotState.INVITED and new.facility_id != part.facility_id
    [told] = [n for n in notifications.list_notifications(db, buyer, order_id=order_id)
              if n.event_type == "order.replan"]  # fmt: skip
    assert told.object_id == part.id
    assert f"the counter-offer of {NAMES[part.facility_id]} was rejected" in told.message
    assert "three times the price" in told.message
    assert f"{new.quantity} at {NAMES[new.facility_id]} (lot {new.id[:8]})" in told.message
    # the new maker got its invitation
    invites = notifications.list_notifications(db, makers[new.facility_id])
    assert any(n.event_type == "lot.invite" and n.object_id == new.id for n in invites)
    # the lot shows what became of it, from the audit log (whose chain still verifies)
    outcome = lots.replan_outcome(db, buyer, part.id)
    assert outcome is not None and outcome.status == "replanned"
    assert outcome.new_lot_ids == (new.id,) and outcome.message == told.message
    [event] = [e for e in object_history(db, [part.id]) if e.event_type == "lot.replan"]
    assert event.payload["new_lot_ids"] == [new.id] and event.seq == outcome.audit_seq
    assert verify_audit_chain(db).ok
    assert lots.replan_outcome(db, buyer, new.id) is None


def test_when_no_other_facility_can_take_the_lot_the_buyer_is_told_so_in_words(
    catalogue: Database, tmp_path: Path
) -> None:
    db = catalogue
    buyer, makers, order_id, invited = _awarded(db, tmp_path)
    part = next(lot for lot in invited if lot.kind == "part")
    for fid, maker in makers.items():  # nobody else runs a facility on the platform any more
        if fid != part.facility_id:
            org = get_organisation(db, maker.org_id, actor=None)
            update_organisation(db, org.id, actor=None, expected_version=None, facility_ids=[])
    _reject_counter_offer(db, buyer, makers[part.facility_id], part, "far over budget")

    now = orders.list_lots(db, buyer, order_id)
    assert not [lot for lot in now if lot.replaces_lot_id == part.id]
    assert orders.get_order(db, buyer, order_id).state is OrderState.SOURCING
    [told] = [n for n in notifications.list_notifications(db, buyer, order_id=order_id)
              if n.event_type == "order.replan_failed"]  # fmt: skip
    assert f"the counter-offer of {NAMES[part.facility_id]} was rejected" in told.message
    assert "far over budget" in told.message
    assert "No other facility can take it" in told.message
    assert f"already tried or failed for this order: {NAMES[part.facility_id]}" in told.message
    assert f"its {part.quantity} units are open" in told.message
    outcome = lots.replan_outcome(db, buyer, part.id)
    assert outcome is not None and outcome.status == "failed" and outcome.new_lot_ids == ()
    assert outcome.message == told.message
