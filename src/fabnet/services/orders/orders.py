"""Orders: create, read, move through their life cycle, plan and award to manufacturers.

Every use case takes the calling :class:`~fabnet.domain.identity.Principal` first and decides
access per object (see :mod:`fabnet.services.orders._access`). The order's buyer is the caller's
organisation; other parties (specifier, payer, recipient, orchestrator, inspector, licensor) are
named by organisation id, each with an optional signer user. Every transition records the actor,
role, time, reason and evidence, appends an audit event and emits webhooks.

Flow: ``create_order`` (DRAFT) -> ``act_on_order(..., "specify")`` (SPECIFIED: the designs are in
the registry, acceptance criteria and an Incoterm are set) -> ``plan`` (SOURCING; the planner's
proposal) -> ``award`` (one INVITED lot per proposed lot; ALLOCATED) -> lots (see
:mod:`fabnet.services.orders.lots`) -> IN_PROGRESS when the first lot is contracted ->
COMPLETED when every lot is closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import select

from fabnet.domain.common import Frozen
from fabnet.domain.identity import OrgKind, Principal, Scope
from fabnet.domain.orders.audit import AuditEvent
from fabnet.domain.orders.contracts import ContractMode
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import LotState, OrderAction, OrderState
from fabnet.domain.plan import ProposedLot
from fabnet.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from fabnet.services.catalogue.places import locate_place
from fabnet.services.orders import contracts, inspections, lots, payments
from fabnet.services.orders._access import (
    Actor,
    can_see_lot,
    choose_role,
    load_order,
    order_roles,
    stale,
)
from fabnet.services.orders._contracting import refuse_unlicensed, set_licensor_permission
from fabnet.services.orders._transitions import apply_order_transition
from fabnet.services.orders._views import (
    DEMAND_ROLES,
    LotView,
    OrderParty,
    OrderTerms,
    OrderView,
    TransitionView,
    allocated_quantity,
    kit_parts,
    listed_order_view,
    lot_view,
    order_view,
    transition_view,
)
from fabnet.services.orders.audit import object_history, record_event
from fabnet.services.orders.lots import invite_lots, manufacturer_of, unlinked_facilities
from fabnet.services.platform.pagination import Page, check_limit, decode_time_cursor, page_by_time
from fabnet.services.sourcing import planning
from fabnet.services.sourcing.planning import PlanOverrides, PlanProgress, PlanRecord
from fabnet.standards.order_file import OrderSpec
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.design_tables import DesignRow
from fabnet.storage.designs import DesignRepository
from fabnet.storage.files import StoredFileRepository
from fabnet.storage.identity import IdentityRepository, UserRow
from fabnet.storage.orders import OrderPartyRow, OrderRepository, OrderRow


class PlanSummary(Frozen):
    """What :func:`plan` returns: the plan's id and its proposed lots, to award."""

    plan_id: str
    order_id: str
    status: str
    objective: float | None
    lots: tuple[ProposedLot, ...] = Field(description="The planner's proposed lots")
    order: OrderView


class Allocation(Frozen):
    """Whether the live lots deliver exactly the order's quantity."""

    order_quantity: int
    allocated_quantity: int
    consistent: bool


def principal_for_user(db: Database, user_id: str) -> Principal:
    """The local operator acting as ``user_id`` (CLI): write scope in the user's organisation."""
    with db.read() as session:
        repo = IdentityRepository(session)
        user = repo.user_row(user_id)
        if user is None or not user.is_active:
            raise NotFoundError(f"no active user with id {user_id}", hint="run `fabnet users list`")
        org = repo.organisation_row(user.org_id)
        assert org is not None
        return Principal(
            user_id=user.id,
            org_id=org.id,
            org_kind=OrgKind(org.kind),
            scopes=frozenset({Scope.WRITE}),
        )


# --- creating and reading ------------------------------------------------------------------------


