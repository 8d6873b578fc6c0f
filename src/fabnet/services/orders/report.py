"""The order's report: what was made where, delivered when, what it cost, its CO2e, and what it
saved against a centralised supply, the nearest facilities and retail.

Cost is the buyer's cost in the order's currency: the contract value of every lot that was not
declined, expired, terminated or cancelled (after counter-offers, at the accepted quantity when
a lot was accepted in part), plus the plan's transport and duties, which the lots' prices do not
carry. The baselines are the plan's own (the same network and rules as the plan: a baseline
that breaks a rule is shown as such and not counted as a saving); retail is the design's
recorded retail price (``[fabnet] retail-price``) times the units ordered, when it is in the
order's currency (fabnet keeps no exchange rates). CO2e is the plan's (transport and, where
facilities give it, production), scaled by the share of units delivered.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import Field

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal
from fabnet.domain.orders.currency import exponent
from fabnet.domain.orders.states import LotAction, LotState
from fabnet.errors import FabnetError
from fabnet.services.catalogue.designs import get_design
from fabnet.services.orders._access import load_order, order_roles
from fabnet.services.orders._views import DEMAND_ROLES, FAILED_LOT_STATES, lot_view
from fabnet.services.sourcing.planning import get_plan
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.orders import OrderRepository

#: States in which a lot's units have reached the buyer.
DELIVERED_STATES = frozenset({LotState.DELIVERED, LotState.PAID, LotState.CLOSED})


class LotOutcome(Frozen):
    lot_id: str
    item_id: str
    facility_id: str
    state: LotState
    quantity: int
    value_minor: int = Field(description="Contract value: units (accepted) x unit price")
    due_date: date
    delivered_on: date | None
    days_late: int | None = Field(description="Delivered after the due date by; None: not yet")


class Comparison(Frozen):
    """The order against one alternative supply (positive savings: the order was cheaper)."""

    baseline: str = Field(description="centralised, nearest or retail")
    description: str
    cost_minor: int
    saved_minor: int
    saved_pct: float
    co2e_kg: float | None
    co2e_saved_kg: float | None
    valid: bool = Field(description="False: the baseline breaks a rule the plan obeys")
    breaks: tuple[str, ...] = ()


class OrderReport(Frozen):
    order_id: str
    order_name: str
    currency: str
    plan_id: str | None
    complete: bool = Field(description="Every live lot delivered")
    units_ordered: int
    units_delivered: int
    lots: tuple[LotOutcome, ...]
    lots_on_time: int
    lots_late: int
    manufacturing_minor: int = Field(description="Contract value of the live lots")
    logistics_minor: int = Field(description="The plan's transport and duties")
    cost_minor: int = Field(description="manufacturing + logistics")
    co2e_kg: float | None
    comparisons: tuple[Comparison, ...]
    notes: tuple[str, ...] = ()


def _minor(amount: float, code: str) -> int:
    scaled = Decimal(str(amount)).scaleb(exponent(code))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pct(saved: int, base: int) -> float:
    return round(100.0 * saved / base, 1) if base else 0.0


def order_report(db: Database, actor: Principal | None, order_id: str) -> OrderReport:
    """For anyone who sees the order (a manufacturer sees its own lots only)."""
    with db.read() as session:
        order, parties = load_order(session, order_id, actor)
        demand = (
            actor is None
            or actor.is_platform_admin
            or bool(order_roles(parties, actor.org_id) & DEMAND_ROLES)
        )
        rows = OrderRepository(session).lots_of(order_id)
        delivered: dict[str, date] = {}
        for row in rows:
            for t in OrderRepository(session).transitions(row.id):
                if t.action == LotAction.CONFIRM_DELIVERY.value:
                    delivered[row.id] = t.occurred_at.date()
        views = [lot_view(r) for r in rows]
        code, name, plan_id, spec = order.currency, order.name, order.plan_id, dict(order.spec)
    if not demand and actor is not None:  # a manufacturer or inspector: its own lots
        views = [v for v in views if actor.org_id in (v.manufacturer_org_id, v.inspector_org_id)]
    notes: list[str] = []
    live = [v for v in views if v.state not in FAILED_LOT_STATES]
    outcomes = []
    for v in live:
        units = v.accepted_quantity if v.accepted_quantity is not None else v.quantity
        on = delivered.get(v.id)
        outcomes.append(LotOutcome(
            lot_id=v.id, item_id=v.item_id, facility_id=v.facility_id, state=v.state,
            quantity=units, value_minor=units * v.unit_price_minor, due_date=v.due_date,
            delivered_on=on, days_late=None if on is None else max(0, (on - v.due_date).days),
        ))  # fmt: skip
    parsed = OrderSpec.model_validate(spec)
    units_ordered = sum(sum(p.demand.values()) for p in parsed.delivery_points)
    product_keys = {p.ref for p in parsed.products}
    units_delivered = sum(o.quantity for o in outcomes
                          if o.delivered_on is not None and o.item_id in product_keys)  # fmt: skip
    manufacturing = sum(o.value_minor for o in outcomes)

    plan: dict[str, Any] = {}
    if plan_id is not None:
        try:
            record = get_plan(db, plan_id)
        except FabnetError:
            notes.append(f"the order's plan {plan_id} is not stored: no baselines to compare")
        else:
            plan = record.result_json
            if record.currency != code:
                notes.append(f"the plan is priced in {record.currency}, the order in {code}")
                plan = {}
    else:
        notes.append("the order was allocated without a plan: no baselines to compare")
    cost = plan.get("cost") or {}
    logistics = _minor(float(cost.get("transport", 0.0)) + float(cost.get("duties", 0.0)), code)
    total = manufacturing + logistics
    share = units_delivered / units_ordered if units_ordered else 0.0
    co2 = plan.get("co2e_kg")
    co2e = None if co2 is None else round(float(co2) * (share if share else 1.0), 3)

    comparisons = []
    for b in plan.get("baselines", []):
        base = _minor(float(b["cost"]), code)
        saved = base - total
        b_co2 = b.get("co2e_kg")
        comparisons.append(Comparison(
            baseline=b["name"], description=b.get("description", ""), cost_minor=base,
            saved_minor=saved, saved_pct=_pct(saved, base),
            co2e_kg=b_co2, co2e_saved_kg=None if b_co2 is None or co2 is None
            else round(float(b_co2) - float(co2), 3),
            valid=not b.get("breaks"), breaks=tuple(b.get("breaks") or ()),
        ))  # fmt: skip
    retail = _retail(db, parsed, code, notes)
    if retail is not None:
        saved = retail - total
        comparisons.append(Comparison(
            baseline="retail", description="the products bought ready-made at their retail price",
            cost_minor=retail, saved_minor=saved, saved_pct=_pct(saved, retail),
            co2e_kg=None, co2e_saved_kg=None, valid=True,
        ))  # fmt: skip
    done = [o for o in outcomes if o.delivered_on is not None]
    return OrderReport(
        order_id=order_id, order_name=name, currency=code, plan_id=plan_id,
        complete=bool(outcomes) and all(o.state in DELIVERED_STATES for o in outcomes),
        units_ordered=units_ordered, units_delivered=units_delivered, lots=tuple(outcomes),
        lots_on_time=sum(1 for o in done if o.days_late == 0),
        lots_late=sum(1 for o in done if (o.days_late or 0) > 0),
        manufacturing_minor=manufacturing, logistics_minor=logistics, cost_minor=total,
        co2e_kg=co2e, comparisons=tuple(comparisons), notes=tuple(notes),
    )  # fmt: skip


def _retail(db: Database, spec: OrderSpec, code: str, notes: list[str]) -> int | None:
    total = 0
    for product in spec.products:
        units = sum(p.demand.get(product.ref, 0) for p in spec.delivery_points)
        try:
            design = get_design(db, product.design)
        except FabnetError:
            notes.append(f"design {product.design} is not in the catalogue: no retail price")
            return None
        price = design.retail_price
        if price is None:
            notes.append(f"{design.name} has no retail price recorded: no retail comparison")
            return None
        if price.currency != code:
            notes.append(f"{design.name}'s retail price is in {price.currency}, the order in "
                         f"{code}: no retail comparison")  # fmt: skip
            return None
        total += _minor(price.amount, code) * units
    return total
