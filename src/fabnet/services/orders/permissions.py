"""Licensors and their permissions: a designer organisation's designs, the orders that use them,
the licence obligations, and permission requests.

A design whose licence forbids paid manufacture without the licensor's permission (e.g.
CC-BY-NC-4.0) cannot be awarded until the order holds that permission. The order's buyer asks
the organisation linked as the design's licensor (:mod:`fabnet.services.catalogue.licensors`)
with :func:`request_permission`; the licensor answers with :func:`grant_permission` (the
permission document, uploaded or written by fabnet, is recorded on the order exactly as
:func:`fabnet.services.orders.orders.record_licensor_permission` records it) or
:func:`refuse_permission` (with the reason, shown to the buyer). Every step is an audit event
of the order and a notification to the other side; a request is decided once (a second
decision is a conflict, HTTP 409).

Who sees what: the licensor organisation sees its designs, the orders using them (name, state,
buyer, units: not the order's lots or prices) and the requests made to it; the order's
demand-side parties see the order's requests; anyone else gets NotFoundError.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.licensing import Obligation, check_licence
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import OrderState
from fabnet.errors import (
    ConflictError,
    FabnetError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from fabnet.services.orders._access import load_order, order_roles
from fabnet.services.orders._contracting import set_licensor_permission
from fabnet.services.orders._views import DEMAND_ROLES, order_terms
from fabnet.services.orders.audit import record_event
from fabnet.services.platform.notifications import notify
from fabnet.services.platform.webhooks import WebhookEvent, emit_event_webhooks
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.design_tables import DesignRow
from fabnet.storage.files import FileStore, StoredFileRepository
from fabnet.storage.identity import IdentityRepository, aware, aware_or_none
from fabnet.storage.licensing import LicensingRepository, PermissionRequestRow
from fabnet.storage.orders import OrderPartyRow, OrderRepository, OrderRow

PENDING, GRANTED, REFUSED = "pending", "granted", "refused"
#: Orders past the point where a permission could matter.
_CLOSED_STATES = frozenset({OrderState.COMPLETED.value, OrderState.CANCELLED.value})
#: Who asks on the order's behalf.
_REQUESTING_ROLES = frozenset({Role.BUYER, Role.ORCHESTRATOR, Role.SPECIFIER})


# --- read models ---------------------------------------------------------------------------------


class DesignLicence(Frozen):
    """What a design's licence asks of a paid order."""

    design_id: str
    design_name: str
    license: str | None
    licensor_names: tuple[str, ...] = Field(description="The licensor as the manifest names it")
    allowed: bool = Field(description="Paid manufacture is allowed without further permission")
    needs_permission: bool = Field(
        description="Paid manufacture is allowed once the licensor's permission is recorded"
    )
    reason: str
    chosen: str | None = Field(description="The licence terms the manufacturer works under")
    obligations: tuple[Obligation, ...] = Field(
        description="Attribution, notices, source, marking ...: what making it obliges to "
        "(with the permission, where one is needed)"
    )


class DesignUse(Frozen):
    """An order that uses some of the licensor's designs, as the licensor sees it."""

    order_id: str
    order_name: str
    order_state: OrderState
    buyer_org_id: str
    buyer_org_name: str
    design_ids: tuple[str, ...]
    units: int = Field(description="Units of the licensor's designs the order demands")
    permission_recorded: bool
    created_at: datetime


class PermissionRequest(Frozen):
    id: str
    order_id: str
    order_name: str
    design_id: str
    design_name: str
    license: str | None
    buyer_org_id: str
    buyer_org_name: str
    licensor_org_id: str
    licensor_org_name: str
    requested_by: str
    message: str
    status: str = Field(description="pending, granted or refused")
    response_note: str | None = Field(description="The licensor's note, or why it refused")
    decided_by: str | None
    decided_at: datetime | None
    evidence_sha256: str | None = Field(description="SHA-256 of the permission document")
    version: int
    created_at: datetime


