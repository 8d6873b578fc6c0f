"""Payments: the order's money in a double-entry ledger (integer minor units per currency).

The buyer (or the order's payer) deposits money (:func:`fund_order`); when every party has
signed a lot's contract the lot's contract value moves into the lot's escrow; lot transitions
release escrow by the contract's milestones (minus the platform fee) or refund it on cancel and
terminate. Every transaction is validated by the domain :class:`~fabnet.domain.orders.ledger.Ledger`
against the whole ledger before it is inserted (balanced per currency, no internal account
below zero, no transaction twice) and appends an audit event. Ledger writes take the audit
chain's lock first, so they are serialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.contracts import ContractTerms
from fabnet.domain.orders.currency import currency_code
from fabnet.domain.orders.ledger import (
    Ledger,
    Transaction,
    buyer_cash,
    deposit,
    escrow,
    fund_escrow,
    pay_out,
    refund_for,
    release_for_transition,
)
from fabnet.domain.orders.lifecycle import TransitionOutcome
from fabnet.domain.orders.roles import Role
from fabnet.errors import InputError, PermissionDeniedError
from fabnet.services.orders.audit import record_event
from fabnet.services.orders.order_core import (
    DEMAND_ROLES,
    SYSTEM,
    Actor,
    load_order,
    lot_contract,
    order_roles,
)
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.events import AuditRepository
from fabnet.storage.ledger import LedgerPostingRow, LedgerRepository, LedgerTransactionRow
from fabnet.storage.orders import LotRow, OrderPartyRow, OrderRow


class PostingView(Frozen):
    account: str
    amount_minor: int
    currency: str


class TransactionView(Frozen):
    id: str
    kind: str
    memo: str
    lot_id: str | None
    trigger: str | None
    postings: tuple[PostingView, ...]


class AccountBalance(Frozen):
    account: str
    currency: str
    balance_minor: int


class OrderLedger(Frozen):
    """The order's money: its transactions and the balances of the accounts they touch."""

    order_id: str
    currency: str
    transactions: tuple[TransactionView, ...]
    balances: tuple[AccountBalance, ...] = Field(
        description="Balances of the accounts counting only this order's transactions"
    )


def escrow_balance(session: Session, lot_id: str, currency: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerPostingRow.amount), 0)).where(
            LedgerPostingRow.account == escrow(lot_id), LedgerPostingRow.currency == currency
        )
    )
    return int(total or 0)


def load_ledger(session: Session) -> Ledger:
    return Ledger.of(LedgerRepository(session).transactions())


def post(
    session: Session,
    transactions: Sequence[Transaction],
    *,
    order_id: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> Ledger:
    """Check ``transactions`` against the whole ledger, insert them and audit each one."""
    AuditRepository(session).lock_head()  # serialise ledger writers before reading balances
    ledger = load_ledger(session).post_all(transactions)
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
    return ledger


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
    ledger = load_ledger(session)
    txs = release_for_transition(ledger, outcome, terms, accepted_quantity=lot.accepted_quantity)
    txs += refund_for(ledger, outcome, terms)
    if txs:
        post(session, txs, order_id=order.id, actor=actor, now=now)


# --- use cases -----------------------------------------------------------------------------------


def fund_order(
    db: Database,
    actor: Principal,
    order_id: str,
    amount_minor: int,
    *,
    reference: str,
    currency: str | None = None,
) -> OrderLedger:
    """Record money received from the order's payer (or buyer); ``reference`` is the payment
    provider's id and makes the deposit idempotent (the same reference twice is a conflict).
    Lots whose contracts are fully signed and wait for escrow are then contracted."""
    from fabnet.services.orders.contracts import contract_ready_lots

    if not reference.strip():
        raise InputError("a payment reference is required", source="payment", field="reference")
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        payer = funding_org(parties, order)
        if actor.org_id != payer and not actor.is_platform_admin:
            raise PermissionDeniedError(
                f"only the order's payer (organisation {payer}) records its payments"
            )
        code = currency_code(currency or order.currency, field="currency")
        who = Actor(actor.user_id, actor.org_id, Role.PAYER)
        post(
            session,
            [deposit(payer, amount_minor, code, reference.strip())],
            order_id=order.id,
            actor=who,
        )
        contract_ready_lots(session, db, order, parties)
    return order_ledger(db, actor, order_id)


def order_ledger(db: Database, actor: Principal | None, order_id: str) -> OrderLedger:
    """The order's transactions and, per account they touch, the balance *within this order*.
    Demand-side parties (buyer, specifier, payer, recipient, orchestrator) see all of it; a
    manufacturer sees the transactions of its own lots only; other parties (an inspector, a
    licensor) none."""
    with db.read() as session:
        order, parties = load_order(session, order_id, actor)
        order_currency = order.currency
        demand = (
            actor is None
            or actor.is_platform_admin
            or bool(order_roles(parties, actor.org_id) & DEMAND_ROLES)
        )
        own_lots = {
            lot.id
            for lot in session.scalars(select(LotRow).where(LotRow.order_id == order_id))
            if demand or (actor is not None and lot.manufacturer_org_id == actor.org_id)
        }
        ledger = load_ledger(session)

        ids = set(
            session.scalars(
                select(LedgerTransactionRow.id).where(LedgerTransactionRow.order_id == order_id)
            )
        )
    txs = [tx for tx in ledger.transactions if tx.id in ids and (demand or tx.lot_id in own_lots)]
    accounts = sorted({(p.account, p.currency) for tx in txs for p in tx.postings})
    return OrderLedger(
        order_id=order_id,
        currency=order_currency,
        transactions=tuple(
            TransactionView(
                id=tx.id,
                kind=tx.kind.value,
                memo=tx.memo,
                lot_id=tx.lot_id,
                trigger=tx.trigger,
                postings=tuple(
                    PostingView(account=p.account, amount_minor=p.amount, currency=p.currency)
                    for p in tx.postings
                ),
            )
            for tx in txs
        ),
        balances=tuple(
            AccountBalance(
                account=a,
                currency=c,
                balance_minor=sum(
                    p.amount
                    for tx in txs
                    for p in tx.postings
                    if p.account == a and p.currency == c
                ),
            )
            for a, c in accounts
        ),
    )


def pay_out_account(
    db: Database, account: str, currency: str, *, reference: str, now: datetime | None = None
) -> TransactionView:
    """Pay a ``payable:<org>`` or ``refunds:<org>`` balance to the outside world (run by the
    platform's payment job after the bank transfer; the local operator's use case)."""
    with db.transaction() as session:
        AuditRepository(session).lock_head()
        tx = pay_out(load_ledger(session), account, currency_code(currency), reference)
        post(session, [tx], order_id=None, actor=SYSTEM, now=now or utc_now())
    return TransactionView(
        id=tx.id, kind=tx.kind.value, memo=tx.memo, lot_id=None, trigger=None,
        postings=tuple(
            PostingView(account=p.account, amount_minor=p.amount, currency=p.currency)
            for p in tx.postings
        ),
    )  # fmt: skip


def ledger_balances(db: Database) -> dict[tuple[str, str], int]:
    """Every account's balance (for the operator and the invariant checks)."""
    with db.read() as session:
        return dict(load_ledger(session).balances())
