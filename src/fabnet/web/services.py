"""The service functions the web interface calls: the one module of ``fabnet.web`` that imports
``fabnet.services`` (pages call the same functions as the API; access is decided there)."""

from __future__ import annotations

from fabnet.services.catalogue.designs import get_design, list_designs
from fabnet.services.catalogue.facilities import facility_names, get_facility, list_facilities
from fabnet.services.catalogue.variants import create_variant, design_parameters
from fabnet.services.identity.accounts import create_token, get_organisation, get_user, revoke_token
from fabnet.services.identity.auth import authenticate_password, authenticate_token
from fabnet.services.orders.orders import get_order, list_lots, list_orders
from fabnet.services.platform.database import open_file_store, read_snapshot
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
    "facility_names",
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
    "read_snapshot",
    "revoke_token",
]

# --- issue 13: manufacturer job board, notifications ----------------------------------------------
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

from fabnet.services.orders import OrderTerms  # noqa: E402
from fabnet.services.orders.orders import create_order  # noqa: E402

__all__ += ["OrderTerms", "create_order"]

# --- issue 13: the buyer's order page -------------------------------------------------------------
from fabnet.services.orders.contracts import (  # noqa: E402
    contract_pdf,
    get_contract,
    list_lot_contracts,
    sign_contract,
)
from fabnet.services.orders.escrow import escrow_summary, funding_message  # noqa: E402
from fabnet.services.orders.lots import act_on_lot, available_actions, lot_history  # noqa: E402
from fabnet.services.orders.orders import order_history  # noqa: E402
from fabnet.services.orders.payments import fund_order  # noqa: E402
from fabnet.services.orders.report import order_report  # noqa: E402
from fabnet.services.platform.files import store_bytes  # noqa: E402

__all__ += [
    "act_on_lot",
    "available_actions",
    "contract_pdf",
    "escrow_summary",
    "fund_order",
    "funding_message",
    "get_contract",
    "list_lot_contracts",
    "lot_history",
    "order_history",
    "order_report",
    "sign_contract",
    "store_bytes",
]

# --- issue 12: the buyer's design page (why-not for a chosen facility) ----------------------------
from fabnet.services.sourcing.matching import explain_non_match  # noqa: E402

__all__ += ["explain_non_match"]

# --- issue 12: adding a design from uploaded files ------------------------------------------------
from fabnet.services.catalogue.uploads import (  # noqa: E402
    DRAFT_LICENCES,
    DRAFT_PROCESSES,
    DesignUpload,
    DraftErrors,
    MeshDraft,
    UploadedFile,
    draft_design_from_mesh,
    import_uploaded_manifest,
)

__all__ += [
    "DRAFT_LICENCES",
    "DRAFT_PROCESSES",
    "DesignUpload",
    "DraftErrors",
    "MeshDraft",
    "UploadedFile",
    "draft_design_from_mesh",
    "import_uploaded_manifest",
]

# --- issue 12: the instant quote as a background job ----------------------------------------------
from fabnet.services.sourcing.instant_quote import (  # noqa: E402
    QUOTE_PROCESSES,
    FacilityQuote,
    InstantQuote,
    QuoteJob,
    QuoteRequest,
    instant_quote_job,
    start_instant_quote,
)

__all__ += [
    "QUOTE_PROCESSES",
    "FacilityQuote",
    "InstantQuote",
    "QuoteJob",
    "QuoteRequest",
    "instant_quote_job",
    "start_instant_quote",
]

# --- issue 13: inspector, manufacturer lot pages --------------------------------------------------
from fabnet.services.orders.inspections import get_inspection  # noqa: E402
from fabnet.services.orders.lots import review_prototype, submit_prototype  # noqa: E402
from fabnet.services.platform.files import get_stored_file  # noqa: E402

__all__ += ["get_inspection", "get_stored_file", "review_prototype", "submit_prototype"]

# --- issue 13: the manufacturer's lot page and facility -------------------------------------------
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

# --- issue 12: the order wizard's place search ----------------------------------------------------
from fabnet.services.catalogue.places import (  # noqa: E402
    locate_place,
    nearest_place,
    suggest_places,
)

