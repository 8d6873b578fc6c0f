"""The ledger floor: escrow balances, postings, funding an escrow from the order's cash, and the
releases and refunds a lot's transition triggers under its contract."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fabnet.domain.orders.contracts import (
    ContractTerms,
)
from fabnet.domain.orders.ledger import (
    EXTERNAL,
    Ledger,
    Transaction,
    buyer_cash,
    escrow,
    fund_escrow,
    refund_for,
    release_for_transition,
)
from fabnet.domain.orders.lifecycle import TransitionOutcome
from fabnet.domain.orders.roles import Role
from fabnet.services.orders._access import (
    SYSTEM,
    Actor,
)
from fabnet.services.orders._contracting import lot_contract
from fabnet.services.orders.audit import record_event
from fabnet.storage.events import AuditRepository
from fabnet.storage.ledger import LedgerPostingRow, LedgerRepository, LedgerTransactionRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRow


def escrow_balance(session: Session, lot_id: str, currency: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerPostingRow.amount), 0)).where(
            LedgerPostingRow.account == escrow(lot_id), LedgerPostingRow.currency == currency
        )
    )
    return int(total or 0)


def ledger_for(
    session: Session,
    accounts: Iterable[str],
    *,
    ids: Iterable[str] = (),
    lot_id: str | None = None,
) -> Ledger:
    """The part of the ledger a money write needs, read by index: the balances of
    ``accounts``, which of ``ids`` are already posted, and (with ``lot_id``) the lot's own
    transactions (its escrow and released milestones). Never every transaction of every
    tenant."""
    repo = LedgerRepository(session)
    names = set(accounts)
    lot_txs = repo.transactions(lot_id=lot_id) if lot_id is not None else []
    if lot_id is not None:
        names.add(escrow(lot_id))
    names.discard(EXTERNAL)  # may go negative; never checked, and the largest account of all
    return Ledger.seeded(repo.balances(names), repo.existing_ids(ids), lot_txs)


def post(
    session: Session,
    transactions: Sequence[Transaction],
    *,
    order_id: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """Check ``transactions`` against the balances they touch, insert them and audit each."""
    AuditRepository(session).lock_head()  # serialise ledger writers before reading balances
    ledger_for(
        session,
        {p.account for tx in transactions for p in tx.postings},
        ids=[tx.id for tx in transactions],
    ).post_all(transactions)
    LedgerRepository(session).insert(transactions, order_id=order_id)
    for tx in transactions:
        record_event(
            session,
            actor_id=actor.actor_id,
            role=actor.role,
            object_type="ledger",
            object_id=tx.id,
            event_type=f"ledger.{tx.kind.value}",
            payload={
                "order_id": order_id,
                "lot_id": tx.lot_id,
                "trigger": tx.trigger,
                "postings": [p.model_dump(mode="json") for p in tx.postings],
            },
            occurred_at=now,
        )


def funding_org(parties: Sequence[OrderPartyRow], order: OrderRow) -> str:
    """The payer party's organisation, else the buyer's."""
    payers = [
        p.org_id for p in parties if p.role == Role.PAYER.value and p.org_id != order.buyer_org_id
    ]
    return payers[0] if payers else order.buyer_org_id


def order_cash(session: Session, order_id: str, account: str, currency: str) -> int:
    """What ``account`` holds for one order: the deposits made for it less the escrow funded
    from them (a payer's money for one order never funds another's lots)."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerPostingRow.amount), 0))
        .join(LedgerTransactionRow, LedgerTransactionRow.id == LedgerPostingRow.transaction_id)
        .where(
            LedgerTransactionRow.order_id == order_id,
            LedgerPostingRow.account == account,
            LedgerPostingRow.currency == currency,
        )
    )
    return int(total or 0)


def fund_escrow_for(session: Session, order: OrderRow, terms: ContractTerms) -> bool:
    """Move the contract value into the lot's escrow; False when the money deposited for this
    order (less what its other lots already hold) is short."""
    have = order_cash(session, order.id, buyer_cash(terms.funding_org_id), terms.currency)
    if escrow_balance(session, terms.lot_id, terms.currency) >= terms.total_minor:
        return True
    if have < terms.total_minor:
        return False
    post(session, [fund_escrow(terms)], order_id=order.id, actor=SYSTEM)
    return True


def move_money_for(
    session: Session,
    order: OrderRow,
    lot: LotRow,
    outcome: TransitionOutcome,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Escrow releases (milestones, settlement, partial acceptance) and refunds (cancel,
    terminate) that the lot's transition triggers under its contract."""
    found = lot_contract(session, lot.id)
    if found is None or escrow_balance(session, lot.id, lot.currency) <= 0:
        return
    _, terms = found
    ledger = ledger_for(session, (), lot_id=lot.id)
    txs = release_for_transition(ledger, outcome, terms, accepted_quantity=lot.accepted_quantity)
    txs += refund_for(ledger, outcome, terms)
    if txs:
        post(session, txs, order_id=order.id, actor=actor, now=now)