class OrderPermission(Frozen):
    """One design of an order, for its buyer: does it need the licensor's permission, who is
    the licensor, and the requests made so far (newest first)."""

    licence: DesignLicence
    licensor_org_id: str | None
    licensor_org_name: str | None
    permission_recorded: bool
    requests: tuple[PermissionRequest, ...]
    can_request: bool
    why_not: str | None = Field(description="Why no request can be made now")


# --- helpers -------------------------------------------------------------------------------------


def _licence(design: DesignRow) -> DesignLicence:
    source = f"design {design.id}"
    base = {"design_id": design.id, "design_name": design.name, "license": design.license,
            "licensor_names": tuple(design.licensor)}  # fmt: skip
    try:
        plain = check_licence(design.license or "", paid_order=True, source=source)
    except InputError as error:
        return DesignLicence(**base, allowed=False, needs_permission=False, reason=error.message,
                             chosen=None, obligations=())  # fmt: skip
    if plain.allowed:
        return DesignLicence(**base, allowed=True, needs_permission=False, reason=plain.reason,
                             chosen=plain.chosen, obligations=plain.obligations)  # fmt: skip
    permitted = check_licence(
        design.license or "", paid_order=True, licensor_permission=True, source=source
    )
    return DesignLicence(
        **base, allowed=False, needs_permission=permitted.allowed,
        reason=plain.reason if permitted.allowed else permitted.reason,
        chosen=permitted.chosen if permitted.allowed else None,
        obligations=permitted.obligations if permitted.allowed else plain.obligations,
    )  # fmt: skip


def _design_ids(order: OrderRow) -> list[str]:
    try:
        spec = OrderSpec.model_validate(order.spec)
    except ValueError:
        return []
    return list(dict.fromkeys(p.design for p in spec.products))


def _units(order: OrderRow, design_ids: set[str]) -> int:
    try:
        spec = OrderSpec.model_validate(order.spec)
    except ValueError:
        return 0
    keys = {p.ref for p in spec.products if p.design in design_ids}
    return sum(q for dp in spec.delivery_points for k, q in dp.demand.items() if k in keys)


def _org_name(session: Session, org_id: str) -> str:
    org = IdentityRepository(session).organisation_row(org_id)
    return org.name if org is not None else org_id


def _request_view(session: Session, row: PermissionRequestRow) -> PermissionRequest:
    order = session.get(OrderRow, row.order_id)
    design = session.get(DesignRow, row.design_id)
    return PermissionRequest(
        id=row.id, order_id=row.order_id, order_name=order.name if order else row.order_id,
        design_id=row.design_id, design_name=design.name if design else row.design_id,
        license=design.license if design else None, buyer_org_id=row.buyer_org_id,
        buyer_org_name=_org_name(session, row.buyer_org_id),
        licensor_org_id=row.licensor_org_id,
        licensor_org_name=_org_name(session, row.licensor_org_id),
        requested_by=row.requested_by, message=row.message, status=row.status,
        response_note=row.response_note, decided_by=row.decided_by,
        decided_at=aware_or_none(row.decided_at), evidence_sha256=row.evidence_sha256,
        version=row.version, created_at=aware(row.created_at),
    )  # fmt: skip


def _demand_side(parties: Iterable[OrderPartyRow], actor: Principal) -> bool:
    return actor.is_platform_admin or bool(order_roles(parties, actor.org_id) & DEMAND_ROLES)


def _load_request(
    session: Session, request_id: str, actor: Principal | None
) -> tuple[PermissionRequestRow, OrderRow]:
    """The request, if ``actor`` is its licensor, a demand-side party of its order or a
    platform admin (None: the local operator); NotFoundError otherwise."""
    hidden = NotFoundError(f"no permission request with id {request_id}")
    row = LicensingRepository(session).request(request_id)
    if row is None:
        raise hidden
    order = session.get(OrderRow, row.order_id)
    if order is None:
        raise hidden
    if actor is not None and actor.org_id != row.licensor_org_id:
        parties = OrderRepository(session).parties(order.id)
        if not _demand_side(parties, actor):
            raise hidden
    return row, order


