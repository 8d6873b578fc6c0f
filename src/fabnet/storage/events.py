"""The append-only, hash-chained audit log, and the row that anchors the chain's head.

``audit_chain_head`` holds exactly one row (seeded by the migration): the last event's seq and
hash. Appending locks it first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises
writers with ``BEGIN IMMEDIATE``), so two writers can never both extend the same event and fork
the chain. Verification also compares the last event with the head, which detects deleting the
newest events. A transaction locks the head once: a second ``lock_head`` in it (a ledger write
locks the head before it reads balances, then appends its event) is answered from the row it
locked, without another ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from fabnet.domain.orders.audit import AuditEvent
from fabnet.domain.orders.roles import Role
from fabnet.storage import snapshot_cache
from fabnet.storage.base import Base
from fabnet.storage.identity import aware

HEAD_ROW_ID = 1
_LOCKED_HEAD = "fabnet_locked_audit_head"


class AuditEventRow(Base):
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    evidence_sha256: Mapped[list[str]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


def event_from_row(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        occurred_at=aware(row.occurred_at),
        actor_id=row.actor_id,
        role=Role(row.role),
        object_type=row.object_type,
        object_id=row.object_id,
        event_type=row.event_type,
        payload=row.payload,
        reason=row.reason,
        evidence_sha256=tuple(row.evidence_sha256),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _still_holds(session: Session, locked_in: SessionTransaction | None) -> bool:
    """Whether the transaction (or savepoint) that locked the head is still open and is the
    session's current one or an ancestor of it: a rolled-back savepoint released its lock (and
    the row it changed is expired), a committed transaction ended it; then the head is locked
    (and read) again."""
    if locked_in is None or not locked_in.is_active:
        return False
    current = session.get_nested_transaction() or session.get_transaction()
    while current is not None:
        if current is locked_in:
            return True
        current = current.parent
    return False


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_head(self) -> AuditHeadRow:
        """The chain head, locked until the transaction ends (PostgreSQL row lock); once per
        transaction (see the module docstring)."""
        held = self.session.info.get(_LOCKED_HEAD)
        if held is not None and _still_holds(self.session, held[1]):
            locked: AuditHeadRow = held[0]
            return locked
        row = self.session.scalar(
            select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ROW_ID).with_for_update()
        )
        if row is None:  # a database migrated before the seed row existed
            row = AuditHeadRow(id=HEAD_ROW_ID, seq=0, hash="0" * 64)
            self.session.add(row)
            self.session.flush()
        transaction = self.session.get_nested_transaction() or self.session.get_transaction()
        self.session.info[_LOCKED_HEAD] = (row, transaction)
        return row

    def head(self) -> AuditHeadRow | None:
        return self.session.get(AuditHeadRow, HEAD_ROW_ID)

    def event(self, seq: int) -> AuditEvent | None:
        row = self.session.get(AuditEventRow, seq)
        return None if row is None else event_from_row(row)

    def append(self, event: AuditEvent, head: AuditHeadRow) -> None:
        self.session.add(
            AuditEventRow(
                seq=event.seq,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                role=event.role.value,
                object_type=event.object_type,
                object_id=event.object_id,
                event_type=event.event_type,
                payload=event.payload,
                reason=event.reason,
                evidence_sha256=list(event.evidence_sha256),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
        )
        head.seq = event.seq
        head.hash = event.hash
        self.session.flush()

    def all_events(self) -> list[AuditEvent]:
        return [
            event_from_row(r)
            for r in self.session.scalars(select(AuditEventRow).order_by(AuditEventRow.seq))
        ]

    def preload_events(self, object_ids: Sequence[str], event_types: Sequence[str]) -> None:
        """In a read snapshot: read the ``event_types`` events of all ``object_ids`` in one
        query, so ``events_for([id], event_types)`` of each is answered from the snapshot."""
        if not object_ids or not snapshot_cache.active(self.session):
            return
        found: dict[str, list[AuditEvent]] = {object_id: [] for object_id in object_ids}
        rows = self.session.scalars(
            select(AuditEventRow)
            .where(
                AuditEventRow.object_id.in_(sorted(found)),
                AuditEventRow.event_type.in_(sorted(event_types)),
            )
            .order_by(AuditEventRow.seq)
        )
        for row in rows:
            found[row.object_id].append(event_from_row(row))
        for object_id, listed in found.items():
            key = ("events", (object_id,), tuple(event_types))
            snapshot_cache.store(self.session, key, listed)

    def events_for(
        self, object_ids: list[str], event_types: Sequence[str] | None = None
    ) -> list[AuditEvent]:
        """The events of ``object_ids`` in chain order (only of ``event_types`` when given)."""
        def load() -> list[AuditEvent]:
            query = select(AuditEventRow).where(AuditEventRow.object_id.in_(object_ids))
            if event_types is not None:
                query = query.where(AuditEventRow.event_type.in_(sorted(event_types)))
            rows = self.session.scalars(query.order_by(AuditEventRow.seq))
            return [event_from_row(r) for r in rows]

        key = ("events", tuple(object_ids), None if event_types is None else tuple(event_types))
        return list(snapshot_cache.remember(self.session, key, load))
