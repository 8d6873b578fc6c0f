"""Tables of the double-entry ledger: transactions and their postings in integer minor units.

Rows are only ever inserted. The rules (balanced per currency, no internal account below zero,
no repeated transaction id) are the domain ledger's; the payments service checks every
transaction with :class:`~fabnet.domain.orders.ledger.Ledger` before inserting it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from fabnet.domain.orders.ledger import Posting, Transaction, TxKind
from fabnet.storage.base import Base, utc_now

ID = String(64)


class LedgerTransactionRow(Base):
    __tablename__ = "ledger_transactions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(ID, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(ID, index=True)
    lot_id: Mapped[str | None] = mapped_column(ID, index=True)
    trigger: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class LedgerPostingRow(Base):
    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(
        ID, ForeignKey("ledger_transactions.id"), index=True
    )
    account: Mapped[str] = mapped_column(String(200), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def transactions(
        self, *, order_id: str | None = None, lot_id: str | None = None
    ) -> list[Transaction]:
        """The transactions of one order or one lot (every one when neither is given), in the
        order they were posted, with their postings.

        One statement (a join) reads them, so a transaction committed concurrently is either
        wholly in the answer or not at all (never a transaction without its postings)."""
        where: list[ColumnElement[bool]] = []
        if order_id is not None:
            where.append(LedgerTransactionRow.order_id == order_id)
        if lot_id is not None:
            where.append(LedgerTransactionRow.lot_id == lot_id)
        tx, posting = LedgerTransactionRow, LedgerPostingRow
        rows = self.session.execute(  # columns, not ORM objects: an order's ledger can be long
            select(tx.id, tx.kind, tx.memo, tx.lot_id, tx.trigger,
                   posting.account, posting.amount, posting.currency)
            .join(posting, posting.transaction_id == tx.id)
            .where(*where)
            .order_by(tx.seq, posting.id)
        )  # fmt: skip
        found: dict[str, tuple[tuple[str, str, str | None, str | None], list[Posting]]] = {}
        for tx_id, kind, memo, lot, trigger, account, amount, currency in rows.tuples():
            found.setdefault(tx_id, ((kind, memo, lot, trigger), []))[1].append(
                Posting(account=account, amount=amount, currency=currency)
            )
        return [
            Transaction(
                id=tx_id,
                kind=TxKind(kind),
                postings=tuple(postings),
                memo=memo,
                lot_id=lot,
                trigger=trigger,
            )
            for tx_id, ((kind, memo, lot, trigger), postings) in found.items()
        ]

    def balances(self, accounts: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
        """Balance per (account, currency) of ``accounts`` (every account when None), summed
        by the database over the account index."""
        query = select(
            LedgerPostingRow.account, LedgerPostingRow.currency, func.sum(LedgerPostingRow.amount)
        ).group_by(LedgerPostingRow.account, LedgerPostingRow.currency)
        if accounts is not None:
            wanted = sorted(set(accounts))
            if not wanted:
                return {}
            query = query.where(LedgerPostingRow.account.in_(wanted))
        return {(a, c): int(total or 0) for a, c, total in self.session.execute(query).tuples()}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        return set(
            self.session.scalars(
                select(LedgerTransactionRow.id).where(LedgerTransactionRow.id.in_(wanted))
            )
        )

    def insert(self, transactions: Iterable[Transaction], *, order_id: str | None) -> None:
        for tx in transactions:
            self.session.add(
                LedgerTransactionRow(
                    id=tx.id,
                    kind=tx.kind.value,
                    memo=tx.memo,
                    order_id=order_id,
                    lot_id=tx.lot_id,
                    trigger=tx.trigger,
                )
            )
            self.session.flush()
            self.session.add_all(
                LedgerPostingRow(
                    transaction_id=tx.id, account=p.account, amount=p.amount, currency=p.currency
                )
                for p in tx.postings
            )
        self.session.flush()
