"""What a plan proposes, in whole units: one lot per manufacturer and item, and where it goes.

The one model of a proposed lot, used from the planner's result through the stored plan to the
API, the CLI and the web pages (a plan's JSON is ``ProposedLot.model_dump(mode="json")``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fabnet.domain.common import Frozen

LotKind = Literal["part", "assembly", "product"]
"""``part``: a part of an assembled product, shipped to an assembly site (or, for a product
ordered as kits, to the delivery points, whose recipients assemble); ``assembly``: the final
assembly of a product; ``product``: a one-part product made and shipped whole."""

DestinationKind = Literal["assembly_site", "delivery_point"]


class Destination(Frozen):
    """Where some of a lot's units go, and how long they travel."""

    kind: DestinationKind
    id: str = Field(description="An assembly site's facility id, or a delivery point id")
    quantity: int = Field(ge=0)
    transit_days: float = 0.0


class ProposedLot(Frozen):
    """One manufacturer's share of a plan, in whole units."""

    facility_id: str
    facility_name: str
    kind: LotKind
    product_key: str
    design_id: str
    item_id: str = Field(description="The part id, or the root assembly id for an assembly lot")
    item_name: str
    quantity: int = Field(ge=0)
    unit_price: float = Field(
        description="Variable cost per unit in the order's currency (setup_cost comes on top)"
    )
    setup_cost: float
    due_days: float | None = Field(
        description="Days after the order date by which the lot must ship; null: no due date"
    )
    destinations: tuple[Destination, ...]
    existing: bool = Field(
        default=False,
        description="A lot that keeps its maker and only changes its destinations (re-planning "
        "an assembly step re-routes the parts already being made)",
    )