def _webhook(
    db: Database, session: Session, event_type: str, org_id: str, row: PermissionRequestRow,
    at: datetime,
) -> None:  # fmt: skip
    """The other side's webhooks hear of the request or its answer (sent if the change commits)."""
    emit_event_webhooks(db, WebhookEvent(
        type=event_type, org_ids=(org_id,), occurred_at=at,
        data={"order_id": row.order_id, "object_type": "permission_request",
              "object_id": row.id, "design_id": row.design_id, "status": row.status,
              "note": row.response_note or row.message or ""},
    ), session=session)  # fmt: skip


# --- the licensor's view -------------------------------------------------------------------------


def _licensor_org(actor: Principal) -> str:
    actor.require(Scope.READ)
    return actor.org_id


def licensed_designs(db: Database, actor: Principal) -> list[DesignLicence]:
    """The designs the caller's organisation licenses, with what their licences ask."""
    org = _licensor_org(actor)
    with db.read() as session:
        ids = LicensingRepository(session).designs_of(org)
        rows = [session.get(DesignRow, i) for i in ids]
        return sorted((_licence(r) for r in rows if r is not None), key=lambda d: d.design_name)


def licensed_orders(db: Database, actor: Principal) -> list[DesignUse]:
    """The orders that use a design the caller's organisation licenses, newest first."""
    org = _licensor_org(actor)
    with db.read() as session:
        mine = set(LicensingRepository(session).designs_of(org))
        if not mine:
            return []
        text = cast(OrderRow.spec, Text)
        candidates = session.scalars(
            select(OrderRow)
            .where(or_(*(text.contains(d, autoescape=True) for d in sorted(mine))))
            .order_by(OrderRow.created_at.desc(), OrderRow.id)
        )
        out: list[DesignUse] = []
        for order in candidates:
            used = [d for d in _design_ids(order) if d in mine]
            if not used:
                continue
            out.append(DesignUse(
                order_id=order.id, order_name=order.name, order_state=OrderState(order.state),
                buyer_org_id=order.buyer_org_id,
                buyer_org_name=_org_name(session, order.buyer_org_id), design_ids=tuple(used),
                units=_units(order, set(used)),
                permission_recorded=order_terms(order).licensor_permission is not None,
                created_at=aware(order.created_at),
            ))  # fmt: skip
        return out


def permission_requests(
    db: Database, actor: Principal, *, status: str | None = None
) -> list[PermissionRequest]:
    """Requests made to the caller's organisation (as licensor) and by it (as buyer), newest
    first; ``status`` keeps those of one status."""
    actor.require(Scope.READ)
    if status is not None and status not in (PENDING, GRANTED, REFUSED):
        raise InputError(f"unknown status {status!r}", field="status",
                         hint="use pending, granted or refused")  # fmt: skip
    with db.read() as session:
        repo = LicensingRepository(session)
        rows = {r.id: r for r in [*repo.requests_to(actor.org_id),
                                  *repo.requests_from(actor.org_id)]}  # fmt: skip
        views = [_request_view(session, r) for r in rows.values()
                 if status is None or r.status == status]  # fmt: skip
    return sorted(views, key=lambda v: (v.created_at, v.id), reverse=True)


def get_permission_request(
    db: Database, actor: Principal | None, request_id: str
) -> PermissionRequest:
    if actor is not None:
        actor.require(Scope.READ)
    with db.read() as session:
        row, _ = _load_request(session, request_id, actor)
        return _request_view(session, row)


# --- the buyer's side ----------------------------------------------------------------------------


