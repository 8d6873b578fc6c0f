"""Use cases of parties and access: organisations, users, API tokens, signing keys.

Every function takes ``actor``: the :class:`Principal` calling through the API, or ``None`` for the
trusted local operator (the CLI on the machine that holds the database). ``actor`` has no default
so no caller can forget to decide.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from fabnet.domain.identity import (
    ApiToken,
    IssuedToken,
    Organisation,
    OrgKind,
    Principal,
    Scope,
    User,
    format_token,
    grantable_scopes,
    hash_token_secret,
    normalise_email,
    parse_scopes,
)
from fabnet.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
)
from fabnet.services.platform.pagination import Page, check_limit, decode_time_cursor, page_by_time
from fabnet.services.platform.secrets_box import SIGNING_KEY_PURPOSE, seal, unseal
from fabnet.settings import Settings, get_settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import (
    ApiTokenRow,
    IdentityRepository,
    OrganisationRow,
    UserRow,
    aware_or_none,
    organisation_from_row,
    token_from_row,
    user_from_row,
)

MIN_PASSWORD_LENGTH = 10
MAX_TOKEN_DAYS = 3650
_password_hasher = PasswordHasher()


# -- keys and passwords -------------------------------------------------------------------------


def generate_user_keypair(secret_key: str) -> tuple[str, str]:
    """A new Ed25519 key pair: (public key as hex, private key sealed under ``secret_key``)."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    sealed = seal(raw_private, secret_key=secret_key, purpose=SIGNING_KEY_PURPOSE)
    return raw_public.hex(), sealed


def public_key_of(user: User) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(user.public_key))


def load_user_signing_key(
    db: Database, user_id: str, *, settings: Settings | None = None
) -> Ed25519PrivateKey:
    """The user's private signing key, decrypted (for contract signatures)."""
    settings = settings or get_settings()
    with db.read() as session:
        row = _user_row(IdentityRepository(session), user_id)
        sealed = row.private_key_encrypted
    raw = unseal(sealed, secret_key=settings.secret_key, purpose=SIGNING_KEY_PURPOSE,
                 previous_keys=settings.secret_keys[1:])  # fmt: skip
    return Ed25519PrivateKey.from_private_bytes(raw)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password has {len(password)} characters; {MIN_PASSWORD_LENGTH} are the minimum",
            field="password",
        )
    return _password_hasher.hash(password)


# -- organisations -----------------------------------------------------------------------------


def _clean_name(name: str, field: str = "name") -> str:
    value = " ".join(name.split())
    if not value:
        raise InputError("the name is empty", field=field)
    if len(value) > 300:
        raise InputError(f"the name has {len(value)} characters; at most 300", field=field)
    return value


def _facility_ids(
    session: Session, kind: OrgKind, facility_ids: Iterable[str], *, org_id: str | None = None
) -> list[str]:
    """Distinct, existing facility ids that no other organisation runs; only manufacturers run
    facilities (a facility's invitations, contracts and payouts go to the one that runs it)."""
    ids = list(dict.fromkeys(f.strip() for f in facility_ids if f.strip()))
    if ids and kind is not OrgKind.MANUFACTURER:
        raise InputError(
            f"only manufacturers run facilities; this organisation is a {kind.value}",
            field="facility_ids",
        )
    repo = FacilityRepository(session)
    missing = [fid for fid in ids if not repo.exists(fid)]
    if missing:
        raise InputError(
            f"no facility with id {', '.join(missing)}",
            field="facility_ids",
            hint="import the facility first, or see `fabnet facilities list`",
        )
    if ids:
        wanted = set(ids)
        for other in session.scalars(select(OrganisationRow)):
            taken = wanted & set(other.facility_ids or [])
            if other.id != org_id and taken:
                raise ConflictError(
                    f"facility {', '.join(sorted(taken))} is already run by organisation "
                    f"{other.id}",
                    hint="a platform admin can move it; one organisation runs each facility",
                )
    return ids


def create_organisation(
    db: Database,
    name: str,
    kind: OrgKind | str,
    facility_ids: Iterable[str] = (),
    *,
    actor: Principal | None,
) -> Organisation:
    """A new organisation. Through the API only platform admins may create one."""
    if actor is not None and not actor.is_platform_admin:
        actor.require(Scope.ADMIN)
        raise PermissionDeniedError("only platform admins may create organisations")
    org_kind = _org_kind(kind)
    with db.transaction() as session:
        row = OrganisationRow(
            id=str(uuid.uuid4()),
            name=_clean_name(name),
            kind=org_kind.value,
            facility_ids=_facility_ids(session, org_kind, facility_ids),
            version=1,
        )
        return IdentityRepository(session).add_organisation(row)


def _org_kind(kind: OrgKind | str) -> OrgKind:
    try:
        return OrgKind(kind)
    except ValueError:
        valid = ", ".join(k.value for k in OrgKind)
        raise InputError(
            f"unknown organisation kind {kind!r}", field="kind", hint=f"use one of {valid}"
        ) from None


