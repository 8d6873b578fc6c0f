"""The service functions the web interface calls: the one module of ``fabnet.web`` that imports
``fabnet.services`` (pages call the same functions as the API; access is decided there)."""

from __future__ import annotations

from fabnet.services.auth import authenticate_password, authenticate_token
from fabnet.services.database import open_file_store
from fabnet.services.designs import get_design, list_designs
from fabnet.services.facilities import get_facility, list_facilities
from fabnet.services.identity import create_token, get_organisation, get_user, revoke_token
from fabnet.services.makebuy import ProfileIn, filaments, make_or_buy, printers
from fabnet.services.matching import MatchParams, match
from fabnet.services.orders import get_order, list_lots, list_orders
from fabnet.services.variants import create_variant, design_parameters

__all__ = [
    "MatchParams",
    "ProfileIn",
    "authenticate_password",
    "authenticate_token",
    "create_token",
    "create_variant",
    "design_parameters",
    "filaments",
    "get_design",
    "get_facility",
    "get_order",
    "get_organisation",
    "get_user",
    "list_designs",
    "list_facilities",
    "list_lots",
    "list_orders",
    "make_or_buy",
    "match",
    "open_file_store",
    "printers",
    "revoke_token",
]

# --- issue 13: manufacturer job board, notifications ---------------------------------------------
from fabnet.services.lots import accept_lot, counter_offer_lot, decline_lot, get_lot
from fabnet.services.notifications import (
    list_notifications,
    mark_read,
    unread_count,
)
from fabnet.services.order_core import CounterOffer

__all__ += [
    "CounterOffer",
    "accept_lot",
    "counter_offer_lot",
    "decline_lot",
    "get_lot",
    "get_order",
    "list_lots",
    "list_notifications",
    "list_orders",
    "mark_read",
    "unread_count",
]
from fabnet.services.inspections import lot_inspections, record_inspection  # noqa: E402

__all__ += ["lot_inspections", "record_inspection"]
from fabnet.services.escrow import supplier_escrow  # noqa: E402

__all__ += ["supplier_escrow"]