#: Organisations that place orders (the demand side; an orchestrator places them for clients).
ORDERING_KINDS = frozenset({OrgKind.BUYER, OrgKind.ORCHESTRATOR})


def _parties(actor: Principal, mode: ContractMode, extra: Sequence[OrderParty]) -> list[OrderParty]:
    buyer = OrderParty(org_id=actor.org_id, role=Role.BUYER, signer_user_id=actor.user_id)
    parties = {(p.org_id, p.role): p for p in extra}
    parties.setdefault((actor.org_id, Role.BUYER), buyer)
    for role in (Role.SPECIFIER, Role.PAYER, Role.RECIPIENT):
        if not any(r is role for _, r in parties):
            parties[(actor.org_id, role)] = OrderParty(org_id=actor.org_id, role=role)
    for (_, role), _p in parties.items():
        if role in (Role.MANUFACTURER, Role.INSPECTOR, Role.SYSTEM):
            raise InputError(
                f"the {role.value} role is not given on the order",
                field="parties",
                hint="manufacturers come with their lots; inspectors are assigned per lot",
            )
    if mode is ContractMode.ORCHESTRATED and not any(r is Role.ORCHESTRATOR for _, r in parties):
        raise InputError("an orchestrated order needs an orchestrator party", field="parties")
    return list(parties.values())


def _check_places(spec: OrderSpec) -> None:
    """Refuse an order whose delivery place the gazetteer cannot resolve: it could never be
    planned, so it is refused when it is created rather than when it is planned."""
    for i, point in enumerate(spec.delivery_points):
        if point.place is None:
            continue
        try:
            locate_place(point.place)
        except InputError as exc:
            raise InputError(
                exc.message, source="order", field=f"delivery_points[{i}].place", hint=exc.hint
            ) from None


def create_order(
    db: Database,
    actor: Principal,
    spec: OrderSpec,
    *,
    terms: OrderTerms | None = None,
    mode: ContractMode = ContractMode.DIRECT,
    parties: Sequence[OrderParty] = (),
    now: datetime | None = None,
) -> OrderView:
    """A new DRAFT order of the caller's organisation (the buyer). Every product's ``design``
    must be the id of a design in the registry (the design version is pinned by id)."""
    actor.require(Scope.WRITE)
    if actor.org_kind not in ORDERING_KINDS:
        raise PermissionDeniedError(
            f"a {actor.org_kind.value} organisation does not create orders; orders come from "
            "the demand side (a buyer, or an orchestrator for its clients)"
        )
    at = now or utc_now()
    order_terms = terms or OrderTerms()
    quantity = sum(q for dp in spec.delivery_points for q in dp.demand.values())
    if quantity <= 0:
        raise InputError("the order demands no units", source="order", field="delivery_points")
    _check_places(spec)
    members = _parties(actor, mode, parties)
    with db.transaction() as session:
        for i, product in enumerate(spec.products):
            if session.get(DesignRow, product.design) is None:
                raise InputError(
                    f"no design with id {product.design!r} in the registry",
                    source="order",
                    field=f"products[{i}].design",
                    hint="import the design first and give its full id",
                )
        kit_designs = DesignRepository(session).get_many(
            [p.design for p in spec.products if p.kits]
        )
        by_id = {d.id: d for d in kit_designs}
        planning.check_kits(
            spec, {p.ref: by_id[p.design] for p in spec.products if p.design in by_id}
        )
        identity = IdentityRepository(session)
        for p in members:
            if identity.organisation_row(p.org_id) is None:
                raise InputError(f"no organisation with id {p.org_id}", field="parties.org_id")
            if p.signer_user_id is not None:
                user = identity.user_row(p.signer_user_id)
                if user is None or user.org_id != p.org_id:
                    raise InputError(
                        f"user {p.signer_user_id} is not a member of organisation {p.org_id}",
                        field="parties.signer_user_id",
                    )
        row = OrderRow(
            id=str(uuid.uuid4()),
            name=spec.name,
            buyer_org_id=actor.org_id,
            created_by=actor.user_id,
            mode=mode.value,
            state=OrderState.DRAFT.value,
            spec=spec.model_dump(mode="json"),
            terms=order_terms.model_dump(mode="json"),
            currency=spec.currency,
            quantity=quantity,
            version=1,
            created_at=at,
            updated_at=at,
        )
        session.add(row)
        session.flush()
        session.add_all(
            OrderPartyRow(order_id=row.id, org_id=p.org_id, role=p.role.value,
                          signer_user_id=p.signer_user_id)
            for p in members
        )  # fmt: skip
        session.flush()
        record_event(
            session, actor_id=actor.user_id, role=Role.BUYER, object_type="order",
            object_id=row.id, event_type="order.create", occurred_at=at,
            payload={"name": row.name, "mode": row.mode, "quantity": quantity,
                     "currency": row.currency,
                     "parties": [[p.org_id, p.role.value] for p in members]},
        )  # fmt: skip
        return order_view(row, OrderRepository(session).parties(row.id))