def order_permissions(
    db: Database, actor: Principal | None, order_id: str
) -> list[OrderPermission]:
    """Each design of the order with what its licence asks, its licensor organisation and the
    requests made so far: for the order's demand-side parties (others: NotFoundError)."""
    with db.read() as session:
        order, parties = load_order(session, order_id, actor)
        if actor is not None and not _demand_side(parties, actor):
            raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
        repo = LicensingRepository(session)
        ids = _design_ids(order)
        licensors = repo.licensors_of(ids)
        requests = repo.requests_of_order(order_id)
        recorded = order_terms(order).licensor_permission is not None
        out: list[OrderPermission] = []
        for design_id in ids:
            design = session.get(DesignRow, design_id)
            if design is None:
                continue
            licence = _licence(design)
            org_id = licensors.get(design_id)
            mine = sorted((r for r in requests if r.design_id == design_id),
                          key=lambda r: (aware(r.created_at), r.id), reverse=True)  # fmt: skip
            why = _why_no_request(order, licence, org_id, mine, recorded)
            out.append(OrderPermission(
                licence=licence, licensor_org_id=org_id,
                licensor_org_name=_org_name(session, org_id) if org_id else None,
                permission_recorded=recorded,
                requests=tuple(_request_view(session, r) for r in mine),
                can_request=why is None, why_not=why,
            ))  # fmt: skip
        return out


def _why_no_request(
    order: OrderRow,
    licence: DesignLicence,
    licensor_org_id: str | None,
    requests: Sequence[PermissionRequestRow],
    recorded: bool,
) -> str | None:
    if licence.allowed:
        return "its licence allows this paid order without permission"
    if not licence.needs_permission:
        return f"a permission would not help: {licence.reason}"
    if recorded:
        return "the order holds the licensor's permission already"
    if order.state in _CLOSED_STATES:
        return f"the order is {order.state}"
    if licensor_org_id is None:
        return ("no organisation on the platform licenses this design; a platform admin links "
                "designs to their licensors")  # fmt: skip
    if any(r.status == PENDING for r in requests):
        return "a request waits for the licensor's answer"
    if any(r.status == GRANTED for r in requests):
        return "the licensor granted it"
    return None


def request_permission(
    db: Database,
    actor: Principal,
    order_id: str,
    design_id: str,
    *,
    message: str = "",
    now: datetime | None = None,
) -> PermissionRequest:
    """Ask the licensor of ``design_id`` for permission to have it made for this paid order
    (the buyer, orchestrator or specifier of the order). Refused: a design that is not the
    order's, whose licence needs no permission or that no organisation licenses (422); a
    request waiting already or an order holding the permission (409)."""
    at = now or utc_now()
    note = message.strip()
    if len(note) > 4000:
        raise InputError("the message has more than 4000 characters", field="message")
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        held = order_roles(parties, actor.org_id) & _REQUESTING_ROLES
        if not held:
            if not _demand_side(parties, actor):
                raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
            raise PermissionDeniedError("only the buyer, orchestrator or specifier of the order "
                                        "asks for a licensor's permission")  # fmt: skip
        if design_id not in _design_ids(order):
            raise InputError(f"design {design_id!r} is not one of the order's products",
                             field="design_id")  # fmt: skip
        design = session.get(DesignRow, design_id)
        if design is None:
            raise InputError(f"design {design_id} is not in the registry", field="design_id")
        repo = LicensingRepository(session)
        link = repo.licensor_of(design_id)
        earlier = [r for r in repo.requests_of_order(order_id) if r.design_id == design_id]
        why = _why_no_request(order, _licence(design), link.org_id if link else None, earlier,
                              order_terms(order).licensor_permission is not None)  # fmt: skip
        if why is not None:
            conflict = link is not None and _licence(design).needs_permission
            error: FabnetError = (
                ConflictError(f"no permission request for design {design_id}: {why}")
                if conflict
                else InputError(f"no permission request for design {design_id}: {why}",
                                field="design_id")
            )  # fmt: skip
            raise error
        assert link is not None
        role = next(r for r in (Role.BUYER, Role.ORCHESTRATOR, Role.SPECIFIER) if r in held)
        row = PermissionRequestRow(
            id=str(uuid.uuid4()), order_id=order_id, design_id=design_id,
            buyer_org_id=order.buyer_org_id, licensor_org_id=link.org_id,
            requested_by=actor.user_id, message=note, status=PENDING, version=1,
            created_at=at, updated_at=at,
        )  # fmt: skip
        session.add(row)
        session.flush()
        record_event(
            session, actor_id=actor.user_id, role=role, object_type="order", object_id=order_id,
            event_type="order.permission_request", occurred_at=at,
            payload={"request_id": row.id, "design_id": design_id,
                     "licensor_org_id": link.org_id, "message": note},
        )  # fmt: skip
        _webhook(db, session, "order.permission_request", link.org_id, row, at)
        notify(
            session, [link.org_id], event_type="order.permission_request", object_type="order",
            object_id=order_id, order_id=order_id, except_org_id=actor.org_id, now=at,
            message=f"{_org_name(session, actor.org_id)} asks your permission for paid "
            f"manufacture of {design.name} ({design.license}) in order {order.name!r}"
            + (f": {note}" if note else ""),
        )  # fmt: skip
        return _request_view(session, row)


