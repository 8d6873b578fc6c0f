"""Organisations, users and tokens through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature

from fabnet.domain.facility import Facility
from fabnet.domain.identity import OrgKind, Principal, Scope, parse_scopes
from fabnet.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
)
from fabnet.services.identity import accounts as identity
from fabnet.services.identity import auth
from fabnet.settings import Settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.facilities import FacilityRepository
from fabnet.storage.identity import ApiTokenRow, UserRow

SETTINGS = Settings(secret_key="test-secret-key-for-identity")


def _org(db: Database, kind: OrgKind = OrgKind.BUYER, name: str = "Acme") -> str:
    return identity.create_organisation(db, name, kind, actor=None).id


def _facilities(db: Database, *ids: str) -> None:
    with db.transaction() as session:
        FacilityRepository(session).bulk_upsert(Facility(id=i, name=f"Lab {i}") for i in ids)


def _user(db: Database, org_id: str, email: str = "ana@example.org") -> str:
    return identity.create_user(db, email, org_id, actor=None, settings=SETTINGS).id


def test_token_round_trip_gives_the_principal_and_records_use(db: Database) -> None:
    org_id = _org(db, OrgKind.MANUFACTURER)
    user_id = _user(db, org_id)
    issued = identity.create_token(db, user_id, [Scope.READ, Scope.WRITE], actor=None)
    assert issued.raw.startswith(f"fnt_{issued.token.id}_")
    principal = auth.authenticate_token(db, issued.raw)
    assert principal == Principal(
        user_id=user_id,
        org_id=org_id,
        org_kind=OrgKind.MANUFACTURER,
        scopes=frozenset({Scope.READ, Scope.WRITE}),
        token_id=issued.token.id,
    )
    with db.read() as session:
        row = session.get(ApiTokenRow, issued.token.id)
        assert row is not None
        assert row.last_used_at is not None
        # Only a hash of the secret is stored.
        assert issued.raw.rsplit("_", 1)[-1] not in (row.secret_sha256, row.id)


def test_wrong_secret_revoked_and_expired_tokens_are_refused(db: Database) -> None:
    user_id = _user(db, _org(db))
    issued = identity.create_token(db, user_id, [Scope.READ], actor=None)
    token_id, secret = issued.raw.split("_", 2)[1:]
    forged = f"fnt_{token_id}_{'x' * len(secret)}"
    with pytest.raises(AuthenticationError, match="not known"):
        auth.authenticate_token(db, forged)
    with pytest.raises(AuthenticationError, match="malformed"):
        auth.authenticate_token(db, "Bearer something")

    expiring = identity.create_token(db, user_id, [Scope.READ], actor=None, expires_in_days=1)
    auth.authenticate_token(db, expiring.raw)
    with pytest.raises(AuthenticationError, match="expired"):
        auth.authenticate_token(db, expiring.raw, now=utc_now() + timedelta(days=1, seconds=1))

    revoked = identity.revoke_token(db, issued.token.id, actor=None)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.authenticate_token(db, issued.raw)
    # Revoking again keeps the first time.
    assert identity.revoke_token(db, issued.token.id, actor=None).revoked_at == revoked.revoked_at


def test_users_have_unique_emails_and_a_working_signing_key(db: Database) -> None:
    org_id = _org(db)
    user = identity.create_user(
        db,
        " Ana@Example.org ",
        org_id,
        actor=None,
        display_name="Ana",
        password="correct horse",
        settings=SETTINGS,
    )
    assert user.email == "ana@example.org"
    with pytest.raises(ConflictError, match="exists already"):
        identity.create_user(db, "ANA@example.org", org_id, actor=None, settings=SETTINGS)
    with pytest.raises(InputError, match="not an email"):
        identity.create_user(db, "ana", org_id, actor=None, settings=SETTINGS)
    with pytest.raises(InputError, match="no organisation"):
        identity.create_user(db, "bo@example.org", "nope", actor=None, settings=SETTINGS)

    key = identity.load_user_signing_key(db, user.id, settings=SETTINGS)
    signature = key.sign(b"contract")
    identity.public_key_of(user).verify(signature, b"contract")
    with pytest.raises(InvalidSignature):
        identity.public_key_of(user).verify(signature, b"contract v2")
    with db.read() as session:
        row = session.get(UserRow, user.id)
        assert row is not None
        assert row.password_hash is not None and row.password_hash.startswith("$argon2")
    other = Settings(secret_key="another key")
    with pytest.raises(Exception, match="FABNET_SECRET_KEY"):
        identity.load_user_signing_key(db, user.id, settings=other)

    assert auth.authenticate_password(db, "ana@example.org", "correct horse").id == user.id
    with pytest.raises(AuthenticationError):
        auth.authenticate_password(db, "ana@example.org", "wrong horse!!")


def test_scopes_limit_what_a_principal_may_grant_and_do(db: Database) -> None:
    buyer_org = _org(db, OrgKind.BUYER, "Buyer")
    other_org = _org(db, OrgKind.MANUFACTURER, "Maker")
    admin_id = _user(db, buyer_org, "admin@buyer.org")
    member_id = _user(db, buyer_org, "member@buyer.org")
    outsider_id = _user(db, other_org, "x@maker.org")
    admin = auth.authenticate_token(
        db, identity.create_token(db, admin_id, [Scope.ADMIN], actor=None).raw
    )
    reader = auth.authenticate_token(
        db, identity.create_token(db, member_id, [Scope.READ], actor=None).raw
    )
    # An org admin creates users and tokens in its own organisation only.
    identity.create_user(db, "new@buyer.org", buyer_org, actor=admin, settings=SETTINGS)
    with pytest.raises(PermissionDeniedError):
        identity.create_user(db, "new@maker.org", other_org, actor=admin, settings=SETTINGS)
    with pytest.raises(NotFoundError, match=f"no user with id {outsider_id}"):
        identity.create_token(db, outsider_id, [Scope.READ], actor=admin)
    identity.create_token(db, member_id, [Scope.WRITE], actor=admin)
    # A reader can neither create tokens nor grant more than it holds.
    with pytest.raises(PermissionDeniedError, match="'write' scope"):
        identity.create_token(db, member_id, [Scope.READ], actor=reader)
    # Only platform admins create organisations.
    with pytest.raises(PermissionDeniedError, match="platform admins"):
        identity.create_organisation(db, "Rogue", OrgKind.BUYER, actor=admin)
    platform_org = _org(db, OrgKind.PLATFORM, "Operator")
    operator_id = _user(db, platform_org, "root@platform.org")
    operator = auth.authenticate_token(
        db, identity.create_token(db, operator_id, [Scope.ADMIN], actor=None).raw
    )
    _facilities(db, "f1")
    identity.create_organisation(db, "Fab Lab Gent", OrgKind.MANUFACTURER, ["f1"], actor=operator)
    users = identity.list_users(db, actor=admin)
    assert {u.org_id for u in users.items} == {buyer_org}


def test_organisation_update_is_optimistic(db: Database) -> None:
    _facilities(db, "f-1")
    org_id = _org(db, OrgKind.MANUFACTURER)
    updated = identity.update_organisation(
        db, org_id, actor=None, expected_version=1, name="Acme Works", facility_ids=["f-1"]
    )
    assert (updated.version, updated.name, updated.facility_ids) == (2, "Acme Works", ("f-1",))
    with pytest.raises(PreconditionFailedError, match="version 2"):
        identity.update_organisation(db, org_id, actor=None, expected_version=1, name="Late")
    with pytest.raises(NotFoundError):
        identity.update_organisation(db, "missing", actor=None, expected_version=None, name="x")
    with pytest.raises(InputError, match="no facility with id f-404"):
        identity.update_organisation(
            db, org_id, actor=None, expected_version=None, facility_ids=["f-404"]
        )
    buyer = _org(db, OrgKind.BUYER, "B")
    with pytest.raises(InputError, match="only manufacturers"):
        identity.update_organisation(
            db, buyer, actor=None, expected_version=None, facility_ids=["f"]
        )


def test_listing_pages_through_every_organisation_once(db: Database) -> None:
    ids = [_org(db, name=f"Org {i}") for i in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        page = identity.list_organisations(db, actor=None, limit=3, cursor=cursor)
        seen.extend(o.id for o in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(ids)
    with pytest.raises(InputError, match="cursor"):
        identity.list_organisations(db, actor=None, cursor="garbage!")
    with pytest.raises(InputError, match="limit"):
        identity.list_organisations(db, actor=None, limit=201)


def test_parse_scopes_names_the_valid_ones() -> None:
    assert parse_scopes(["READ", "admin"]) == {Scope.READ, Scope.ADMIN}
    with pytest.raises(InputError, match="use one of read, write, admin"):
        parse_scopes(["root"])


def test_one_organisation_runs_each_facility_and_only_admins_move_it(db: Database) -> None:
    _facilities(db, "f-9")
    owner = identity.create_organisation(db, "Owner", OrgKind.MANUFACTURER, ["f-9"], actor=None)
    with pytest.raises(ConflictError, match=f"already run by organisation {owner.id}"):
        identity.create_organisation(db, "Squatter", OrgKind.MANUFACTURER, ["f-9"], actor=None)
    other = _org(db, OrgKind.MANUFACTURER, "Other")
    admin = auth.authenticate_token(
        db, identity.create_token(db, _user(db, other), [Scope.ADMIN], actor=None).raw
    )
    with pytest.raises(PermissionDeniedError, match="only platform admins"):
        identity.update_organisation(
            db, other, actor=admin, expected_version=None, facility_ids=["f-9"]
        )
    # the owner keeps its facility when it is updated with it again
    kept = identity.update_organisation(
        db, owner.id, actor=None, expected_version=None, facility_ids=["f-9"]
    )
    assert kept.facility_ids == ("f-9",)


def test_a_derived_token_never_outlives_or_outscopes_its_parent(db: Database) -> None:
    """Issue 15, item 9: a 1-day write token asking for a token without expiry gets one that
    expires with it; it cannot grant a scope it does not hold."""
    user_id = _user(db, _org(db))
    parent = identity.create_token(
        db, user_id, [Scope.READ, Scope.WRITE], actor=None, expires_in_days=1
    )
    actor = auth.authenticate_token(db, parent.raw)
    child = identity.create_token(db, user_id, [Scope.READ], actor=actor)
    longer = identity.create_token(db, user_id, [Scope.READ], actor=actor, expires_in_days=30)
    after_parent = utc_now() + timedelta(days=1, seconds=1)
    for issued in (child, longer):
        assert issued.token.expires_at == parent.token.expires_at
        auth.authenticate_token(db, issued.raw)
        with pytest.raises(AuthenticationError, match="expired"):
            auth.authenticate_token(db, issued.raw, now=after_parent)
    with pytest.raises(PermissionDeniedError):
        identity.create_token(db, user_id, [Scope.ADMIN], actor=actor)


def test_revoking_a_token_revokes_every_token_derived_from_it(db: Database) -> None:
    """Issue 15, item 9: a token made with a token dies with it, down the whole chain; its
    siblings made otherwise (a password sign-in, locally) live on."""
    user_id = _user(db, _org(db))
    parent = identity.create_token(db, user_id, [Scope.READ, Scope.WRITE], actor=None)
    child = identity.create_token(
        db, user_id, [Scope.READ, Scope.WRITE], actor=auth.authenticate_token(db, parent.raw)
    )
    grandchild = identity.create_token(
        db, user_id, [Scope.READ], actor=auth.authenticate_token(db, child.raw)
    )
    unrelated = identity.create_token(db, user_id, [Scope.READ], actor=None)
    identity.revoke_token(db, parent.token.id, actor=None)
    for issued in (parent, child, grandchild):
        with pytest.raises(AuthenticationError, match="revoked"):
            auth.authenticate_token(db, issued.raw)
    auth.authenticate_token(db, unrelated.raw)


def test_another_organisations_users_and_tokens_answer_like_unknown_ids(db: Database) -> None:
    """Issue 15, item 11: no existence oracle — a foreign user or token id is "not found"."""
    admin_id = _user(db, _org(db, OrgKind.BUYER, "Buyer"), "admin@buyer.org")
    outsider_id = _user(db, _org(db, OrgKind.MANUFACTURER, "Maker"), "x@maker.org")
    admin = auth.authenticate_token(
        db, identity.create_token(db, admin_id, [Scope.ADMIN], actor=None).raw
    )
    foreign_token = identity.create_token(db, outsider_id, [Scope.READ], actor=None).token
    for user_id in (outsider_id, "no-such-user"):
        with pytest.raises(NotFoundError, match=f"no user with id {user_id}"):
            identity.get_user(db, user_id, actor=admin)
        with pytest.raises(NotFoundError, match=f"no user with id {user_id}"):
            identity.list_tokens(db, actor=admin, user_id=user_id)
    for token_id in (foreign_token.id, "no-such-token"):
        with pytest.raises(NotFoundError, match=f"no token with id {token_id}"):
            identity.revoke_token(db, token_id, actor=admin)
    assert identity.get_user(db, admin_id, actor=admin).id == admin_id