def get_order(db: Database, actor: Principal | None, order_id: str) -> OrderView:
    with db.read() as session:
        row, parties = load_order(session, order_id, actor)
        return order_view(row, parties)


def list_orders(
    db: Database, actor: Principal | None, *, limit: int = 50, cursor: str | None = None
) -> Page[OrderView]:
    """Orders the caller's organisation is a party of or makes or inspects lots for, oldest
    first (every order for the local operator and platform admins)."""
    if actor is not None:
        actor.require(Scope.READ)
    check_limit(limit)
    org = None if actor is None or actor.is_platform_admin else actor.org_id
    with db.read() as session:
        repo = OrderRepository(session)
        rows = repo.orders_visible_to(org, limit=limit + 1, after=decode_time_cursor(cursor))
        parties = repo.parties_of([r.id for r in rows])
        items = [listed_order_view(r, parties[r.id]) for r in rows]
    return page_by_time(items, limit, lambda o: (o.created_at, o.id))


def list_lots(db: Database, actor: Principal | None, order_id: str) -> list[LotView]:
    """The order's lots the caller may see: all of them for demand-side parties, its own for a
    manufacturer, the assigned ones for an inspector."""
    with db.read() as session:
        _, parties = load_order(session, order_id, actor)
        lots = OrderRepository(session).lots_of(order_id)
        return [lot_view(lot) for lot in lots if actor is None or can_see_lot(actor, parties, lot)]


def order_history(db: Database, actor: Principal | None, order_id: str) -> list[TransitionView]:
    """The order's own transitions (lots have :func:`fabnet.services.orders.lots.lot_history`)."""
    with db.read() as session:
        load_order(session, order_id, actor)
        return [transition_view(t) for t in OrderRepository(session).transitions(order_id)]


def allocation(db: Database, actor: Principal | None, order_id: str) -> Allocation:
    with db.read() as session:
        order, _ = load_order(session, order_id, actor)
        order_lots = OrderRepository(session).lots_of(order_id)
        allocated = allocated_quantity(order_lots, kit_parts(session, order, order_lots))
        quantity = order.quantity
    return Allocation(
        order_quantity=quantity,
        allocated_quantity=allocated,
        consistent=allocated == quantity,
    )


# --- changing the order --------------------------------------------------------------------------


def _demand_actor(
    actor: Principal, parties: Sequence[OrderPartyRow], state: OrderState, action: str,
    as_role: Role | None,
) -> Actor:  # fmt: skip
    held = order_roles(parties, actor.org_id) & DEMAND_ROLES
    return choose_role(actor, held, state, action, as_role)


