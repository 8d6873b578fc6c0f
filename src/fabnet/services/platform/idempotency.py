"""Idempotency keys: a repeated POST with the same key and body replays the first response.

A key is claimed before the request runs (one row per user and key), then completed with the
response. The same key with a different request is refused (422), a key whose first request is
still running is refused (409); a first request that failed with a server error releases the key
so the client may retry. Keys live 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fabnet.errors import ConflictError, InputError
from fabnet.storage import idempotency as store
from fabnet.storage.db import Database

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: list[list[str]]
    body: bytes


def check_key(key: str) -> str:
    value = key.strip()
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not value.isprintable():
        raise InputError(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
            field="header.Idempotency-Key",
            hint="use a random UUID per logical request",
        )
    return value


def begin(
    db: Database, user_id: str, key: str, *, method: str, path: str, fingerprint: str
) -> StoredResponse | None:
    """Claim ``key`` for this request, or return the stored response of its first use."""
    key = check_key(key)
    with db.transaction() as session:
        row = store.find(session, user_id, key)
        if row is not None and store.claim_age(row) > KEY_TTL:
            session.delete(row)
            session.flush()
            row = None
        if row is None:
            if store.try_claim(session, user_id, key, method, path, fingerprint):
                return None
            row = store.find(session, user_id, key)
            assert row is not None
        if row.fingerprint != fingerprint or row.method != method or row.path != path:
            raise InputError(
                "this Idempotency-Key was used with a different request",
                field="header.Idempotency-Key",
                hint="use a new key for a new request; repeat the same body to replay",
            )
        if row.completed_at is None or row.status_code is None:
            raise ConflictError(
                "the first request with this Idempotency-Key is still being processed",
                hint="retry in a moment",
            )
        return StoredResponse(
            row.status_code, list(row.response_headers or []), row.response_body or b""
        )


def complete(db: Database, user_id: str, key: str, response: StoredResponse) -> None:
    with db.transaction() as session:
        store.complete(
            session, user_id, key.strip(), response.status_code, response.headers, response.body
        )


def release(db: Database, user_id: str, key: str) -> None:
    with db.transaction() as session:
        store.release(session, user_id, key.strip())


def purge_expired(db: Database, now: datetime | None = None) -> int:
    """Forget idempotency keys older than their time to live at ``now``; returns the count."""
    with db.transaction() as session:
        return store.purge_older_than(session, KEY_TTL, now=now)
