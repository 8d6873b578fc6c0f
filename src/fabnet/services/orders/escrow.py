"""What an order's escrow needs and holds, per lot and in total, before and after funding.

Per lot: its contract value (quantity x unit price), what was moved into its escrow, what it
holds now, what left it (released to the supplier or refunded), and what is **due**: the value
of an accepted lot whose escrow is not yet funded. Lots still invited (or counter-offered) are
**expected**: due once accepted, at the counter-offer's price when there is one. In total: the
money deposited for the order and not yet in escrow (``available``), and the ``shortfall``
still to pay so every accepted lot can be contracted. Amounts are integer minor units of the
order's currency (``format_minor`` prints them).
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.currency import format_minor
from fabnet.domain.orders.ledger import buyer_cash, escrow
from fabnet.domain.orders.states import LotState
from fabnet.errors import NotFoundError
from fabnet.services.orders._access import load_order, order_roles
from fabnet.services.orders._money import funding_org, order_cash
from fabnet.services.orders._views import DEMAND_ROLES, FAILED_LOT_STATES
from fabnet.storage.db import Database
from fabnet.storage.ledger import LedgerPostingRow
from fabnet.storage.orders import LotRow, OrderRepository

EXPECTED_STATES = frozenset({LotState.INVITED, LotState.COUNTER_OFFERED})


class LotEscrow(Frozen):
    lot_id: str
    item_id: str = Field(description="The part or product the lot makes")
    state: LotState
    manufacturer_org_id: str
    value_minor: int = Field(description="Quantity x unit price")
    funded_minor: int = Field(description="Moved into the lot's escrow so far")
    held_minor: int = Field(description="In the lot's escrow now")
    released_minor: int = Field(description="Left the escrow: released to the supplier or refunded")
    due_minor: int = Field(description="To fund now: an accepted lot whose escrow is empty")
    expected_minor: int = Field(description="Due once the invited lot is accepted")


class EscrowSummary(Frozen):
    order_id: str
    currency: str
    funder_org_id: str
    lots: tuple[LotEscrow, ...]
    due_minor: int = Field(description="Sum of the lots' due amounts")
    expected_minor: int
    available_minor: int = Field(description="Deposited for the order, not yet in any escrow")
    shortfall_minor: int = Field(description="Still to pay so every accepted lot can be funded")
    held_minor: int
    released_minor: int


def escrow_summary(db: Database, actor: Principal | None, order_id: str) -> EscrowSummary:
    """For the order's demand-side parties and platform admins (None: the local operator)."""
    with db.read() as session:
        return escrow_summary_in(session, actor, order_id)


def escrow_summary_in(session: Session, actor: Principal | None, order_id: str) -> EscrowSummary:
    """:func:`escrow_summary` read in the caller's ``session`` (inside a use case that reads
    more in the same session)."""
    order, parties = load_order(session, order_id, actor)
    if (
        actor is not None
        and not actor.is_platform_admin
        and not order_roles(parties, actor.org_id) & DEMAND_ROLES
    ):
        raise NotFoundError(f"no escrow for order {order_id}",
                            hint="the order's buyer or payer sees its escrow")  # fmt: skip
    funder = funding_org(parties, order)
    code = order.currency
    order_lots = OrderRepository(session).lots_of(order_id)
    figures = _escrow_figures(session, [lot.id for lot in order_lots])
    rows = [_lot_escrow(lot, *figures.get((escrow(lot.id), code), (0, 0))) for lot in order_lots]
    available = order_cash(session, order_id, buyer_cash(funder), code)
    due_total = sum(r.due_minor for r in rows)
    return EscrowSummary(
        order_id=order_id,
        currency=code,
        funder_org_id=funder,
        lots=tuple(rows),
        due_minor=due_total,
        expected_minor=sum(r.expected_minor for r in rows),
        available_minor=available,
        shortfall_minor=max(0, due_total - available),
        held_minor=sum(r.held_minor for r in rows),
        released_minor=sum(r.released_minor for r in rows),
    )


