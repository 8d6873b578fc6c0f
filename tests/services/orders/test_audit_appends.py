"""Appending audit events: one head lock per transaction, no read of the previous event, and a
chain that verifies whatever savepoints were rolled back in between."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.query_count import counted

from fabnet.domain.orders.audit import AuditEvent
from fabnet.domain.orders.roles import Role
from fabnet.services.orders.audit import record_event, verify_audit_chain
from fabnet.storage.db import Database
from fabnet.storage.events import AuditRepository


def _event(session: Session, n: int) -> AuditEvent:
    return record_event(
        session,
        actor_id="user-1",
        role=Role.BUYER,
        object_type="order",
        object_id=f"order-{n % 3}",
        event_type="test_event",
        payload={"n": n},
    )


def test_events_chain_from_the_head_and_lock_it_once_per_transaction(db: Database) -> None:
    with db.transaction() as session:
        first = _event(session, 0)
    with db.transaction() as session, counted(db) as selects:
        AuditRepository(session).lock_head()  # as a ledger write does before reading balances
        appended = [_event(session, n) for n in range(1, 4)]
    assert len(selects) == 1  # the one head lock: no second lock, no read of the last event
    assert [e.seq for e in appended] == [2, 3, 4]
    assert appended[0].prev_hash == first.hash
    assert [e.prev_hash for e in appended[1:]] == [e.hash for e in appended[:-1]]
    result = verify_audit_chain(db)
    assert result.ok and result.checked == 4


def test_a_rolled_back_savepoint_leaves_no_gap_in_the_chain(db: Database) -> None:
    with db.transaction() as session:
        _event(session, 0)
        with pytest.raises(RuntimeError), session.begin_nested():
            _event(session, 1)  # appended in the savepoint, then rolled back with it
            raise RuntimeError("the use case failed")
        after = _event(session, 2)
        with session.begin_nested():  # a savepoint that locks the head itself and commits
            inner = _event(session, 3)
        last = _event(session, 4)
    assert (after.seq, inner.seq, last.seq) == (2, 3, 4)
    result = verify_audit_chain(db)
    assert result.ok and result.checked == 4


def test_events_of_separate_transactions_keep_the_chain(db: Database) -> None:
    for n in range(5):
        with db.transaction() as session:
            _event(session, n)
    result = verify_audit_chain(db)
    assert result.ok and result.checked == 5
