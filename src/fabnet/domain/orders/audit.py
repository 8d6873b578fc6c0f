"""The audit trail: a hash chain of events, so that any edit, deletion, insertion or reordering
is detectable.

Each event's ``hash`` is ``sha256(canonical_json(every field except hash))``, and each event
carries the previous event's hash (``prev_hash``; the first carries 64 zeros). Sequence numbers
start at 1 and increase by one. Deleting the *last* events leaves a valid shorter chain: anchor
the head (store or publish the latest hash) and pass it as ``expected_head`` to detect that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from fabnet.domain.common import Frozen
from fabnet.domain.orders.canonical import (
    GENESIS_HASH,
    canonical_datetime,
    canonical_json,
    is_sha256_hex,
    sha256_hex,
)
from fabnet.domain.orders.roles import Role


class AuditEvent(Frozen):
    seq: int = Field(ge=1)
    occurred_at: datetime
    actor_id: str
    role: Role
    object_type: str = Field(description="'order', 'lot', 'contract', 'ledger'...")
    object_id: str
    event_type: str = Field(description="e.g. 'lot.accept_lot' (TransitionOutcome.event_type)")
    payload: dict[str, Any] = Field(default_factory=dict)
    reason: str | None = None
    evidence_sha256: tuple[str, ...] = ()
    prev_hash: str
    hash: str

    @field_validator("evidence_sha256")
    @classmethod
    def _digests(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in value if not is_sha256_hex(d)]
        if bad:
            raise ValueError(f"not lower-case hex SHA-256: {', '.join(bad)}")
        return value

    def hashed_fields(self) -> dict[str, Any]:
        """Every field except ``hash``, as canonical JSON values."""
        return {
            "seq": self.seq,
            "occurred_at": canonical_datetime(self.occurred_at),
            "actor_id": self.actor_id,
            "role": self.role.value,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "event_type": self.event_type,
            "payload": self.payload,
            "reason": self.reason,
            "evidence_sha256": list(self.evidence_sha256),
            "prev_hash": self.prev_hash,
        }

    def computed_hash(self) -> str:
        return sha256_hex(canonical_json(self.hashed_fields()))


def append_event(
    chain_head: AuditEvent | None,
    *,
    occurred_at: datetime,
    actor_id: str,
    role: Role,
    object_type: str,
    object_id: str,
    event_type: str,
    payload: Mapping[str, Any] | None = None,
    reason: str | None = None,
    evidence_sha256: Sequence[str] = (),
) -> AuditEvent:
    """The next event after ``chain_head`` (None for the first), with seq and hashes filled in.

    Refuses a payload that is not canonical JSON (floats, datetimes: see ``canonical``).
    """
    fields: dict[str, Any] = {
        "seq": 1 if chain_head is None else chain_head.seq + 1,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "role": role,
        "object_type": object_type,
        "object_id": object_id,
        "event_type": event_type,
        "payload": dict(payload or {}),
        "reason": reason,
        "evidence_sha256": tuple(evidence_sha256),
        "prev_hash": GENESIS_HASH if chain_head is None else chain_head.hash,
    }
    draft = AuditEvent(**fields, hash=GENESIS_HASH)
    return draft.model_copy(update={"hash": draft.computed_hash()})


class ChainVerification(Frozen):
    ok: bool
    first_broken_seq: int | None = Field(
        default=None,
        description="Position (1-based, = the expected seq) of the first event that does not "
        "verify",
    )
    reason: str | None = None
    checked: int = 0


def verify_chain(
    events: Sequence[AuditEvent], *, expected_head: str | None = None
) -> ChainVerification:
    """Walk ``events`` in the order given and report the first break."""
    prev = GENESIS_HASH
    for position, event in enumerate(events, start=1):
        if event.seq != position:
            return ChainVerification(
                ok=False,
                first_broken_seq=position,
                reason=f"expected seq {position}, found {event.seq} "
                "(an event was deleted, inserted or moved)",
                checked=position - 1,
            )
        if event.computed_hash() != event.hash:
            return ChainVerification(
                ok=False,
                first_broken_seq=event.seq,
                reason=f"event {event.seq} does not match its hash (its content was edited)",
                checked=position - 1,
            )
        if event.prev_hash != prev:
            return ChainVerification(
                ok=False,
                first_broken_seq=event.seq,
                reason=f"event {event.seq} does not link to the event before it "
                "(an event was replaced, deleted or inserted before it)",
                checked=position - 1,
            )
        prev = event.hash
    if expected_head is not None and prev != expected_head:
        return ChainVerification(
            ok=False,
            first_broken_seq=len(events) + 1 if events else 1,
            reason="the chain does not end at the anchored head hash (events are missing at "
            "the end, or the chain was replaced)",
            checked=len(events),
        )
    return ChainVerification(ok=True, checked=len(events))
