"""Whole-unit lots from a solved sourcing problem: one per (facility, part) and per (assembly
site, product), each with its destinations and a due date that leaves time for the transit after
it. A product delivered as kits has part lots only, shipped to the delivery points (the recipient
assembles). Pure: no storage, no services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from fabnet.domain.plan import Destination, LotKind, ProposedLot
from fabnet.engine.planning.result import PlanResult
from fabnet.engine.planning.rounding import whole_units
from fabnet.engine.sourcing import (
    SourcingProblem,
)


def proposed_lots(sourcing: SourcingProblem, result: PlanResult) -> tuple[ProposedLot, ...]:
    """Whole-unit lots from the planner's (possibly fractional) flows."""
    problem = sourcing.problem
    dues = {d.id: d.due_days for d in problem.delivery_points}
    units = whole_units(result.flows)
    out_flows: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, flow in enumerate(result.flows):
        if units[i] > 0:
            out_flows[(flow.item_id, flow.origin_facility_id)].append(i)

    unit_cost = {(c.part_id, c.facility_id): c for c in problem.candidates}
    asm_cost = {(c.product_id, c.facility_id): c for c in problem.assembly_candidates}
    products = {p.id: p for p in problem.products}

    def destinations(item: str, facility: str) -> tuple[Destination, ...]:
        return tuple(
            Destination(
                kind="delivery_point" if result.flows[i].to_delivery_point else "assembly_site",
                id=result.flows[i].destination_id,
                quantity=units[i],
                transit_days=round(result.flows[i].transit_days, 2),
            )
            for i in out_flows.get((item, facility), [])
        )

    lots: list[ProposedLot] = []
    assembly_due: dict[tuple[str, str], float | None] = {}
    for asm in result.assembly:
        dests = destinations(asm.product_id, asm.facility_id)
        qty = sum(d.quantity for d in dests)
        if qty <= 0:
            continue
        ac = asm_cost[(asm.product_id, asm.facility_id)]
        due = _due(dests, dues)
        assembly_due[(asm.product_id, asm.facility_id)] = (
            None if due is None else due - ac.lead_time_days
        )
        ref = sourcing.items[asm.product_id]
        lots.append(
            _lot(
                sourcing,
                asm.facility_id,
                "assembly",
                ref.product_key,
                ref.design_id,
                ref.item_id,
                ref.name,
                qty,
                ac.unit_cost,
                ac.setup_cost,
                due,
                dests,
            )
        )
    kits = set(sourcing.kits)
    for line in result.production:
        ref = sourcing.items[line.part_id]
        kit = ref.product_key in kits  # the part is shipped as is to the kit's recipients
        assembled = not kit and products[ref.product_key].assembled
        item = line.part_id if assembled or kit else ref.product_key
        dests = destinations(item, line.facility_id)
        qty = sum(d.quantity for d in dests)
        if qty <= 0:
            continue
        c = unit_cost[(line.part_id, line.facility_id)]
        if kit:
            due = _due(dests, dues)
            kind: LotKind = "part"
        elif assembled:
            due_candidates = [assembly_due.get((ref.product_key, d.id)) for d in dests]
            known = [
                v - d.transit_days
                for v, d in zip(due_candidates, dests, strict=True)
                if v is not None
            ]
            due = min(known) if known else None
            kind = "part"
        else:
            due = _due(dests, dues)
            kind = "product"
        lots.append(
            _lot(
                sourcing,
                line.facility_id,
                kind,
                ref.product_key,
                ref.design_id,
                ref.item_id,
                ref.name,
                qty,
                c.unit_cost,
                c.setup_cost,
                due,
                dests,
            )
        )
    return tuple(lots)


def _due(dests: Sequence[Destination], dues: Mapping[str, float | None]) -> float | None:
    known = [
        due - d.transit_days
        for d in dests
        if d.kind == "delivery_point" and (due := dues.get(d.id)) is not None
    ]
    return round(min(known), 2) if known else None


def _lot(
    sourcing: SourcingProblem,
    facility_id: str,
    kind: LotKind,
    key: str,
    design_id: str,
    item_id: str,
    name: str,
    qty: int,
    unit_cost: float,
    setup: float,
    due: float | None,
    dests: tuple[Destination, ...],
) -> ProposedLot:
    return ProposedLot(
        facility_id=facility_id,
        facility_name=sourcing.facility_names.get(facility_id, facility_id),
        kind=kind,
        product_key=key,
        design_id=design_id,
        item_id=item_id,
        item_name=name,
        quantity=qty,
        unit_price=round(unit_cost, 4),
        setup_cost=setup,
        due_days=due,
        destinations=dests,
    )
