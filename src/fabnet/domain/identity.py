"""Parties and access: organisations, users, API tokens and the authenticated principal.

Pure values and rules only. Storage, hashing of passwords and key generation live in
``fabnet.services.identity.accounts``; this module fixes *what* an access decision means.

Scopes (carried by every API token; a token never has more than its user may grant):

``read``
    Read what the caller's organisation may see: designs, facilities, match results, its own
    organisation, users, tokens and webhooks.
``write``
    Everything ``read`` allows, plus changes on behalf of the caller's organisation: imports,
    match requests, webhook subscriptions, the caller's own tokens. Orders and lots (later) too.
``admin``
    Everything ``write`` allows, plus administering the caller's organisation: creating users in
    it, revoking any token of its users. An admin of a ``platform`` organisation administers every
    organisation (creates organisations, users and tokens anywhere).

The scopes are ordered: ``admin`` implies ``write`` implies ``read``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator

from fabnet.domain.common import Frozen
from fabnet.errors import AuthenticationError, InputError, PermissionDeniedError

TOKEN_PREFIX = "fnt"
"""Every API token starts with ``fnt_``: secret scanners and humans recognise it."""

_TOKEN_ID = re.compile(r"^[0-9a-f]{32}$")
_TOKEN_SECRET = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OrgKind(StrEnum):
    """What an organisation does in the network (see docs: roles of the field)."""

    BUYER = "buyer"
    MANUFACTURER = "manufacturer"  # linked to one or more facility ids
    INSPECTION_BODY = "inspection_body"
    DESIGNER = "designer"
    ORCHESTRATOR = "orchestrator"
    PLATFORM = "platform"  # operates the fabnet instance; its admins administer everything


class Scope(StrEnum):
    """What an API token may do. ``admin`` implies ``write`` implies ``read``."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _SCOPE_RANK[self]

    def implies(self, other: Scope) -> bool:
        return self.rank >= other.rank


_SCOPE_RANK = {Scope.READ: 1, Scope.WRITE: 2, Scope.ADMIN: 3}


def parse_scopes(
    values: list[str] | tuple[str, ...], *, source: str = "scopes"
) -> frozenset[Scope]:
    """Scopes from user input; an unknown name is an :class:`InputError` listing valid ones."""
    scopes: set[Scope] = set()
    for value in values:
        try:
            scopes.add(Scope(value.strip().lower()))
        except ValueError:
            valid = ", ".join(s.value for s in Scope)
            raise InputError(
                f"unknown scope {value!r}", source=source, field="scope", hint=f"use one of {valid}"
            ) from None
    if not scopes:
        raise InputError("at least one scope is needed", source=source, field="scope")
    return frozenset(scopes)


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively; the stored form is stripped and lower-cased."""
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise InputError(
            f"{email!r} is not an email address", field="email", hint="write it as name@example.org"
        )
    return value


class Organisation(Frozen):
    id: str
    name: str = Field(min_length=1, max_length=300)
    kind: OrgKind
    facility_ids: tuple[str, ...] = Field(
        default=(), description="Facilities this organisation runs (manufacturers only)"
    )
    version: int = Field(default=1, ge=1, description="Increases with every change (ETag)")
    created_at: datetime


class User(Frozen):
    id: str
    email: str
    display_name: str
    org_id: str
    public_key: str = Field(description="Ed25519 public key, raw 32 bytes as hex")
    is_active: bool = True
    created_at: datetime


class ApiToken(Frozen):
    """A stored token: never its secret, only what identifies and limits it."""

    id: str
    user_id: str
    name: str | None = None
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @field_validator("scopes")
    @classmethod
    def _not_empty(cls, value: frozenset[Scope]) -> frozenset[Scope]:
        if not value:
            raise ValueError("a token needs at least one scope")
        return value

    def refusal(self, now: datetime) -> str | None:
        """Why this token may not be used at ``now``, or None when it may."""
        if self.revoked_at is not None:
            return "the token was revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "the token has expired"
        return None


class IssuedToken(Frozen):
    """A token just created: ``raw`` is shown once and never stored."""

    token: ApiToken
    raw: str


class Principal(Frozen):
    """Who is calling: passed into every service that needs access control."""

    user_id: str
    org_id: str
    org_kind: OrgKind
    scopes: frozenset[Scope]
    token_id: str | None = Field(default=None, description="None for trusted local callers (CLI)")

    def has(self, scope: Scope) -> bool:
        return any(granted.implies(scope) for granted in self.scopes)

    def require(self, scope: Scope) -> None:
        """Raise :class:`PermissionDeniedError` unless ``scope`` (or a higher one) is held."""
        if not self.has(scope):
            held = ", ".join(sorted(s.value for s in self.scopes)) or "none"
            raise PermissionDeniedError(
                f"this needs the {scope.value!r} scope; the token has {held}",
                hint="create a token with the needed scope",
            )

    @property
    def is_platform_admin(self) -> bool:
        return self.org_kind is OrgKind.PLATFORM and self.has(Scope.ADMIN)

    def require_org_admin(self, org_id: str) -> None:
        """Admin of ``org_id`` itself, or a platform admin."""
        self.require(Scope.ADMIN)
        if not (self.is_platform_admin or self.org_id == org_id):
            raise PermissionDeniedError(
                f"only admins of organisation {org_id} or of the platform may do this"
            )

    def require_member(self, org_id: str) -> None:
        """A member of ``org_id`` or a platform admin."""
        if not (self.is_platform_admin or self.org_id == org_id):
            raise PermissionDeniedError(f"you are not a member of organisation {org_id}")


def grantable_scopes(requested: frozenset[Scope], holder: frozenset[Scope]) -> frozenset[Scope]:
    """Check that ``holder`` (the creator's scopes) covers every ``requested`` scope."""
    missing = [s for s in requested if not any(h.implies(s) for h in holder)]
    if missing:
        names = ", ".join(sorted(s.value for s in missing))
        raise PermissionDeniedError(f"you cannot grant scopes you do not hold: {names}")
    return requested


def format_token(token_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def parse_token(raw: str) -> tuple[str, str]:
    """Split ``fnt_<id>_<secret>`` into id and secret; anything else is an AuthenticationError."""
    prefix, _, rest = raw.strip().partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not _TOKEN_ID.match(token_id) or not _TOKEN_SECRET.match(secret):
        raise AuthenticationError(
            "the bearer token is malformed", hint="fabnet tokens look like fnt_<id>_<secret>"
        )
    return token_id, secret


def hash_token_secret(secret: str) -> str:
    """SHA-256 of a token secret, hex.

    A plain fast hash is right here, unlike for passwords: the secret is 256 random bits from the
    operating system's CSPRNG, so no dictionary or brute-force search over its space is feasible,
    and a slow KDF (argon2) would only add latency to every API request. The hash still means a
    leaked database does not leak usable tokens.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(hash_token_secret(secret), stored_hash)
