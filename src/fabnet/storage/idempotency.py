"""Table and queries of idempotency keys: one row per (user, Idempotency-Key) of a POST request.

A row is *claimed* (``completed_at`` empty) before the request runs, with a random
``claim_token`` and a lease (``lease_expires_at``) that the running request renews; the unique
primary key means only one request per key can hold the claim. A claim whose lease ran out (its
process died) may be taken over by a retry. The response is stored in the row by the claim's
holder only (``complete`` matches the token), in the transaction of the change it answers; a
request that failed with a server error releases (deletes) its claim so the client may retry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fabnet.storage.base import Base, utc_now
from fabnet.storage.identity import ID, aware


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2000))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 over method, path, query, content type and body."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    """Who holds the claim: a random token per attempt (empty on rows claimed before 0017)."""
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Until when the claim holds unless renewed (empty: expired)."""


def find(session: Session, user_id: str, key: str) -> IdempotencyKeyRow | None:
    return session.get(IdempotencyKeyRow, (user_id, key))


def try_claim(
    session: Session,
    user_id: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    *,
    token: str,
    lease: timedelta,
) -> bool:
    """Insert a claim; False when a row for (user, key) exists already (it is not changed)."""
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKeyRow(
                    user_id=user_id, key=key, method=method, path=path, fingerprint=fingerprint,
                    claim_token=token, lease_expires_at=utc_now() + lease,
                )
            )  # fmt: skip
    except IntegrityError:
        return False
    return True


def _claimed(user_id: str, key: str) -> Any:
    return (
        (IdempotencyKeyRow.user_id == user_id)
        & (IdempotencyKeyRow.key == key)
        & IdempotencyKeyRow.completed_at.is_(None)
    )


def take_over(
    session: Session, user_id: str, key: str, *, old_token: str | None, token: str, lease: timedelta
) -> bool:
    """Take over the open claim held by ``old_token`` (whose lease ran out); False when it changed
    meanwhile (another retry took it, or the request completed)."""
    now = utc_now()
    held_by = (
        IdempotencyKeyRow.claim_token.is_(None)
        if old_token is None
        else IdempotencyKeyRow.claim_token == old_token
    )
    result: Any = session.execute(
        update(IdempotencyKeyRow)
        .where(_claimed(user_id, key), held_by)
        .values(claim_token=token, lease_expires_at=now + lease, created_at=now),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0) == 1


def renew(session: Session, user_id: str, key: str, token: str, lease: timedelta) -> bool:
    """Extend the lease of the claim ``token`` holds; False when it holds no claim any more."""
    result: Any = session.execute(
        update(IdempotencyKeyRow)
        .where(_claimed(user_id, key), IdempotencyKeyRow.claim_token == token)
        .values(lease_expires_at=utc_now() + lease),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0) == 1


def complete(
    session: Session,
    user_id: str,
    key: str,
    token: str,
    status_code: int,
    headers: list[list[str]],
    body: bytes,
) -> bool:
    """Store the response in the claim ``token`` holds; False when it holds no claim any more."""
    result: Any = session.execute(
        update(IdempotencyKeyRow)
        .where(_claimed(user_id, key), IdempotencyKeyRow.claim_token == token)
        .values(
            completed_at=utc_now(),
            status_code=status_code,
            response_headers=headers,
            response_body=body,
            lease_expires_at=None,
        ),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0) == 1


def release(session: Session, user_id: str, key: str, token: str) -> None:
    session.execute(
        delete(IdempotencyKeyRow).where(
            _claimed(user_id, key), IdempotencyKeyRow.claim_token == token
        ),
        execution_options={"synchronize_session": False},
    )


def purge_older_than(session: Session, age: timedelta, *, now: datetime | None = None) -> int:
    """Delete keys older than ``age`` at ``now`` (kept 24 h by default, like most APIs); returns
    the count."""
    cutoff = (now or utc_now()) - age
    result: Any = session.execute(
        delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < cutoff),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)


def claim_age(row: IdempotencyKeyRow) -> timedelta:
    return utc_now() - aware(row.created_at)


def lease_left(row: IdempotencyKeyRow) -> timedelta:
    """How long the row's claim still holds (zero or less: expired, or never leased)."""
    if row.lease_expires_at is None:
        return timedelta(0)
    return aware(row.lease_expires_at) - utc_now()
