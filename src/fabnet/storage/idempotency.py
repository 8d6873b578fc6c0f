"""Table and queries of idempotency keys: one row per (user, Idempotency-Key) of a POST request.

A row is *claimed* (``completed_at`` empty) before the request runs; the unique primary key means
only one request per key can run. When the request ends, the response is stored in the row; a
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


def find(session: Session, user_id: str, key: str) -> IdempotencyKeyRow | None:
    return session.get(IdempotencyKeyRow, (user_id, key))


def try_claim(
    session: Session, user_id: str, key: str, method: str, path: str, fingerprint: str
) -> bool:
    """Insert a claim; False when a row for (user, key) exists already (it is not changed)."""
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKeyRow(
                    user_id=user_id, key=key, method=method, path=path, fingerprint=fingerprint
                )
            )
    except IntegrityError:
        return False
    return True


def complete(
    session: Session,
    user_id: str,
    key: str,
    status_code: int,
    headers: list[list[str]],
    body: bytes,
) -> None:
    session.execute(
        update(IdempotencyKeyRow)
        .where(IdempotencyKeyRow.user_id == user_id, IdempotencyKeyRow.key == key)
        .values(
            completed_at=utc_now(),
            status_code=status_code,
            response_headers=headers,
            response_body=body,
        ),
        execution_options={"synchronize_session": False},
    )


def release(session: Session, user_id: str, key: str) -> None:
    session.execute(
        delete(IdempotencyKeyRow).where(
            IdempotencyKeyRow.user_id == user_id,
            IdempotencyKeyRow.key == key,
            IdempotencyKeyRow.completed_at.is_(None),
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