def _escrow_figures(session: Session, lot_ids: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """Per escrow account of ``lot_ids`` and currency: what was paid in (the positive postings)
    and what it holds (the balance); one grouped query however many lots."""
    if not lot_ids:
        return {}
    paid_in = func.sum(case((LedgerPostingRow.amount > 0, LedgerPostingRow.amount), else_=0))
    rows = session.execute(
        select(
            LedgerPostingRow.account,
            LedgerPostingRow.currency,
            paid_in,
            func.sum(LedgerPostingRow.amount),
        )
        .where(LedgerPostingRow.account.in_([escrow(lot_id) for lot_id in lot_ids]))
        .group_by(LedgerPostingRow.account, LedgerPostingRow.currency)
    )
    return {
        (account, currency): (int(funded or 0), int(held or 0))
        for account, currency, funded, held in rows
    }


def _lot_escrow(lot: LotRow, funded: int, held: int) -> LotEscrow:
    state = LotState(lot.state)
    value = lot.quantity * lot.unit_price_minor
    expected = 0
    if state in EXPECTED_STATES:
        price = lot.unit_price_minor
        offer = lot.counter_offer or {}
        if isinstance(offer.get("unit_price_minor"), int):
            price = int(offer["unit_price_minor"])
        expected = lot.quantity * price
    due = value if state is LotState.ACCEPTED and funded == 0 else 0
    if state in FAILED_LOT_STATES:
        due = expected = 0
    return LotEscrow(
        lot_id=lot.id, item_id=lot.item_id, state=state,
        manufacturer_org_id=lot.manufacturer_org_id,
        value_minor=value, funded_minor=funded, held_minor=held,
        released_minor=funded - held, due_minor=due, expected_minor=expected,
    )  # fmt: skip


def uncovered_lots(summary: EscrowSummary) -> tuple[LotEscrow, ...]:
    """The lots due now that the money available does not cover. Escrow is funded lot by lot in
    the order's lot order, a lot that does not fit waiting for the next deposit while a later,
    smaller one may fit: the same rule contracting applies, so this says which lots will wait."""
    left = summary.available_minor
    short: list[LotEscrow] = []
    for lot in summary.lots:
        if lot.due_minor <= 0:
            continue
        if lot.due_minor <= left:
            left -= lot.due_minor
        else:
            short.append(lot)
    return tuple(short)


def funding_message(summary: EscrowSummary, before: EscrowSummary | None = None) -> str:
    """In words: what is available against what is due, and which lots a shortfall leaves
    waiting, with the amount still to pay (in the order's currency and its decimals). With the
    summary ``before`` a deposit, the lots counted are those that were due before it (a lot the
    deposit funded is no longer due after it, but it was covered by it)."""
    code = summary.currency

    def money(minor: int) -> str:
        return format_minor(minor, code)

    short = uncovered_lots(summary)
    due = [lot for lot in (before or summary).lots if lot.due_minor > 0]
    due += [lot for lot in short if lot.lot_id not in {d.lot_id for d in due}]
    parts = [f"{money(summary.available_minor)} available for the order"]
    if not due:
        parts.append("no accepted lot is waiting for escrow")
    elif not short:
        parts.append(
            f"it covers all {len(due)} accepted lot(s) due "
            f"({money(sum(lot.due_minor for lot in due))})"
        )
    else:
        names = ", ".join(f"{lot.item_id} (lot {lot.lot_id[:8]}, {money(lot.due_minor)})"
                          for lot in short)  # fmt: skip
        need = sum(lot.due_minor for lot in short)
        parts.append(
            f"{len(due) - len(short)} of {len(due)} accepted lot(s) due are covered; "
            f"not covered: {names}; pay at least {money(summary.shortfall_minor)} more "
            f"({money(need)} covers every lot left waiting)"
        )
    if summary.expected_minor:
        parts.append(
            f"{money(summary.expected_minor)} more falls due when the invited lots are accepted"
        )
    return "; ".join(parts) + "."


def supplier_escrow(db: Database, actor: Principal) -> list[tuple[LotEscrow, str]]:
    """The escrow of every lot ``actor``'s organisation makes, with the lot's currency: what is
    held for it, released (to it, before the platform fee, or refunded) and pending (funded
    lots still to release, and accepted lots awaiting funding)."""
    actor.require(Scope.READ)
    with db.read() as session:
        lots = list(session.scalars(
            select(LotRow)
            .where(LotRow.manufacturer_org_id == actor.org_id)
            .order_by(LotRow.created_at, LotRow.position, LotRow.id)
        ))  # fmt: skip
        figures = _escrow_figures(session, [lot.id for lot in lots])
        return [
            (_lot_escrow(lot, *figures.get((escrow(lot.id), lot.currency), (0, 0))), lot.currency)
            for lot in lots
        ]