# --- the licensor's answer -----------------------------------------------------------------------


def _deciding(
    session: Session, actor: Principal, request_id: str, expected_version: int | None
) -> tuple[PermissionRequestRow, OrderRow]:
    actor.require(Scope.WRITE)
    row, order = _load_request(session, request_id, actor)
    if actor.org_id != row.licensor_org_id:
        raise PermissionDeniedError("only the design's licensor answers a permission request")
    if row.status != PENDING:
        raise ConflictError(f"the permission request {request_id} was {row.status} already",
                            hint="a request is answered once; the buyer may ask again")  # fmt: skip
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"the permission request {request_id} changed since version {expected_version}",
            hint="fetch it again",
        )
    return row, order


def _decide(session: Session, row: PermissionRequestRow, values: dict[str, object]) -> None:
    request_id, version = row.id, row.version
    if not LicensingRepository(session).decide(request_id, version, values):
        raise ConflictError(f"the permission request {request_id} was answered meanwhile",
                            hint="fetch it again")  # fmt: skip


def _permission_document(
    session: Session, row: PermissionRequestRow, order: OrderRow, actor: Principal, note: str,
    at: datetime,
) -> bytes:  # fmt: skip
    design = session.get(DesignRow, row.design_id)
    user = IdentityRepository(session).user_row(actor.user_id)
    document = {
        "document": "permission for paid manufacture",
        "request_id": row.id,
        "order": {"id": order.id, "name": order.name},
        "buyer": {"id": row.buyer_org_id, "name": _org_name(session, row.buyer_org_id)},
        "design": {"id": row.design_id, "name": design.name if design else row.design_id,
                   "license": design.license if design else None},
        "licensor": {"id": row.licensor_org_id, "name": _org_name(session, row.licensor_org_id)},
        "granted_by": {"id": actor.user_id,
                       "name": user.display_name if user is not None else actor.user_id},
        "granted_at": at.isoformat(),
        "note": note,
        "text": "The licensor permits paid manufacture of this design for this order, on the "
        "terms of its licence otherwise.",
    }  # fmt: skip
    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8")


def _still_needed(session: Session, order: OrderRow) -> list[str]:
    """The order's designs that need a licensor's permission and have no granted request: the
    order holds the permission (which every design's licence check reads) only once every
    licensor concerned has granted it."""
    granted = {r.design_id for r in LicensingRepository(session).requests_of_order(order.id)
               if r.status == GRANTED}  # fmt: skip
    needed = []
    for design_id in _design_ids(order):
        design = session.get(DesignRow, design_id)
        if design is not None and _licence(design).needs_permission and design_id not in granted:
            needed.append(design_id)
    return needed