def get_organisation(db: Database, org_id: str, *, actor: Principal | None) -> Organisation:
    if actor is not None:
        actor.require(Scope.READ)
    with db.read() as session:
        row = IdentityRepository(session).organisation_row(org_id)
        if row is None:
            raise NotFoundError(f"no organisation with id {org_id}", hint="run `fabnet orgs list`")
        return organisation_from_row(row)


def list_organisations(
    db: Database,
    *,
    actor: Principal | None,
    limit: int = 50,
    cursor: str | None = None,
    kind: OrgKind | None = None,
) -> Page[Organisation]:
    """Every organisation (parties are public to members of the network), oldest first."""
    if actor is not None:
        actor.require(Scope.READ)
    check_limit(limit)
    with db.read() as session:
        items = IdentityRepository(session).list_organisations(
            limit=limit + 1, after=decode_time_cursor(cursor), kind=kind
        )
    return page_by_time(items, limit, lambda o: (o.created_at, o.id))


def update_organisation(
    db: Database,
    org_id: str,
    *,
    actor: Principal | None,
    expected_version: int | None,
    body_version: int | None = None,
    name: str | None = None,
    facility_ids: list[str] | None = None,
) -> Organisation:
    """Rename an organisation or replace its facilities (optimistic concurrency on ``version``).

    ``expected_version`` (from If-Match or the body) must equal the stored version, or the update
    is refused with :class:`PreconditionFailedError` (HTTP 412); ``body_version`` (the version
    the client's change was based on, sent in a request body) with :class:`ConflictError`
    (HTTP 409). ``None`` skips a check.
    """
    if actor is not None:
        actor.require_org_admin(org_id)
    with db.transaction() as session:
        repo = IdentityRepository(session)
        current = repo.organisation_row(org_id)
        if current is None:
            raise NotFoundError(f"no organisation with id {org_id}")
        kind = OrgKind(current.kind)
        values: dict[str, object] = {}
        if name is not None:
            values["name"] = _clean_name(name)
        if facility_ids is not None:
            if actor is not None and not actor.is_platform_admin:
                raise PermissionDeniedError(
                    "only platform admins change which facilities an organisation runs",
                    hint="a facility's invitations, contracts and payouts follow it",
                )
            values["facility_ids"] = _facility_ids(session, kind, facility_ids, org_id=org_id)
        if expected_version is not None and current.version != expected_version:
            raise _stale("organisation", org_id, expected_version, current.version)
        if body_version is not None and current.version != body_version:
            raise ConflictError(
                f"organisation {org_id} is at version {current.version}; "
                f"the change was based on version {body_version}",
                hint="fetch it again and re-apply your change",
            )
        seen_version = current.version
        if not repo.update_organisation(org_id, seen_version, values):
            raise _stale("organisation", org_id, seen_version, None)
        updated = repo.organisation_row(org_id)
        assert updated is not None
        return organisation_from_row(updated)


def _stale(
    what: str, item_id: str, expected: int | None, current: int | None
) -> PreconditionFailedError:
    now = f"; it is at version {current}" if current is not None else ""
    return PreconditionFailedError(
        f"the {what} {item_id} changed since version {expected}{now}",
        hint="fetch it again and re-apply your change",
    )


# -- users --------------------------------------------------------------------------------------


def create_user(
    db: Database,
    email: str,
    org_id: str,
    *,
    actor: Principal | None,
    display_name: str | None = None,
    password: str | None = None,
    settings: Settings | None = None,
) -> User:
    """A new user in ``org_id`` with a fresh Ed25519 signing key pair."""
    if actor is not None:
        actor.require_org_admin(org_id)
    settings = settings or get_settings()
    address = normalise_email(email)
    name = _clean_name(display_name or address.split("@", 1)[0], "display_name")
    password_hash = hash_password(password) if password is not None else None
    public_key, sealed_private = generate_user_keypair(settings.secret_key)
    with db.transaction() as session:
        repo = IdentityRepository(session)
        if repo.organisation_row(org_id) is None:
            raise InputError(
                f"no organisation with id {org_id}", field="org_id", hint="run `fabnet orgs list`"
            )
        if repo.user_row_by_email(address) is not None:
            raise ConflictError(f"a user with email {address} exists already")
        return repo.add_user(
            UserRow(
                id=str(uuid.uuid4()),
                email=address,
                display_name=name,
                org_id=org_id,
                password_hash=password_hash,
                public_key=public_key,
                private_key_encrypted=sealed_private,
                is_active=True,
            )
        )


def _user_row(repo: IdentityRepository, user_id: str, actor: Principal | None = None) -> UserRow:
    """The user; another organisation's user answers like an unknown id (no existence oracle)
    unless ``actor`` is a platform admin."""
    row = repo.user_row(user_id)
    if row is None or not _sees_org(actor, row.org_id):
        raise NotFoundError(f"no user with id {user_id}", hint="run `fabnet users list`")
    return row


def _sees_org(actor: Principal | None, org_id: str) -> bool:
    return actor is None or actor.is_platform_admin or actor.org_id == org_id


def get_user(db: Database, user_id: str, *, actor: Principal | None) -> User:
    with db.read() as session:
        row = _user_row(IdentityRepository(session), user_id, actor)
        if actor is not None and actor.user_id != user_id:
            actor.require_org_admin(row.org_id)
        return user_from_row(row)


