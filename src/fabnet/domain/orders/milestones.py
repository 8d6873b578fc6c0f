"""Payment milestones and exact integer allocation of money by shares."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field

from fabnet.domain.common import Frozen

BASIS_POINTS = 10_000


class MilestoneTrigger(StrEnum):
    """Lot transitions (action names) that release escrow.

    ``accept_lot`` also fires when a partially accepted lot ships (the accepted part).
    """

    CONTRACT = "contract"
    APPROVE_PROTOTYPE = "approve_prototype"
    ACCEPT_LOT = "accept_lot"
    CONFIRM_DELIVERY = "confirm_delivery"


#: The order in which a lot reaches the milestone triggers. A later trigger also releases every
#: earlier milestone that never fired (a prototype superseded by a disputed rework and a lot
#: inspection, say), so that a delivered lot's escrow is always empty.
MILESTONE_ORDER: tuple[MilestoneTrigger, ...] = (
    MilestoneTrigger.CONTRACT,
    MilestoneTrigger.APPROVE_PROTOTYPE,
    MilestoneTrigger.ACCEPT_LOT,
    MilestoneTrigger.CONFIRM_DELIVERY,
)


class PaymentMilestone(Frozen):
    """Release ``share_bp`` basis points of the lot's escrow when the lot takes ``trigger``."""

    trigger: MilestoneTrigger
    share_bp: int = Field(ge=1, le=BASIS_POINTS)


def milestone_problems(
    milestones: Sequence[PaymentMilestone], *, prototype_required: bool
) -> list[str]:
    """What is wrong with a contract's milestones (empty when they are valid)."""
    problems = []
    total = sum(m.share_bp for m in milestones)
    if total != BASIS_POINTS:
        problems.append(f"milestone shares add up to {total} bp, not {BASIS_POINTS}")
    triggers = [m.trigger for m in milestones]
    repeated = sorted({t.value for t in triggers if triggers.count(t) > 1})
    if repeated:
        problems.append("one milestone per trigger; repeated: " + ", ".join(repeated))
    if not prototype_required and MilestoneTrigger.APPROVE_PROTOTYPE in triggers:
        problems.append("a milestone on approve_prototype needs prototype_required")
    return problems


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units by ``weights`` so that the parts add up to ``total`` exactly.

    Largest-remainder (Hamilton) method: everyone gets the floor of their exact share, and the
    units left over go to the largest fractional remainders (earlier entries win ties).
    """
    if total < 0:
        raise ValueError("cannot allocate a negative amount")
    weight_sum = sum(weights)
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors
