"""What follows a transition, in one place: each lot action maps to its effects (contracts drafted,
inspection opened, payment recorded, order completed, lots contracted once funded). The use cases
call these after a transition; nothing below this floor reacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.orders.states import (
    LotAction,
    LotState,
    OrderAction,
    OrderState,
)
from fabnet.errors import (
    FabnetError,
    InputError,
)
from fabnet.services.orders._access import (
    SYSTEM,
    Actor,
)
from fabnet.services.orders._contracting import draft_contracts, lot_contract, lot_contracts_signed
from fabnet.services.orders._inspecting import open_inspection
from fabnet.services.orders._money import escrow_balance, fund_escrow_for
from fabnet.services.orders._transitions import apply_lot_transition, apply_order_transition
from fabnet.services.orders._views import (
    FAILED_LOT_STATES,
)
from fabnet.storage.db import Database
from fabnet.storage.identity import UserRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRepository, OrderRow

# --- contracting the lot -------------------------------------------------------------------------


def contract_ready_lots(
    session: Session, db: Database, order: OrderRow, parties: list[OrderPartyRow]
) -> list[str]:
    """Contract every ACCEPTED lot whose contracts are all signed, funding its escrow first;
    lots whose funder lacks the money wait for the next deposit. Starts the order when its
    first lot is contracted. Returns the ids of the lots contracted."""

    done: list[str] = []
    for lot in OrderRepository(session).lots_of(order.id):
        if lot.state != LotState.ACCEPTED.value or not lot_contracts_signed(session, lot.id):
            continue
        found = lot_contract(session, lot.id)
        if found is None or not fund_escrow_for(session, order, found[1]):
            continue
        apply_lot_transition(session, db, order, parties, lot, LotAction.CONTRACT, SYSTEM)
        done.append(lot.id)
    if not done:
        return done  # nothing changed here: the order needs no fresh read
    session.refresh(order)
    if order.state == OrderState.ALLOCATED.value:
        apply_order_transition(session, db, order, parties, OrderAction.START, SYSTEM)
    return done


def react_to_lot(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    lot: LotRow,
    act: LotAction,
    who: Actor,
    *,
    reason: str | None,
    signer: str,
    counter_by: str | None,
    now: datetime,
) -> bool:
    """What follows ``act`` on ``lot`` in the same transaction: accepting drafts the contract(s)
    (``signer`` signs for the manufacturer; after a counter-offer, ``counter_by``),
    ``submit_for_inspection`` opens the inspection task, ``confirm_delivery`` that empties the
    escrow records the payment; then the order completes when its last lot closes. True when
    the open quantity must be re-planned.

    The last rejected prototype does not terminate the lot at once: a rejection leaves the
    manufacturer the contract's dispute window (issue 15 item 10), so the lot stays
    PROTOTYPE_REJECTED and :func:`fabnet.services.orders.lots.close_settled` terminates and
    re-plans it when the window passes without a dispute."""
    replan = False
    if act is LotAction.ACCEPT:
        draft_contracts(session, order, list(parties), lot,
                        manufacturer_signer=signer, actor=who, now=now)  # fmt: skip
    elif act is LotAction.ACCEPT_COUNTER_OFFER:
        draft_contracts(session, order, list(parties), lot,
                        manufacturer_signer=counter_by or _any_user(session, lot), actor=who,
                        now=now)  # fmt: skip
    elif act is LotAction.SUBMIT_FOR_INSPECTION:
        open_inspection(session, order, lot, actor=who, now=now)
    elif act is LotAction.CONFIRM_DELIVERY:
        record_payment_if_settled(session, db, order, parties, lot, now=now)
    complete_order_if_done(session, db, order, parties, now=now)
    return replan


def _any_user(session: Session, lot: LotRow) -> str:
    user = session.scalar(
        select(UserRow.id)
        .where(UserRow.org_id == lot.manufacturer_org_id, UserRow.is_active)
        .order_by(UserRow.created_at)
    )
    if user is None:
        raise InputError(f"manufacturer {lot.manufacturer_org_id} has no user to sign")
    return user


def record_payment_if_settled(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    lot: LotRow,
    *,
    now: datetime,
) -> None:
    """DELIVERED -> PAID as fabnet once the lot's escrow is empty (all milestones released)."""
    if lot.state == LotState.DELIVERED.value and escrow_balance(session, lot.id, lot.currency) == 0:
        apply_lot_transition(session, db, order, parties, lot, LotAction.RECORD_PAYMENT, SYSTEM,
                             now=now)  # fmt: skip


def complete_order_if_done(
    session: Session,
    db: Database,
    order: OrderRow,
    parties: Sequence[OrderPartyRow],
    *,
    now: datetime,
) -> None:
    session.refresh(order)
    if order.state != OrderState.IN_PROGRESS.value:
        return
    lots = OrderRepository(session).lots_of(order.id)
    if all(LotState(lot.state) in FAILED_LOT_STATES | {LotState.CLOSED} for lot in lots) and any(
        lot.state == LotState.CLOSED.value for lot in lots
    ):
        try:
            apply_order_transition(session, db, order, parties, OrderAction.COMPLETE, SYSTEM,
                                   now=now)  # fmt: skip
        except FabnetError:
            return  # quantity still missing: the order stays in progress
