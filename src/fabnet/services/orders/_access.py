"""Who may see and act: actors, roles per order and lot, loading an object the caller may see
(another organisation's object is NotFound, as if it did not exist), choosing the acting role."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.lifecycle import transitions_from
from fabnet.domain.orders.roles import Role
from fabnet.domain.orders.states import (
    LotState,
    OrderState,
)
from fabnet.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
)
from fabnet.services.orders._views import (
    DEMAND_ROLES,
    ROLE_PREFERENCE,
)
from fabnet.services.orders.audit import SYSTEM_ACTOR
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow

# --- access --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who takes an action, in which role (``org_id`` None for fabnet itself)."""

    actor_id: str
    org_id: str | None
    role: Role


SYSTEM = Actor(SYSTEM_ACTOR, None, Role.SYSTEM)


def order_roles(parties: Iterable[OrderPartyRow], org_id: str) -> set[Role]:
    return {Role(p.role) for p in parties if p.org_id == org_id}


def lot_roles(principal: Principal, parties: Iterable[OrderPartyRow], lot: LotRow) -> set[Role]:
    """The roles ``principal``'s organisation holds for ``lot``."""
    roles = order_roles(parties, principal.org_id) & DEMAND_ROLES
    if lot.manufacturer_org_id == principal.org_id:
        roles.add(Role.MANUFACTURER)
    if lot.inspector_org_id == principal.org_id:
        roles.add(Role.INSPECTOR)
    return roles


def can_see_order(
    principal: Principal, parties: Sequence[OrderPartyRow], lots: Sequence[LotRow]
) -> bool:
    if principal.is_platform_admin or order_roles(parties, principal.org_id):
        return True
    return any(principal.org_id in (lot.manufacturer_org_id, lot.inspector_org_id) for lot in lots)


def can_see_lot(principal: Principal, parties: Sequence[OrderPartyRow], lot: LotRow) -> bool:
    return principal.is_platform_admin or bool(lot_roles(principal, parties, lot))


def load_order(
    session: Session, order_id: str, principal: Principal | None, *, scope: Scope = Scope.READ
) -> tuple[OrderRow, list[OrderPartyRow]]:
    """The order and its parties, if ``principal`` may see it (None: the local operator)."""
    if principal is not None:
        principal.require(scope)
    repo = OrderRepository(session)
    row = repo.order(order_id)
    if row is None:
        raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
    parties = repo.parties(order_id)
    if principal is not None and not can_see_order(principal, parties, repo.lots_of(order_id)):
        raise NotFoundError(f"no order with id {order_id}", hint="list your orders")
    return row, parties


def load_lot(
    session: Session, lot_id: str, principal: Principal | None, *, scope: Scope = Scope.READ
) -> tuple[OrderRow, list[OrderPartyRow], LotRow]:
    if principal is not None:
        principal.require(scope)
    repo = OrderRepository(session)
    found = repo.lot_and_order(lot_id)
    if found is None:
        raise NotFoundError(f"no lot with id {lot_id}")
    lot, order = found
    parties = repo.parties(order.id)
    if principal is not None and not can_see_lot(principal, parties, lot):
        raise NotFoundError(f"no lot with id {lot_id}")
    return order, parties, lot


def _allowed_roles(state: OrderState | LotState, action: str) -> frozenset[Role]:
    for row in transitions_from(state):
        if row.action == action:
            return row.roles
    return frozenset()


def choose_role(
    principal: Principal,
    held: set[Role],
    state: OrderState | LotState,
    action: str,
    as_role: Role | None,
) -> Actor:
    """The role ``principal`` acts in: ``as_role`` when given (and held), else the first held
    role the table allows for ``action`` (else any held role, for the state machine to refuse)."""
    if as_role is not None:
        if as_role not in held:
            raise PermissionDeniedError(
                f"your organisation does not hold the {as_role.value} role here",
                hint="roles held: " + (", ".join(sorted(r.value for r in held)) or "none"),
            )
        return Actor(principal.user_id, principal.org_id, as_role)
    if not held:
        raise PermissionDeniedError("your organisation holds no role here")
    allowed = _allowed_roles(state, action)
    ranked = [r for r in ROLE_PREFERENCE if r in held]
    chosen = next((r for r in ranked if r in allowed), ranked[0] if ranked else next(iter(held)))
    return Actor(principal.user_id, principal.org_id, chosen)


def stale(what: str, item_id: str, expected: int, current: int | None) -> StaleVersionError:
    now = f"; it is at version {current}" if current is not None else ""
    return StaleVersionError(
        f"the {what} {item_id} changed since version {expected}{now}",
        hint="fetch it again and retry",
    )
