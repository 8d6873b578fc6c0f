"""The audit log: append events to the hash chain inside a use case's transaction, verify it.

Every order, lot, contract, inspection and ledger change appends one event with
:func:`record_event` in the same transaction as the change, so an event exists exactly when the
change was committed. Appending locks the chain head (see :mod:`fabnet.storage.events`), so the
chain never forks, whatever the number of concurrent writers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fabnet.domain.orders.audit import AuditEvent, ChainVerification, append_event, verify_chain
from fabnet.domain.orders.roles import Role
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.events import AuditRepository

#: ``actor_id`` of events fabnet itself causes (timers, ledger rules).
SYSTEM_ACTOR = "system"


def record_event(
    session: Session,
    *,
    actor_id: str,
    role: Role,
    object_type: str,
    object_id: str,
    event_type: str,
    payload: Mapping[str, Any] | None = None,
    reason: str | None = None,
    evidence_sha256: Sequence[str] = (),
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain in ``session``'s transaction and return it. The event
    chains from the locked head row's seq and hash (the head is written with every event, in
    the same flush), so the previous event is not read; a head naming an event that is gone is
    chained from all the same, so the break stays visible to verification."""
    repo = AuditRepository(session)
    head = repo.lock_head()
    draft = append_event(
        None,
        occurred_at=occurred_at or utc_now(),
        actor_id=actor_id,
        role=role,
        object_type=object_type,
        object_id=object_id,
        event_type=event_type,
        payload=payload,
        reason=reason,
        evidence_sha256=evidence_sha256,
    )
    event = draft
    if head.seq:
        event = draft.model_copy(update={"prev_hash": head.hash, "seq": head.seq + 1})
        event = event.model_copy(update={"hash": event.computed_hash()})
    repo.append(event, head)
    return event


def verify_audit_chain(db: Database) -> ChainVerification:
    """Walk the whole chain and check it against the anchored head; names the first break."""
    with db.read() as session:
        repo = AuditRepository(session)
        events = repo.all_events()
        head = repo.head()
        head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, None)
    expected_head = head_hash if head_seq else None
    if head_seq and head_seq != len(events):
        result = verify_chain(events)
        if not result.ok:
            return result
        return ChainVerification(
            ok=False,
            first_broken_seq=len(events) + 1,
            reason=f"the head anchors event {head_seq} but the log ends at event {len(events)} "
            "(the newest events were deleted)",
            checked=len(events),
        )
    return verify_chain(events, expected_head=expected_head)


def object_history(db: Database, object_ids: Sequence[str]) -> list[AuditEvent]:
    """Events about ``object_ids`` in chain order. Access is the caller's business: the orders
    services call this after deciding that their actor may see the objects."""
    with db.read() as session:
        return AuditRepository(session).events_for(list(object_ids))
