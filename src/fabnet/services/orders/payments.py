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

from datetime import datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.domain.orders.currency import currency_code
from fabnet.domain.orders.ledger import (
    deposit,
    pay_out,
)
from fabnet.domain.orders.roles import Role
from fabnet.errors import InputError, PermissionDeniedError
from fabnet.services.orders._access import SYSTEM, Actor, load_order, order_roles
from fabnet.services.orders._money import funding_org, ledger_for, post
from fabnet.services.orders._reactions import contract_ready_lots
from fabnet.services.orders._views import DEMAND_ROLES
from fabnet.services.orders.escrow import (
    EscrowSummary,
    escrow_summary_in,
    funding_message,
    uncovered_lots,
)
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.events import AuditRepository
from fabnet.storage.ledger import LedgerRepository
from fabnet.storage.orders import LotRow


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


class Funding(OrderLedger):
    """A deposit's outcome: the order's ledger after it, the escrow summary, and in words what
    the money covers; a deposit short of what is due is recorded and says which lots wait."""

    escrow: EscrowSummary
    uncovered_lot_ids: tuple[str, ...] = Field(
        description="Accepted lots due that the money available does not cover (they wait)"
    )
    message: str


# --- use cases -----------------------------------------------------------------------------------


def fund_order(
    db: Database,
    actor: Principal,
    order_id: str,
    amount_minor: int,
    *,
    reference: str,
    currency: str | None = None,
) -> Funding:
    """Record money received from the order's payer (or buyer); ``reference`` is the payment
    provider's id and makes the deposit idempotent (the same reference twice is a conflict).
    Lots whose contracts are fully signed and wait for escrow are then contracted. The answer
    says what the money covers and which accepted lots a short deposit leaves waiting."""
    if not reference.strip():
        raise InputError("a payment reference is required", source="payment", field="reference")
    with db.transaction() as session:
        order, parties = load_order(session, order_id, actor, scope=Scope.WRITE)
        payer = funding_org(parties, order)
        _check_payer(actor, payer)
        before = escrow_summary_in(session, actor, order_id)  # before the ledger lock
        code = currency_code(currency or order.currency, field="currency")
        who = Actor(actor.user_id, actor.org_id, Role.PAYER)
        post(
            session,
            [deposit(payer, amount_minor, code, reference.strip())],
            order_id=order.id,
            actor=who,
        )
        contract_ready_lots(session, db, order, parties)
    # after the commit, in one snapshot: the two answers' shared reads (the order, its parties
    # and lots) are read once
    with db.read_snapshot(), db.read() as session:
        ledger = order_ledger_in(session, actor, order_id)
        summary = escrow_summary_in(session, actor, order_id)
    return Funding(
        **ledger.model_dump(),
        escrow=summary,
        uncovered_lot_ids=tuple(lot.lot_id for lot in uncovered_lots(summary)),
        message=funding_message(summary, before),
    )


def _check_payer(actor: Principal, payer: str) -> None:
    if actor.org_id != payer and not actor.is_platform_admin:
        raise PermissionDeniedError(
            f"only the order's payer (organisation {payer}) records its payments"
        )


def order_ledger(db: Database, actor: Principal | None, order_id: str) -> OrderLedger:
    """The order's transactions and, per account they touch, the balance *within this order*.
    Demand-side parties (buyer, specifier, payer, recipient, orchestrator) see all of it; a
    manufacturer sees the transactions of its own lots only; other parties (an inspector, a
    licensor) none."""
    with db.read() as session:
        return order_ledger_in(session, actor, order_id)


def order_ledger_in(session: Session, actor: Principal | None, order_id: str) -> OrderLedger:
    """:func:`order_ledger` read in the caller's ``session``."""
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
    order_txs = LedgerRepository(session).transactions(order_id=order_id)
    txs = [tx for tx in order_txs if demand or tx.lot_id in own_lots]
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
        tx = pay_out(ledger_for(session, [account]), account, currency_code(currency), reference)
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
        return LedgerRepository(session).balances()