__all__ += ["locate_place", "nearest_place", "suggest_places"]
# --- issue 12: planning in the background, the plan page and the award ----------------------------
from fabnet.services.orders.orders import award  # noqa: E402
from fabnet.services.orders.plan_jobs import (  # noqa: E402
    OrderPlan,
    PlanJob,
    order_plan,
    order_plans,
    plan_job,
    start_plan_job,
)

__all__ += ["OrderPlan", "PlanJob", "award", "order_plan", "order_plans", "plan_job",
            "start_plan_job"]  # fmt: skip

# --- issue 12: the facilities, plan and order maps ------------------------------------------------
from fabnet.services.catalogue.facilities import (  # noqa: E402
    FacilityMap,
    FacilityPoint,
    locate_facilities,
    map_facilities,
)

__all__ += ["FacilityMap", "FacilityPoint", "locate_facilities", "map_facilities"]

# --- issue 13: the licensor's pages and permission requests ---------------------------------------
from fabnet.services.catalogue.licensors import (  # noqa: E402
    design_licensor,
    link_design_licensor,
    list_design_licensors,
    unlink_design_licensor,
)
from fabnet.services.orders.permissions import (  # noqa: E402
    get_permission_request,
    grant_permission,
    licensed_designs,
    licensed_orders,
    order_permissions,
    permission_requests,
    refuse_permission,
    request_permission,
)

__all__ += [
    "design_licensor",
    "get_permission_request",
    "grant_permission",
    "licensed_designs",
    "licensed_orders",
    "link_design_licensor",
    "list_design_licensors",
    "order_permissions",
    "permission_requests",
    "refuse_permission",
    "request_permission",
    "unlink_design_licensor",
]

# --- issue 13: the platform admin's pages ---------------------------------------------------------
from fabnet.services.identity.accounts import (  # noqa: E402
    create_organisation,
    create_user,
    list_organisations,
    list_tokens,
    list_users,
    update_organisation,
)
from fabnet.services.orders.audit import verify_audit_chain  # noqa: E402
from fabnet.services.platform.jobs import QueuedJob, list_jobs  # noqa: E402
from fabnet.services.platform.pagination import Page  # noqa: E402
from fabnet.services.platform.webhooks import (  # noqa: E402
    get_subscription,
    list_deliveries,
    list_subscriptions,
)

__all__ += [
    "Page",
    "QueuedJob",
    "create_organisation",
    "create_user",
    "get_subscription",
    "list_deliveries",
    "list_jobs",
    "list_organisations",
    "list_subscriptions",
    "list_tokens",
    "list_users",
    "update_organisation",
    "verify_audit_chain",
]

# --- issue 13: what became of a lot's open quantity; prototype delegation -------------------------
from fabnet.services.orders.lots import (  # noqa: E402
    PrototypeApproval,
    ReplanOutcome,
    delegate_prototype_approval,
    prototype_approval,
    replan_outcome,
)

__all__ += ["PrototypeApproval", "ReplanOutcome", "delegate_prototype_approval",
            "prototype_approval", "replan_outcome"]  # fmt: skip

# --- issue 13: disputes after a rejection ---------------------------------------------------------
from fabnet.services.orders.lots import lot_disputes  # noqa: E402

__all__ += ["lot_disputes"]

# --- issue 13: assigning an inspection body on the order page -------------------------------------
from fabnet.services.orders.inspections import assign_inspector, inspector_assignment  # noqa: E402

__all__ += ["assign_inspector", "inspector_assignment"]

# --- issue 13: inviting a facility that is not on the platform yet --------------------------------
from fabnet.services.identity.invitations import (  # noqa: E402
    INVITATION_DAYS,
    accept_facility_invitation,
    invitation_by_token,
    invite_facility,
    list_facility_invitations,
    withdraw_facility_invitation,
)

__all__ += [
    "INVITATION_DAYS",
    "accept_facility_invitation",
    "invitation_by_token",
    "invite_facility",
    "list_facility_invitations",
    "withdraw_facility_invitation",
]

# --- issue 12: the order dashboard reads each kind of row once ----------------------------------
from fabnet.services.orders.lots import preload_lot_views  # noqa: E402

__all__ += ["preload_lot_views"]
