"""A rejected counter-offer on a planned order is re-planned, and the buyer is told what happened
and why (issue 13: it used to leave the order in SOURCING with no new lot and no message)."""

from __future__ import annotations

from pathlib import Path

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import LotAction, LotState, OrderAction, OrderState
from fabnet.services.identity.accounts import create_organisation, create_user
from fabnet.services.orders import CounterOffer, OrderTerms, lots, orders
from fabnet.services.platform import notifications
from fabnet.storage.db import Database

from .test_plan_order import _spec


def _principal(
    db: Database, name: str, kind: OrgKind, facilities: tuple[str, ...] = ()
) -> Principal:
    org = create_organisation(db, name, kind, facilities, actor=None)
    user = create_user(db, f"{name.lower().replace(' ', '.')}@example.org", org.id, actor=None)
    return Principal(user_id=user.id, org_id=org.id, org_kind=kind,
                     scopes=frozenset({Scope.WRITE}))  # fmt: skip


def test_rejected_counter_offer_replans_and_tells_the_buyer(
    catalogue: Database, tmp_path: Path
) -> None:
    db = catalogue
    buyer = _principal(db, "Hospital Buyer", OrgKind.BUYER)
    makers = {f: _principal(db, f"Maker {f}", OrgKind.MANUFACTURER, (f,))
              for f in ("f-nairobi", "f-kampala", "f-kigali")}  # fmt: skip
    terms = OrderTerms(delivery=DeliveryTerms(rule=Incoterm.DAP, named_place="each hospital",
                                              transport_mode=TransportMode.ROAD))  # fmt: skip
    order = orders.create_order(db, buyer, _spec(tmp_path), terms=terms)
    orders.act_on_order(db, buyer, order.id, OrderAction.SPECIFY)
    summary = orders.plan(db, buyer, order.id)
    invited = orders.award(db, buyer, order.id, summary.plan_id)
    part = next(lot for lot in invited if lot.kind == "part")
    maker = makers[part.facility_id]
    lots.counter_offer_lot(db, maker, part.id,
                           CounterOffer(unit_price_minor=part.unit_price_minor * 3))  # fmt: skip
    rejected = lots.act_on_lot(db, buyer, part.id, LotAction.REJECT_COUNTER_OFFER,
                               reason="three times the planned price")  # fmt: skip
    assert rejected.state is LotState.DECLINED
    now = orders.list_lots(db, buyer, order.id)
    new = [lot for lot in now if lot.replaces_lot_id == part.id]
    assert new and sum(lot.quantity for lot in new) == part.quantity
    assert all(lot.facility_id != part.facility_id for lot in new)
    assert orders.get_order(db, buyer, order.id).state is OrderState.ALLOCATED
    told = [n.message for n in notifications.list_notifications(db, buyer)
            if n.event_type == "order.replan"]  # fmt: skip
    assert told and "three times the planned price" in told[0] and "re-planned into" in told[0]
