"""The demo's order story, told through the same services as every adapter.

A humanitarian buyer orders face shields and solar-lamp kits for hospitals in East Africa
(``fabnet/data/orders/east-africa.yaml``). The story: the buyer specifies the order; the planner
splits it across the demo world's fab labs and workshops; each planned facility's manufacturer
organisation is onboarded and invited; one manufacturer declines and its quantity is re-planned
elsewhere; the others accept; the buyer funds escrow; buyer and manufacturers sign each lot's
contract (Ed25519); an inspection body approves prototypes and inspects every lot with an
ISO 2859-1 sampling plan; lots ship and are delivered; escrow is released by the contract's
milestones; finally the hash-chained audit log is verified. Nothing is shortcut: a step that a
service refuses stops the story with that service's error.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.aql import DefectClass
from fabnet.domain.orders.currency import exponent, format_minor
from fabnet.domain.orders.incoterms import DeliveryTerms, Incoterm, TransportMode
from fabnet.domain.orders.states import LotAction, LotState, OrderAction
from fabnet.services.identity.accounts import create_organisation, create_user
from fabnet.services.orders import (
    LotView,
    OrderTerms,
    contracts,
    inspections,
    lots,
    orders,
    payments,
)
from fabnet.services.orders.audit import verify_audit_chain
from fabnet.services.platform.files import store_bytes
from fabnet.services.sourcing.planning import get_plan
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.files import FileStore

ORDER_RESOURCE = "data/orders/east-africa.yaml"
DECLINE_REASON = "our printers are booked for a school programme until March"


@dataclass(frozen=True)
class StoryStep:
    name: str
    detail: str


@dataclass
class MakerLine:
    facility: str
    country: str | None
    kind: str
    item: str
    quantity: int
    unit_price: float


@dataclass
class StoryReport:
    """What the story did, for the demo's final report."""

    order_id: str = ""
    order_name: str = ""
    plan_id: str = ""
    replan_lots: int = 0
    declined_facility: str = ""
    makers: list[MakerLine] = field(default_factory=list)
    plan: dict[str, Any] = field(default_factory=dict)
    lots_by_state: dict[str, int] = field(default_factory=dict)
    money: dict[str, float] = field(default_factory=dict)
    contracts_verified: int = 0
    inspections: int = 0
    audit_events: int = 0
    audit_ok: bool = False
    steps: list[StoryStep] = field(default_factory=list)


StepCallback = Callable[[StoryStep], None]


def load_story_order() -> OrderSpec:
    text = resources.files("fabnet").joinpath(ORDER_RESOURCE).read_text(encoding="utf-8")
    return OrderSpec.model_validate(yaml.safe_load(text))


def _principal(
    db: Database, name: str, kind: OrgKind, email: str, facility_ids: tuple[str, ...] = ()
) -> Principal:
    org = create_organisation(db, name, kind, facility_ids, actor=None)
    user = create_user(db, email, org.id, actor=None, display_name=f"{name} (demo user)")
    return Principal(user_id=user.id, org_id=org.id, org_kind=kind, scopes=frozenset({Scope.WRITE}))


