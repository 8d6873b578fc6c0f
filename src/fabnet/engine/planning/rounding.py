"""Whole units from a plan's flows: the planner may split an item's units fractionally (its LP
relaxation, or an integral plan with 1e-9 noise); lots, contracts and shipments need integers.

Largest-remainder rounding (Hamilton's method) keeps every item's total exact: each flow gets its
whole part, and the units still missing go to the flows with the largest fractional parts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from fabnet.engine.planning.result import Flow

_EPS = 1e-9


def largest_remainder(values: Sequence[float], total: int) -> list[int]:
    """Integers, one per value, each the value's floor or ceiling, summing to ``total``
    (for ``total`` between the sum of floors and the sum of ceilings)."""
    floors = [math.floor(v + _EPS) for v in values]
    missing = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: values[i] - floors[i], reverse=True)
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return floors


def whole_units(flows: Sequence[Flow]) -> list[int]:
    """Whole units of each flow, the flows of one item rounded together so the item's total is
    its (rounded) planned total."""
    by_item: dict[str, list[int]] = defaultdict(list)
    for i, flow in enumerate(flows):
        by_item[flow.item_id].append(i)
    units = [0] * len(flows)
    for indices in by_item.values():
        values = [flows[i].quantity for i in indices]
        for i, q in zip(indices, largest_remainder(values, round(sum(values))), strict=True):
            units[i] = q
    return units
