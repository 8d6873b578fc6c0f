"""Authentication: a raw API token (or an email and password) becomes a :class:`Principal`."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fabnet.domain.identity import OrgKind, Principal, User, parse_token, token_secret_matches
from fabnet.errors import AuthenticationError
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import IdentityRepository, aware_or_none, token_from_row, user_from_row

LAST_USED_RESOLUTION = timedelta(seconds=30)
"""``last_used_at`` is written at most this often per token, to keep reads from becoming writes."""

_password_hasher = PasswordHasher()


def _refuse(reason: str) -> AuthenticationError:
    return AuthenticationError(reason, hint="create a new token with `fabnet tokens create`")


def authenticate_token(db: Database, raw: str, *, now: datetime | None = None) -> Principal:
    """The principal a raw ``fnt_<id>_<secret>`` token stands for.

    Unknown, wrong-secret, revoked and expired tokens, and tokens of deactivated users, raise
    :class:`AuthenticationError`. Records the token's last use.
    """
    token_id, secret = parse_token(raw)
    at = now or utc_now()
    with db.read() as session:
        found = IdentityRepository(session).token_with_owner(token_id)
        if found is None or not token_secret_matches(secret, found[0].secret_sha256):
            raise _refuse("the token is not known")
        row, user, org = found
        token = token_from_row(row)
        refusal = token.refusal(at)
        if refusal:
            raise _refuse(refusal)
        if not user.is_active:
            raise _refuse("the token's user is deactivated")
        principal = Principal(
            user_id=user.id,
            org_id=org.id,
            org_kind=OrgKind(org.kind),
            scopes=token.scopes,
            token_id=token.id,
        )
        last_used = aware_or_none(row.last_used_at)
    if last_used is None or at - last_used >= LAST_USED_RESOLUTION:
        with db.transaction() as session:
            IdentityRepository(session).touch_token(token_id, at)
    return principal


def authenticate_password(db: Database, email: str, password: str) -> User:
    """The user with ``email`` if ``password`` is theirs; AuthenticationError otherwise."""
    with db.read() as session:
        row = IdentityRepository(session).user_row_by_email(email.strip().lower())
        stored = row.password_hash if row is not None else None
        if row is None or stored is None or not row.is_active:
            raise AuthenticationError("wrong email or password")
        try:
            _password_hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            raise AuthenticationError("wrong email or password") from None
        return user_from_row(row)