def grant_permission(
    db: Database,
    actor: Principal,
    request_id: str,
    *,
    store: FileStore,
    note: str = "",
    evidence_sha256: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> PermissionRequest:
    """The licensor grants the request: the permission document (``evidence_sha256``, a stored
    file the licensor signed, or else one fabnet writes naming the order, design, licensor and
    note) is recorded on the order as its licensor permission, so the design may be awarded
    (when the order has several designs that need a permission, once the last of their
    licensors has granted it). The buyer is notified. A request answered already:
    ConflictError."""
    at = now or utc_now()
    text = note.strip()
    with db.transaction() as session:
        row, order = _deciding(session, actor, request_id, expected_version)
        files = StoredFileRepository(session)
        if evidence_sha256 is not None and evidence_sha256.strip():
            digest = evidence_sha256.strip().lower()
            if files.get(digest) is None:
                raise InputError(f"{digest!r} is not a stored file", field="evidence_sha256",
                                 hint="upload the signed permission first")  # fmt: skip
        else:
            data = _permission_document(session, row, order, actor, text, at)
            stored = store.put_bytes(data, original_name=f"permission-{row.id[:8]}.json")
            digest = files.record(stored).sha256
        order_id, design_id, buyer = row.order_id, row.design_id, row.buyer_org_id
        _decide(session, row, {"status": GRANTED, "response_note": text or None,
                               "decided_by": actor.user_id, "decided_at": at,
                               "evidence_sha256": digest})  # fmt: skip
        record_event(
            session, actor_id=actor.user_id, role=Role.LICENSOR, object_type="order",
            object_id=order_id, event_type="order.permission_grant", occurred_at=at,
            payload={"request_id": request_id, "design_id": design_id, "note": text},
            evidence_sha256=[digest],
        )  # fmt: skip
        order = session.get(OrderRow, order_id) or order
        if order_terms(order).licensor_permission is None and not _still_needed(session, order):
            set_licensor_permission(
                session, order, digest, note=text or f"granted on request {request_id}",
                actor_id=actor.user_id, role=Role.LICENSOR, occurred_at=at,
                payload={"request_id": request_id, "design_id": design_id},
            )  # fmt: skip
        design = session.get(DesignRow, design_id)
        notify(
            session, [buyer], event_type="order.permission_grant", object_type="order",
            object_id=order_id, order_id=order_id, except_org_id=actor.org_id, now=at,
            message=f"{_org_name(session, actor.org_id)} granted permission for paid "
            f"manufacture of {design.name if design else design_id} in order {order.name!r}"
            + (f": {text}" if text else ""),
        )  # fmt: skip
        fresh = LicensingRepository(session).request(request_id)
        assert fresh is not None
        _webhook(db, session, "order.permission_grant", buyer, fresh, at)
        return _request_view(session, fresh)


def refuse_permission(
    db: Database,
    actor: Principal,
    request_id: str,
    *,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> PermissionRequest:
    """The licensor refuses the request, saying why; the buyer is notified with the reason.
    A request answered already: ConflictError."""
    at = now or utc_now()
    why = reason.strip()
    with db.transaction() as session:
        row, order = _deciding(session, actor, request_id, expected_version)
        if not why:
            raise InputError("say why the permission is refused", field="reason",
                             hint="the buyer reads the reason")  # fmt: skip
        if len(why) > 4000:
            raise InputError("the reason has more than 4000 characters", field="reason")
        order_id, design_id, buyer = row.order_id, row.design_id, row.buyer_org_id
        _decide(session, row, {"status": REFUSED, "response_note": why,
                               "decided_by": actor.user_id, "decided_at": at})  # fmt: skip
        record_event(
            session, actor_id=actor.user_id, role=Role.LICENSOR, object_type="order",
            object_id=order_id, event_type="order.permission_refuse", occurred_at=at,
            reason=why, payload={"request_id": request_id, "design_id": design_id},
        )  # fmt: skip
        design = session.get(DesignRow, design_id)
        notify(
            session, [buyer], event_type="order.permission_refuse", object_type="order",
            object_id=order_id, order_id=order_id, except_org_id=actor.org_id, now=at,
            message=f"{_org_name(session, actor.org_id)} refused permission for paid "
            f"manufacture of {design.name if design else design_id} in order "
            f"{order.name!r}: {why}",
        )  # fmt: skip
        fresh = LicensingRepository(session).request(request_id)
        assert fresh is not None
        _webhook(db, session, "order.permission_refuse", buyer, fresh, at)
        return _request_view(session, fresh)
