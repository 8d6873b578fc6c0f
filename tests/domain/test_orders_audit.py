"""The audit hash chain detects edits, deletions, insertions and reordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from fabnet.domain.orders.audit import AuditEvent, append_event, verify_chain
from fabnet.domain.orders.roles import Role
from fabnet.errors import InputError

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def chain(length: int = 5) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    for i in range(length):
        events.append(
            append_event(
                events[-1] if events else None,
                occurred_at=T0 + timedelta(minutes=i),
                actor_id=f"u-{i % 2}",
                role=Role.MANUFACTURER if i % 2 else Role.BUYER,
                object_type="lot",
                object_id="lot-1",
                event_type=f"lot.step{i}",
                payload={"quantity": 100 + i, "note": "Ünïcode ok", "nested": {"b": 1, "a": [i]}},
                reason="because" if i == 2 else None,
                evidence_sha256=("f" * 64,) if i == 3 else (),
            )
        )
    return events


def test_an_untouched_chain_verifies() -> None:
    events = chain()
    result = verify_chain(events, expected_head=events[-1].hash)
    assert result.ok and result.checked == 5 and result.first_broken_seq is None
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64


def test_hash_ignores_the_timezone_of_the_same_instant() -> None:
    event = chain(1)[0]
    shifted = event.model_copy(update={"occurred_at": T0.astimezone(timezone(timedelta(hours=3)))})
    assert shifted.computed_hash() == event.hash


@pytest.mark.parametrize(
    "field,value",
    [("payload", {"quantity": 999}), ("actor_id", "u-evil"), ("reason", "edited"),
     ("occurred_at", T0 + timedelta(days=1)), ("role", Role.INSPECTOR),
     ("evidence_sha256", ("0" * 64,))],
)  # fmt: skip
def test_an_edited_event_is_found(field: str, value: object) -> None:
    events = chain()
    events[2] = events[2].model_copy(update={field: value})
    result = verify_chain(events)
    assert not result.ok and result.first_broken_seq == 3 and "edited" in (result.reason or "")


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link() -> None:
    events = chain()
    forged = events[2].model_copy(update={"payload": {"quantity": 1}})
    events[2] = forged.model_copy(update={"hash": forged.computed_hash()})
    result = verify_chain(events)
    assert not result.ok and result.first_broken_seq == 4


def test_a_deleted_event_is_found() -> None:
    events = chain()
    del events[1]
    result = verify_chain(events)
    assert not result.ok and result.first_broken_seq == 2


def test_a_deleted_tail_needs_the_anchored_head() -> None:
    events = chain()
    head = events[-1].hash
    assert verify_chain(events[:-1]).ok
    result = verify_chain(events[:-1], expected_head=head)
    assert not result.ok and "anchored head" in (result.reason or "")


def test_an_inserted_event_is_found() -> None:
    events = chain()
    intruder = append_event(
        events[1],
        occurred_at=T0,
        actor_id="u-x",
        role=Role.BUYER,
        object_type="lot",
        object_id="lot-1",
        event_type="lot.fake",
    )
    events.insert(2, intruder)
    result = verify_chain(events)
    assert not result.ok and result.first_broken_seq == 4  # the displaced original event


def test_reordered_events_are_found() -> None:
    events = chain()
    events[1], events[2] = events[2], events[1]
    result = verify_chain(events)
    assert not result.ok and result.first_broken_seq == 2


def test_floats_and_naive_datetimes_are_refused() -> None:
    with pytest.raises(InputError, match="floats"):
        append_event(
            None,
            occurred_at=T0,
            actor_id="u",
            role=Role.BUYER,
            object_type="lot",
            object_id="l",
            event_type="x",
            payload={"mass": 1.5},
        )
    with pytest.raises(InputError, match="naive"):
        append_event(
            None,
            occurred_at=datetime(2026, 1, 1),
            actor_id="u",
            role=Role.BUYER,
            object_type="lot",
            object_id="l",
            event_type="x",
        )
