"""Tables of the double-entry ledger: transactions and their postings in integer minor units.

Rows are only ever inserted. The rules (balanced per currency, no internal account below zero,
no repeated transaction id) are the domain ledger's; the payments service checks every
transaction with :class:`~fabnet.domain.orders.ledger.Ledger` before inserting it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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

    def transactions(self) -> list[Transaction]:
        """Every transaction in the order it was posted."""
        postings: dict[str, list[Posting]] = {}
        for row in self.session.scalars(select(LedgerPostingRow).order_by(LedgerPostingRow.id)):
            postings.setdefault(row.transaction_id, []).append(
                Posting(account=row.account, amount=row.amount, currency=row.currency)
            )
        return [
            Transaction(
                id=tx.id,
                kind=TxKind(tx.kind),
                postings=tuple(postings.get(tx.id, ())),
                memo=tx.memo,
                lot_id=tx.lot_id,
                trigger=tx.trigger,
            )
            for tx in self.session.scalars(
                select(LedgerTransactionRow).order_by(LedgerTransactionRow.seq)
            )
        ]

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
