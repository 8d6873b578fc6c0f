"""Orders: orders, lots, contracts, inspections, payments and escrow, audit.

The public face: the use-case modules (``orders``, ``lots``, ``contracts``, ``inspections``,
``payments``, ``escrow``, ``report``, ``audit``) and the read models re-exported here.
Below the use cases sit private floors, each importing only the floors under it:
``_reactions`` > ``_transitions`` > ``_money`` > ``_contracting`` | ``_inspecting`` > ``_access``
> ``_views`` (see docs/architecture.md). Adapters never import a ``_private`` module.
"""

from fabnet.domain.plan import Destination
from fabnet.services.orders._views import (
    CounterOffer,
    LicensorPermission,
    LotView,
    OrderParty,
    OrderTerms,
    OrderView,
    TransitionView,
)

__all__ = [
    "CounterOffer",
    "Destination",
    "LicensorPermission",
    "LotView",
    "OrderParty",
    "OrderTerms",
    "OrderView",
    "TransitionView",
]
