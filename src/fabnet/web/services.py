"""The service functions the web interface calls: the one module of ``fabnet.web`` that imports
``fabnet.services`` (pages call the same functions as the API; access is decided there)."""

from __future__ import annotations

from fabnet.services.catalogue.designs import get_design, list_designs
from fabnet.services.catalogue.facilities import get_facility, list_facilities
from fabnet.services.catalogue.variants import create_variant, design_parameters
from fabnet.services.identity.accounts import create_token, get_organisation, get_user, revoke_token
from fabnet.services.identity.auth import authenticate_password, authenticate_token
from fabnet.services.orders.orders import get_order, list_lots, list_orders
from fabnet.services.platform.database import open_file_store
from fabnet.services.sourcing.makebuy import ProfileIn, filaments, make_or_buy, printers
from fabnet.services.sourcing.matching import MatchParams, match

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
from fabnet.services.orders import CounterOffer
from fabnet.services.orders.lots import accept_lot, counter_offer_lot, decline_lot, get_lot
from fabnet.services.platform.notifications import (
    list_notifications,
    mark_read,
    unread_count,
)

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
from fabnet.services.orders.inspections import lot_inspections, record_inspection  # noqa: E402

__all__ += ["lot_inspections", "record_inspection"]
from fabnet.services.orders.escrow import supplier_escrow  # noqa: E402

__all__ += ["supplier_escrow"]

from fabnet.services.sourcing.quoting import quote_design  # noqa: E402

__all__ += ["quote_design"]

from fabnet.services.orders.orders import create_order  # noqa: E402

__all__ += ["create_order"]

# --- issue 13: inspector, manufacturer lot pages (helper i7) -------------------------------------
from fabnet.services.orders.contracts import list_lot_contracts, sign_contract  # noqa: E402
from fabnet.services.orders.inspections import get_inspection  # noqa: E402
from fabnet.services.orders.lots import (  # noqa: E402
    act_on_lot,
    lot_history,
    review_prototype,
    submit_prototype,
)
from fabnet.services.platform.files import get_stored_file, store_bytes  # noqa: E402

__all__ += [
    "act_on_lot",
    "get_inspection",
    "get_stored_file",
    "list_lot_contracts",
    "lot_history",
    "review_prototype",
    "sign_contract",
    "store_bytes",
    "submit_prototype",
]

# --- issue 13: the manufacturer's lot page and facility (helper i7) ------------------------------
from fabnet.services.catalogue.facilities import (  # noqa: E402
    export_facility,
    get_own_facility,
    my_facilities,
    parse_facility_record,
    update_facility,
)
from fabnet.services.orders.lots import Shipment, lot_shipment, ship_lot  # noqa: E402
from fabnet.services.sourcing.quoting import quote_design_at  # noqa: E402

__all__ += [
    "Shipment",
    "export_facility",
    "get_own_facility",
    "lot_shipment",
    "my_facilities",
    "parse_facility_record",
    "quote_design_at",
    "ship_lot",
    "update_facility",
]
