"""Idempotency keys: a repeated POST with the same key and body replays the first response.

A key is claimed before the request runs (one row per user and key, committed at once) with a
random token and a lease of ``lease`` seconds that the running request renews (:func:`renew`).
The response is stored (:func:`complete`) inside the request's held transaction, so it commits
with the change it answers or not at all (ADR 0014): after a crash a retry either replays the
committed outcome or, once the dead claim's lease has run out, takes the claim over and runs.

The same key with a different request is refused (422), a key whose first request is still
running (its lease holds) is refused (409); a first request that failed with a server error
releases the key so the client may retry. Keys live 24 hours.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fabnet.errors import ConflictError, InputError
from fabnet.storage import idempotency as store
from fabnet.storage.db import Database

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
DEFAULT_LEASE = timedelta(seconds=30)
"""How long a claim holds without renewal: a retry after a crash waits at most this long."""


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


@dataclass(frozen=True)
class Claim:
    """This request's hold on a key: complete, renew or release it with the token."""

    user_id: str
    key: str
    token: str
    lease: timedelta


COMPLETION_MARK = "fabnet_idempotency_key"
"""``session.info`` key set on the session that stores a response (crash tests hook on it)."""


def begin(
    db: Database,
    user_id: str,
    key: str,
    *,
    method: str,
    path: str,
    fingerprint: str,
    lease: timedelta = DEFAULT_LEASE,
) -> StoredResponse | Claim:
    """Claim ``key`` for this request, or return the stored response of its first use."""
    key = check_key(key)
    token = secrets.token_hex(16)
    with db.transaction() as session:
        row = store.find(session, user_id, key)
        if row is not None and store.claim_age(row) > KEY_TTL:
            session.delete(row)
            session.flush()
            row = None
        if row is None:
            if store.try_claim(
                session, user_id, key, method, path, fingerprint, token=token, lease=lease
            ):
                return Claim(user_id, key, token, lease)
            row = store.find(session, user_id, key)
            assert row is not None
        if row.fingerprint != fingerprint or row.method != method or row.path != path:
            raise InputError(
                "this Idempotency-Key was used with a different request",
                field="header.Idempotency-Key",
                hint="use a new key for a new request; repeat the same body to replay",
            )
        if row.completed_at is not None and row.status_code is not None:
            return StoredResponse(
                row.status_code, list(row.response_headers or []), row.response_body or b""
            )
        left = store.lease_left(row)
        if left.total_seconds() <= 0 and store.take_over(
            session, user_id, key, old_token=row.claim_token, token=token, lease=lease
        ):
            return Claim(user_id, key, token, lease)  # its holder died: nothing committed
        wait = max(1, int(left.total_seconds() + 0.999))
        raise ConflictError(
            "the first request with this Idempotency-Key is still being processed",
            hint=f"retry in {wait} s",
        )


def renew(db: Database, claim: Claim) -> bool:
    """Extend the claim's lease; False when it was lost (taken over after its lease ran out)."""
    with db.transaction() as session:
        return store.renew(session, claim.user_id, claim.key, claim.token, claim.lease)


def complete(db: Database, claim: Claim, response: StoredResponse) -> None:
    """Store ``response`` for the claim. Inside the request's held transaction this commits with
    the change it answers. ConflictError when the claim was lost meanwhile: the caller rolls its
    change back (the request that took the claim over makes it)."""
    with db.transaction() as session:
        session.info[COMPLETION_MARK] = claim.key
        done = store.complete(
            session,
            claim.user_id,
            claim.key,
            claim.token,
            response.status_code,
            response.headers,
            response.body,
        )
    if not done:
        raise ConflictError(
            "this request's hold on its Idempotency-Key ran out and a retry took it over; "
            "its change was not made",
            hint="repeat the request with the same key to get the retry's outcome",
        )


def release(db: Database, claim: Claim) -> None:
    with db.transaction() as session:
        store.release(session, claim.user_id, claim.key, claim.token)


def purge_expired(db: Database, now: datetime | None = None) -> int:
    """Forget idempotency keys older than their time to live at ``now``; returns the count."""
    with db.transaction() as session:
        return store.purge_older_than(session, KEY_TTL, now=now)
