"""A buyer-facing quote of a design: per item (part or assembly step) the process, hours and
material per unit, and, with a facility, the price from its rate card.

Items per finished product come from the BOM (:meth:`Design.part_quantities`, and for assembly
steps the product of the quantities above them). With a facility, each item is priced at every
rate of the facility's card whose process makes it (the same process or a more specific one,
as matching decides) and the cheapest complete price is kept; an item the facility has no rate
for, or whose price misses a figure, leaves the quote incomplete and says why. Bought-in parts
are listed but not priced. The card's minimum order value is applied to the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from fabnet.domain.design import Design
from fabnet.domain.facility import Facility, ProcessRate
from fabnet.engine.quoting.estimate import time_for_process
from fabnet.engine.quoting.pricing import Price, price_process_time
from fabnet.engine.quoting.times import ProcessTime
from fabnet.errors import UnknownTermError
from fabnet.vocab.processes import get_process_taxonomy

ItemKind = Literal["part", "assembly", "purchased"]


@dataclass(frozen=True)
class QuoteLine:
    """One item by one process (several lines per item without a facility: one per process)."""

    item_id: str
    item_name: str
    kind: ItemKind
    per_product: int
    process: str | None
    time: ProcessTime | None
    price: Price | None = None
    note: str | None = None


@dataclass(frozen=True)
class DesignQuote:
    design_id: str
    design_name: str
    quantity: int
    lines: tuple[QuoteLine, ...]
    facility_id: str | None = None
    facility_name: str | None = None
    currency: str | None = None
    total: float | None = None
    """Price of ``quantity`` products; None unless every made item is priced (``complete``): an
    incomplete quote never shows a total."""
    priced_subtotal: float | None = None
    """The sum of the lines that could be priced (an incomplete quote's partial figure)."""
    complete: bool = False
    minimum_order_value_applied: bool = False
    missing: tuple[str, ...] = ()
    """Why the quote is incomplete: one entry per item that could not be priced."""

    @property
    def per_product(self) -> float | None:
        return None if self.total is None else self.total / self.quantity


def assembly_quantities(design: Design) -> dict[str, int]:
    """Assembly steps per finished product (the root once; sub-assemblies multiplied down)."""
    if design.root_assembly_id is None:
        return {}
    by_id = {a.id: a for a in design.assemblies}
    totals: dict[str, int] = {}

    def walk(asm_id: str, factor: int) -> None:
        totals[asm_id] = totals.get(asm_id, 0) + factor
        for line in by_id[asm_id].lines:
            if line.item_id in by_id:
                walk(line.item_id, factor * line.quantity)

    walk(design.root_assembly_id, 1)
    return totals


def _items(design: Design) -> list[tuple[str, str, ItemKind, int, tuple[str, ...]]]:
    """(id, name, kind, per product, processes) of every item in BOM order."""
    part_qty = design.part_quantities()
    items: list[tuple[str, str, ItemKind, int, tuple[str, ...]]] = []
    for part in design.parts:
        qty = part_qty.get(part.id, 0)
        if qty == 0:
            continue
        kind: ItemKind = "purchased" if part.purchased else "part"
        items.append((part.id, part.name, kind, qty, part.processes))
    for asm_id, qty in assembly_quantities(design).items():
        asm = design.assembly(asm_id)
        items.append((asm.id, asm.name, "assembly", qty, (asm.process,)))
    return items


def _makes(rate: ProcessRate, processes: tuple[str, ...]) -> bool:
    taxonomy = get_process_taxonomy()
    for required in processes:
        try:
            if taxonomy.satisfies(rate.process, required):
                return True
        except UnknownTermError:
            continue
    return False


def _covers(estimated: str, allowed: str) -> bool:
    try:
        return get_process_taxonomy().satisfies(estimated, allowed)
    except UnknownTermError:
        return estimated == allowed


def _unpriced_lines(
    item: tuple[str, str, ItemKind, int, tuple[str, ...]], times: Mapping[str, ProcessTime]
) -> list[QuoteLine]:
    """One line per estimated process, and one per allowed process nothing could estimate."""
    item_id, name, kind, qty, processes = item
    lines = [QuoteLine(item_id, name, kind, qty, p, t) for p, t in times.items()]
    for process in processes:
        if not any(_covers(p, process) for p in times):
            lines.append(
                QuoteLine(item_id, name, kind, qty, process, None, note="no time estimate")
            )
    if not processes and not times:
        lines.append(QuoteLine(item_id, name, kind, qty, None, None, note="no process named"))
    return lines


def _priced_line(
    item: tuple[str, str, ItemKind, int, tuple[str, ...]],
    times: Mapping[str, ProcessTime],
    facility: Facility,
    units: int,
) -> QuoteLine:
    item_id, name, kind, qty, processes = item
    card = facility.extension.rate_card
    rates = [r for r in (card.rates if card else ()) if _makes(r, processes)]
    if not rates:
        wanted = ", ".join(processes) or "no process"
        return QuoteLine(item_id, name, kind, qty, None, None, note=f"no rate for {wanted}")
    candidates = [
        (price_process_time(time_for_process(times, r.process), r, units), r) for r in rates
    ]
    complete = [(p, r) for p, r in candidates if p.complete and p.total is not None]
    if complete:
        price, rate = min(complete, key=lambda pr: pr[0].total or 0.0)
        return QuoteLine(
            item_id, name, kind, qty, rate.process, time_for_process(times, rate.process), price
        )
    price, rate = candidates[0]
    return QuoteLine(
        item_id,
        name,
        kind,
        qty,
        rate.process,
        time_for_process(times, rate.process),
        price,
        note=price.missing,
    )


def build_design_quote(
    design: Design,
    times: Mapping[str, Mapping[str, ProcessTime]],
    *,
    quantity: int = 1,
    facility: Facility | None = None,
) -> DesignQuote:
    """The quote of ``quantity`` products of ``design`` from per-item process ``times``."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    lines: list[QuoteLine] = []
    missing: list[str] = []
    total = 0.0
    for item in _items(design):
        item_id, name, kind, qty, _ = item
        if kind == "purchased":
            lines.append(QuoteLine(item_id, name, kind, qty, None, None, note="bought in"))
            continue
        item_times = times.get(item_id, {})
        if facility is None:
            lines.extend(_unpriced_lines(item, item_times))
            continue
        line = _priced_line(item, item_times, facility, qty * quantity)
        lines.append(line)
        if line.price is not None and line.price.total is not None:
            total += line.price.total
        else:
            missing.append(f"{item_id}: {line.note}")
    if facility is None:
        return DesignQuote(design.id, design.name, quantity, tuple(lines))
    card = facility.extension.rate_card
    minimum = card.minimum_order_value if card else 0.0
    applied = not missing and total < minimum
    return DesignQuote(
        design.id,
        design.name,
        quantity,
        tuple(lines),
        facility_id=facility.id,
        facility_name=facility.name,
        currency=card.currency if card else None,
        total=max(total, minimum) if not missing else None,
        priced_subtotal=total,
        complete=not missing,
        minimum_order_value_applied=applied,
        missing=tuple(missing),
    )