def run_story(
    db: Database, store: FileStore, *, on_step: StepCallback | None = None
) -> StoryReport:
    """Run the whole order story on a database holding the demo world and designs."""
    report = StoryReport()

    def step(name: str, detail: str) -> None:
        s = StoryStep(name, detail)
        report.steps.append(s)
        if on_step is not None:
            on_step(s)

    spec = load_story_order()
    buyer = _principal(
        db, "East Africa Health Supply (demo buyer)", OrgKind.BUYER, "procurement@eahs.example"
    )
    inspector = _principal(
        db,
        "AfriQA Inspection Services (demo)",
        OrgKind.INSPECTION_BODY,
        "inspections@afriqa.example",
    )
    terms = OrderTerms(
        delivery=DeliveryTerms(
            rule=Incoterm.DAP, named_place="each hospital", transport_mode=TransportMode.ROAD
        )
    )
    order = orders.create_order(db, buyer, spec, terms=terms)
    orders.act_on_order(db, buyer, order.id, OrderAction.SPECIFY)
    report.order_id, report.order_name = order.id, spec.name
    total_units = sum(sum(dp.demand.values()) for dp in spec.delivery_points)
    step("order", f"{spec.name}: {total_units} units for {len(spec.delivery_points)} hospitals")

    summary = orders.plan(db, buyer, order.id)
    record = get_plan(db, summary.plan_id)
    report.plan_id = record.id
    report.plan = record.result_json
    if not record.lots:
        raise RuntimeError(f"the demo order could not be planned: {record.result_json}")
    step(
        "plan",
        f"{record.status}: {len(record.lots)} lots at "
        f"{len({lot.facility_id for lot in record.lots})} facilities",
    )

    # Every planned facility's manufacturer joins the platform when invited (in the demo world
    # no facility has an organisation yet). All of them are onboarded so that re-planning can
    # move work to another onboarded facility.
    facility_ids = sorted({lot.facility_id for lot in record.lots})
    with db.read() as session:
        facilities = {f.id: f for f in FacilityRepository(session).get_many(facility_ids)}
    makers: dict[str, Principal] = {}
    for i, fid in enumerate(facility_ids):
        makers[fid] = _principal(
            db, facilities[fid].name, OrgKind.MANUFACTURER, f"maker{i}@fabnet-demo.example", (fid,)
        )
    invited = orders.award(db, buyer, order.id, record.id)
    step("award", f"{len(invited)} lots invited")

    # One manufacturer of a part lot declines; its quantity is re-planned elsewhere.
    declining = next((lot for lot in invited if lot.kind == "part"), invited[0])
    report.declined_facility = facilities[declining.facility_id].name
    lots.decline_lot(db, makers[declining.facility_id], declining.id, DECLINE_REASON)
    replacements = [
        lot for lot in orders.list_lots(db, buyer, order.id) if lot.replaces_lot_id == declining.id
    ]
    report.replan_lots = len(replacements)
    step(
        "decline",
        f"{report.declined_facility} declined {declining.quantity} x "
        f"{declining.item_id}; re-planned into {len(replacements)} new lot(s)",
    )

    open_lots = [
        lot for lot in orders.list_lots(db, buyer, order.id) if lot.state is LotState.INVITED
    ]
    for lot in open_lots:
        lots.accept_lot(db, _maker(makers, lot), lot.id)
    step("accept", f"{len(open_lots)} lots accepted")

    active = [
        lot for lot in orders.list_lots(db, buyer, order.id) if lot.state is LotState.ACCEPTED
    ]
    value = sum(lot.quantity * lot.unit_price_minor for lot in active)
    payments.fund_order(db, buyer, order.id, value, reference="demo-transfer-0001")
    for lot in active:
        for contract in contracts.list_lot_contracts(db, buyer, lot.id):
            contracts.sign_contract(db, buyer, contract.id)
            contracts.sign_contract(db, _maker(makers, lot), contract.id)
            if contracts.verify_contract(db, contract.id).ok:
                report.contracts_verified += 1
    step(
        "contracts",
        f"{report.contracts_verified} contracts signed by both parties and "
        f"verified; {format_minor(value, spec.currency)} in escrow",
    )

    evidence = [
        store_bytes(db, store, f"demo evidence {name}".encode(), original_name=f"{name}.txt").sha256
        for name in ("prototype-photo", "prototype-review", "inspection-record", "waybill")
    ]
    for lot in active:
        maker = _maker(makers, lot)
        inspections.assign_inspector(db, buyer, lot.id, inspector.org_id)
        lots.delegate_prototype_approval(db, buyer, lot.id)
        lots.submit_prototype(db, maker, lot.id, [evidence[0]])
        lots.review_prototype(db, inspector, lot.id, approve=True, evidence_sha256=[evidence[1]])
        lots.act_on_lot(db, maker, lot.id, LotAction.START_PRODUCTION)
        lots.act_on_lot(db, maker, lot.id, LotAction.SUBMIT_FOR_INSPECTION)
        for task in inspections.lot_inspections(db, inspector, lot.id):
            if task.status != "open":
                continue
            inspections.record_inspection(
                db,
                inspector,
                task.id,
                {DefectClass.MAJOR: 0, DefectClass.MINOR: 0},
                evidence_sha256=[evidence[2]],
            )
            report.inspections += 1
        lots.act_on_lot(db, maker, lot.id, LotAction.SHIP, evidence_sha256=[evidence[3]])
        lots.act_on_lot(db, buyer, lot.id, LotAction.CONFIRM_DELIVERY)
    step(
        "quality and delivery",
        f"{report.inspections} AQL inspections passed; {len(active)} lots shipped and delivered",
    )

    final = orders.list_lots(db, buyer, order.id)
    report.lots_by_state = dict(Counter(lot.state.value for lot in final))
    for lot in final:
        if lot.state in (LotState.PAID, LotState.DELIVERED, LotState.CLOSED):
            fac = facilities.get(lot.facility_id)
            report.makers.append(
                MakerLine(
                    facility=fac.name if fac else lot.facility_id,
                    country=fac.location.country if fac else None,
                    kind=lot.kind,
                    item=lot.item_id,
                    quantity=lot.quantity,
                    unit_price=lot.unit_price_minor / 10 ** exponent(lot.currency),
                )
            )
    balances = payments.ledger_balances(db)
    money: dict[str, float] = defaultdict(float)
    for (account, code), amount in balances.items():
        head = account.split(":", 1)[0]
        money[head] += amount / 10 ** exponent(code)
    report.money = dict(money)
    chain = verify_audit_chain(db)
    report.audit_ok = chain.ok
    report.audit_events = chain.checked
    step("audit", f"{chain.checked} events, chain {'verified' if chain.ok else 'BROKEN'}")
    return report


def _maker(makers: dict[str, Principal], lot: LotView) -> Principal:
    return makers[lot.facility_id]