def list_users(
    db: Database,
    *,
    actor: Principal | None,
    org_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[User]:
    """Users of ``org_id`` (or of every organisation); org admins see their own organisation."""
    if actor is not None:
        actor.require(Scope.ADMIN)
        if not actor.is_platform_admin:
            if org_id is not None and org_id != actor.org_id:
                actor.require_org_admin(org_id)
            org_id = actor.org_id
    check_limit(limit)
    with db.read() as session:
        repo = IdentityRepository(session)
        if org_id is not None and repo.organisation_row(org_id) is None:
            raise NotFoundError(
                f"no organisation with id {org_id!r}", hint="run `fabnet orgs list`"
            )
        items = repo.list_users(limit=limit + 1, after=decode_time_cursor(cursor), org_id=org_id)
    return page_by_time(items, limit, lambda u: (u.created_at, u.id))


# -- tokens -------------------------------------------------------------------------------------


def _check_token_grant(actor: Principal | None, user: UserRow, scopes: frozenset[Scope]) -> None:
    if actor is None:
        return
    if actor.user_id == user.id:
        actor.require(Scope.WRITE)
    else:
        actor.require_org_admin(user.org_id)
    grantable_scopes(scopes, actor.scopes)


def create_token(
    db: Database,
    user_id: str,
    scopes: Iterable[Scope | str],
    *,
    actor: Principal | None,
    expires_in_days: int | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new API token for ``user_id``; the raw token is in the result and is never stored."""
    scope_set = parse_scopes([str(s) for s in scopes], source="token")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise InputError(
            f"expires_in_days must be between 1 and {MAX_TOKEN_DAYS}, got {expires_in_days}",
            field="expires_in_days",
        )
    created = now or utc_now()
    token_id = uuid.uuid4().hex
    secret = secrets.token_urlsafe(32)  # 256 bits
    with db.transaction() as session:
        repo = IdentityRepository(session)
        user = _user_row(repo, user_id, actor)
        if not user.is_active:
            raise ConflictError(f"user {user_id} is deactivated")
        _check_token_grant(actor, user, scope_set)
        expires_at = created + timedelta(days=expires_in_days) if expires_in_days else None
        parent = repo.token_row(actor.token_id) if actor and actor.token_id else None
        parent_expiry = aware_or_none(parent.expires_at) if parent is not None else None
        if parent_expiry is not None and (expires_at is None or expires_at > parent_expiry):
            expires_at = parent_expiry  # a derived token never outlives the token creating it
        token = repo.add_token(
            ApiTokenRow(
                id=token_id,
                user_id=user_id,
                name=name.strip() if name and name.strip() else None,
                secret_sha256=hash_token_secret(secret),
                scopes=sorted(s.value for s in scope_set),
                created_at=created,
                expires_at=expires_at,
                parent_token_id=parent.id if parent is not None else None,
            )
        )
    return IssuedToken(token=token, raw=format_token(token_id, secret))


def _token_owner_check(actor: Principal | None, repo: IdentityRepository, row: ApiTokenRow) -> None:
    if actor is None or actor.user_id == row.user_id:
        return
    owner = repo.user_row(row.user_id)
    if owner is None or not _sees_org(actor, owner.org_id):
        raise NotFoundError(f"no token with id {row.id}", hint="run `fabnet tokens list`")
    actor.require_org_admin(owner.org_id)


def revoke_token(
    db: Database, token_id: str, *, actor: Principal | None, now: datetime | None = None
) -> ApiToken:
    """Revoke a token and every token derived from it (idempotent: revoking it again keeps the
    first revocation time)."""
    if actor is not None:
        actor.require(Scope.WRITE)
    with db.transaction() as session:
        repo = IdentityRepository(session)
        row = repo.token_row(token_id)
        if row is None:
            raise NotFoundError(f"no token with id {token_id}", hint="run `fabnet tokens list`")
        _token_owner_check(actor, repo, row)
        at = now or utc_now()
        if row.revoked_at is None:
            row.revoked_at = at
        for derived in repo.derived_token_rows(row.id):  # they never outlive their parent
            if derived.revoked_at is None:
                derived.revoked_at = at
        session.flush()
        return token_from_row(row)


def list_tokens(
    db: Database,
    *,
    actor: Principal | None,
    user_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ApiToken]:
    """Tokens of ``user_id``; without it: the actor's own tokens (or every token, locally)."""
    check_limit(limit)
    with db.read() as session:
        repo = IdentityRepository(session)
        user_ids: list[str] | None = None
        if user_id is not None:
            owner = _user_row(repo, user_id, actor)
            if actor is not None and actor.user_id != user_id:
                actor.require_org_admin(owner.org_id)
            user_ids = [user_id]
        elif actor is not None:
            user_ids = [actor.user_id]
        if actor is not None:
            actor.require(Scope.READ)
        items = repo.list_tokens(
            limit=limit + 1, after=decode_time_cursor(cursor), user_ids=user_ids
        )
    return page_by_time(items, limit, lambda t: (t.created_at, t.id))