def act_on_order(
    db: Database,
    actor: Principal,
    order_id: str,
    action: OrderAction | str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    as_role: Role | None = None,
    now: datetime | None = None,
) -> OrderView:
    """Take an order action (specify, revise, start_sourcing, allocate, reallocate, start,
    complete, cancel) as one of the caller's roles; refusals as for lots."""
    try:
        act = OrderAction(action)
    except ValueError:
        names = ", ".join(a.value for a in OrderAction)
        raise InputError(f"unknown order action {action!r}", field="action",
                         hint=f"use one of {names}") from None  # fmt: skip
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        who = _demand_actor(actor, parties, OrderState(order.state), act, as_role)
        apply_order_transition(session, db, order, parties, act, who, reason=reason,
                               expected_version=expected_version, now=now)  # fmt: skip
        return order_view(order, parties)


def update_order_terms(
    db: Database,
    actor: Principal,
    order_id: str,
    terms: OrderTerms,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> OrderView:
    """Replace the order's contract defaults while it is a DRAFT (buyer or specifier)."""
    at = now or utc_now()
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        held = order_roles(parties, actor.org_id)
        if not held & {Role.BUYER, Role.SPECIFIER}:
            raise PermissionDeniedError("only the buyer or the specifier sets the order's terms")
        if order.state != OrderState.DRAFT.value:
            raise ConflictError(
                f"order {order_id} is {order.state}; terms change only in DRAFT",
                hint="revise the order first (SPECIFIED -> DRAFT)",
            )
        version = order.version if expected_version is None else expected_version
        if not OrderRepository(session).compare_and_set_order(
            order_id, version, {"terms": terms.model_dump(mode="json")}
        ):
            raise stale("order", order_id, version, order.version)
        session.refresh(order)
        record_event(
            session, actor_id=actor.user_id,
            role=Role.BUYER if Role.BUYER in held else Role.SPECIFIER, object_type="order",
            object_id=order_id, event_type="order.update_terms", occurred_at=at,
            payload={"version": order.version},
        )  # fmt: skip
        return order_view(order, parties)


def record_licensor_permission(
    db: Database,
    actor: Principal,
    order_id: str,
    evidence_sha256: str,
    *,
    note: str = "",
    now: datetime | None = None,
) -> OrderView:
    """Record the licensor's written permission for paid manufacture (a stored document), so
    that designs under non-commercial licences may be awarded. Buyer or licensor party."""
    at = now or utc_now()
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        held = order_roles(parties, actor.org_id)
        if not held & {Role.BUYER, Role.LICENSOR}:
            raise PermissionDeniedError("only the buyer or the licensor records a permission")
        digest = evidence_sha256.strip().lower()
        if StoredFileRepository(session).get(digest) is None:
            raise InputError(f"{digest!r} is not a stored file", field="evidence_sha256",
                             hint="upload the signed permission first")  # fmt: skip
        set_licensor_permission(
            session, order, digest, note=note, actor_id=actor.user_id,
            role=Role.LICENSOR if Role.LICENSOR in held else Role.BUYER, occurred_at=at,
        )  # fmt: skip
        return order_view(order, parties)


# --- planning and award --------------------------------------------------------------------------


def plan(
    db: Database,
    actor: Principal,
    order_id: str,
    *,
    exclude_facility_ids: Collection[str] = (),
    now: datetime | None = None,
    overrides: PlanOverrides | None = None,
    progress: PlanProgress | None = None,
) -> PlanSummary:
    """Plan the order with the network planner (a SPECIFIED order starts sourcing first).
    ``exclude_facility_ids`` keeps those facilities out of the plan; ``overrides`` (e.g. another
    CO2 price) replace the order's options for this plan; ``progress`` hears each step."""
    at = now or utc_now()
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        who = _demand_actor(actor, parties, OrderState(order.state), "start_sourcing", None)
        if who.role not in (Role.BUYER, Role.ORCHESTRATOR):
            raise PermissionDeniedError("only the buyer or the orchestrator plans the order")
        if order.state == OrderState.SPECIFIED.value:
            apply_order_transition(session, db, order, parties, OrderAction.START_SOURCING, who,
                                   now=at)  # fmt: skip
        elif order.state != OrderState.SOURCING.value:
            raise ConflictError(
                f"order {order_id} is {order.state}; plans are made while SPECIFIED or SOURCING"
            )
        spec = OrderSpec.model_validate(order.spec)
    record = planning.plan_order(
        db, spec, exclude_facility_ids=tuple(exclude_facility_ids), order_id=order_id,
        overrides=overrides, progress=progress,
    )  # fmt: skip
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        if not OrderRepository(session).compare_and_set_order(
            order_id, order.version, {"plan_id": record.id}
        ):
            raise stale("order", order_id, order.version, None)
        session.refresh(order)
        record_event(
            session, actor_id=actor.user_id, role=who.role, object_type="order",
            object_id=order_id, event_type="order.plan", occurred_at=at,
            payload={"plan_id": record.id, "lots": len(record.lots), "status": record.status},
        )  # fmt: skip
        view = order_view(order, parties)
    return PlanSummary(
        plan_id=record.id,
        order_id=order_id,
        status=str(record.status),
        objective=None if record.objective is None else float(record.objective),
        lots=record.lots,
        order=view,
    )


def award(
    db: Database,
    actor: Principal,
    order_id: str,
    plan_id: str,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[LotView]:
    """Invite one lot per lot of the plan and allocate the order (SOURCING -> ALLOCATED).

    Refused: a plan of another order; a plan naming a facility no manufacturer organisation
    runs (re-plan excluding it); a design whose licence forbids this paid order."""
    record = planning.get_plan(db, plan_id)
    if record.order_id != order_id:
        raise InputError(f"plan {plan_id} is not a plan of order {order_id}", field="plan_id")
    return _invite_and_allocate(
        db, actor, order_id, record.lots, plan_id=plan_id,
        expected_version=expected_version, now=now,
    )  # fmt: skip


def award_lots(
    db: Database,
    actor: Principal,
    order_id: str,
    lots: Sequence[ProposedLot],
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[LotView]:
    """Invite the buyer's own allocation (lots chosen by hand rather than by a stored plan)
    and allocate the order (SOURCING -> ALLOCATED), with the same checks as :func:`award`.

    Refused besides: no lots, or a lot whose destinations do not add up to its quantity."""
    if not lots:
        raise InputError("an award needs at least one lot", field="lots")
    for i, lot in enumerate(lots):
        shipped = sum(d.quantity for d in lot.destinations)
        if shipped != lot.quantity:
            raise InputError(
                f"lot {i + 1} ({lot.item_id} at {lot.facility_id}) makes {lot.quantity} but its "
                f"destinations take {shipped}",
                field=f"lots[{i}].destinations",
                hint="send every unit of a lot somewhere",
            )
    return _invite_and_allocate(
        db, actor, order_id, lots, plan_id=None, expected_version=expected_version, now=now
    )


def _invite_and_allocate(
    db: Database,
    actor: Principal,
    order_id: str,
    proposed: Sequence[ProposedLot],
    *,
    plan_id: str | None,
    expected_version: int | None,
    now: datetime | None,
) -> list[LotView]:
    at = now or utc_now()
    source = f"plan {plan_id}" if plan_id else "the award"
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        who = _demand_actor(actor, parties, OrderState(order.state), "allocate", None)
        if expected_version is not None and order.version != expected_version:
            raise stale("order", order_id, expected_version, order.version)
        if order.state != OrderState.SOURCING.value:
            raise ConflictError(f"order {order_id} is {order.state}; awards happen in SOURCING")
        live = [
            lot for lot in OrderRepository(session).lots_of(order_id)
            if lot.state not in {s.value for s in (LotState.DECLINED, LotState.EXPIRED,
                                                   LotState.TERMINATED, LotState.CANCELLED)}
        ]  # fmt: skip
        if live:
            raise ConflictError(
                f"order {order_id} has {len(live)} live lot(s); it was awarded already",
                hint="lots that fail are re-planned automatically",
            )
        missing = unlinked_facilities(session, proposed)
        if missing:
            raise InputError(
                "no manufacturer organisation runs " + ", ".join(missing),
                source=source,
                field="lots.facility_id",
                hint="link the facilities to their organisations, or plan again excluding them",
            )
        refuse_unlicensed(session, order, {p.design_id for p in proposed})
        rows = invite_lots(session, db, order, parties, proposed, plan_id=plan_id,
                           actor=who, now=at)  # fmt: skip
        if plan_id is not None and not OrderRepository(session).compare_and_set_order(
            order_id, order.version, {"plan_id": plan_id}
        ):
            raise stale("order", order_id, order.version, None)
        session.refresh(order)
        apply_order_transition(session, db, order, parties, OrderAction.ALLOCATE, who, now=at)
        return [lot_view(r) for r in rows]


def organisations_running(db: Database, facility_ids: Collection[str]) -> dict[str, str]:
    """Facility id -> the manufacturer organisation that runs it (for previews)."""
    with db.read() as session:
        found = {f: manufacturer_of(session, f) for f in facility_ids}
    return {f: org for f, org in found.items() if org is not None}


def signer_of(db: Database, org_id: str) -> str | None:
    """The oldest active user of ``org_id`` (a default signer for demos and the CLI)."""
    with db.read() as session:
        return session.scalar(
            select(UserRow.id)
            .where(UserRow.org_id == org_id, UserRow.is_active)
            .order_by(UserRow.created_at, UserRow.id)
        )


# --- plans and events as the parties see them ----------------------------------------------------


def get_order_plan(db: Database, actor: Principal | None, plan_id: str) -> PlanRecord:
    """A stored plan, for the demand-side parties of its order and platform admins (None: the
    local operator); a plan without an order (``fabnet plan --as EMAIL``), for the organisation
    that made it. A plan shows every facility's share and price, so manufacturers and
    inspectors do not see it; to them, as to strangers, it does not exist."""
    hidden = NotFoundError(f"no plan with id {plan_id}")
    record = planning.get_plan(db, plan_id)
    if actor is None or actor.is_platform_admin:
        return record
    actor.require(Scope.READ)
    if record.order_id is None:  # a plan made with `fabnet plan`: its owner organisation's
        if planning.plan_owner(db, plan_id) == actor.org_id:
            return record
        raise hidden
    with db.read() as session:
        try:
            _, parties = load_order(session, record.order_id, actor)
        except NotFoundError:
            raise hidden from None
        if not order_roles(parties, actor.org_id) & DEMAND_ROLES:
            raise hidden
    return record


def object_events(db: Database, actor: Principal | None, object_id: str) -> list[AuditEvent]:
    """The audit events about one order, lot, contract, inspection or ledger transaction, in
    chain order, if the caller may see that object; otherwise NotFoundError, exactly as for an
    object without events."""
    hidden = NotFoundError(
        f"no events about an object with id {object_id}",
        hint="give the id of an order, lot, contract or inspection you see",
    )
    if actor is not None:
        actor.require(Scope.READ)
    events = object_history(db, [object_id])
    if not events:
        raise hidden
    if actor is None or actor.is_platform_admin:
        return events
    kind = events[0].object_type
    try:
        if kind == "order":
            get_order(db, actor, object_id)
        elif kind == "lot":
            lots.get_lot(db, actor, object_id)
        elif kind == "contract":
            contracts.get_contract(db, actor, object_id)
        elif kind == "inspection":
            inspections.get_inspection(db, actor, object_id)
        elif kind == "ledger":
            order_id = events[0].payload.get("order_id")
            if not isinstance(order_id, str):
                raise hidden
            ledger = payments.order_ledger(db, actor, order_id)
            if not any(tx.id == object_id for tx in ledger.transactions):
                raise hidden
        else:
            raise hidden
    except NotFoundError:
        raise hidden from None
    return events
