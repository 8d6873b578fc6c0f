"""Tables and repository of parties and access: organisations, users and API tokens.

Secrets never reach these tables in the clear: passwords are argon2 hashes, token secrets SHA-256
hashes, and users' Ed25519 private keys are encrypted (see ``fabnet.services.identity.accounts``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from fabnet.domain.identity import ApiToken, Organisation, OrgKind, Scope, User
from fabnet.storage.base import Base, TimestampMixin, utc_now

ID = String(64)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for ``DateTime(timezone=True)``; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def aware_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


class OrganisationRow(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    facility_ids: Mapped[list[str]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)


class UserRow(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64))
    """Ed25519 public key, raw 32 bytes as hex."""
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    """Ed25519 private key (raw 32 bytes), AES-GCM under a key derived from settings.secret_key."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parent_token_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True
    )
    """The token that created this one (None: made with a password, or locally); revoking a
    token revokes every token derived from it."""


# -- mapping rows <-> domain ------------------------------------------------------------------


def organisation_from_row(row: OrganisationRow) -> Organisation:
    return Organisation(
        id=row.id,
        name=row.name,
        kind=OrgKind(row.kind),
        facility_ids=tuple(row.facility_ids),
        version=row.version,
        created_at=aware(row.created_at),
    )


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        org_id=row.org_id,
        public_key=row.public_key,
        is_active=row.is_active,
        created_at=aware(row.created_at),
    )


def token_from_row(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        scopes=frozenset(Scope(s) for s in row.scopes),
        created_at=aware(row.created_at),
        expires_at=aware_or_none(row.expires_at),
        last_used_at=aware_or_none(row.last_used_at),
        revoked_at=aware_or_none(row.revoked_at),
    )


# -- keyset pagination over (created_at, id) --------------------------------------------------


def _after(
    created_col: Mapped[datetime], id_col: Mapped[str], after: tuple[datetime, str] | None
) -> list[ColumnElement[bool]]:
    if after is None:
        return []
    at, after_id = after
    return [or_(created_col > at, and_(created_col == at, id_col > after_id))]


class IdentityRepository:
    """Queries over organisations, users and tokens inside the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # organisations
    def add_organisation(self, row: OrganisationRow) -> Organisation:
        self.session.add(row)
        self.session.flush()
        return organisation_from_row(row)

    def organisation_row(self, org_id: str) -> OrganisationRow | None:
        return self.session.get(OrganisationRow, org_id)

    def list_organisations(
        self, *, limit: int, after: tuple[datetime, str] | None, kind: OrgKind | None = None
    ) -> list[Organisation]:
        query = select(OrganisationRow).where(
            *_after(OrganisationRow.created_at, OrganisationRow.id, after)
        )
        if kind is not None:
            query = query.where(OrganisationRow.kind == kind.value)
        query = query.order_by(OrganisationRow.created_at, OrganisationRow.id).limit(limit)
        return [organisation_from_row(r) for r in self.session.scalars(query)]

    def update_organisation(
        self, org_id: str, expected_version: int | None, values: dict[str, object]
    ) -> bool:
        """Compare-and-set update; False when the version moved on (or the row is gone)."""
        query = update(OrganisationRow).where(OrganisationRow.id == org_id)
        if expected_version is not None:
            query = query.where(OrganisationRow.version == expected_version)
        query = query.values(**values, version=OrganisationRow.version + 1, updated_at=utc_now())
        result = self.session.execute(query, execution_options={"synchronize_session": False})
        self.session.expire_all()
        return bool(getattr(result, "rowcount", 0))

    # users
    def add_user(self, row: UserRow) -> User:
        self.session.add(row)
        self.session.flush()
        return user_from_row(row)

    def user_row(self, user_id: str) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def user_row_by_email(self, email: str) -> UserRow | None:
        return self.session.scalar(select(UserRow).where(UserRow.email == email))

    def list_users(
        self, *, limit: int, after: tuple[datetime, str] | None, org_id: str | None = None
    ) -> list[User]:
        query = select(UserRow).where(*_after(UserRow.created_at, UserRow.id, after))
        if org_id is not None:
            query = query.where(UserRow.org_id == org_id)
        query = query.order_by(UserRow.created_at, UserRow.id).limit(limit)
        return [user_from_row(r) for r in self.session.scalars(query)]

    # tokens
    def add_token(self, row: ApiTokenRow) -> ApiToken:
        self.session.add(row)
        self.session.flush()
        return token_from_row(row)

    def token_row(self, token_id: str) -> ApiTokenRow | None:
        return self.session.get(ApiTokenRow, token_id)

    def token_with_owner(
        self, token_id: str
    ) -> tuple[ApiTokenRow, UserRow, OrganisationRow] | None:
        """The token, its user and the user's organisation, in one query (what authenticating
        a request reads); None for an unknown token."""
        row = self.session.execute(
            select(ApiTokenRow, UserRow, OrganisationRow)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .join(OrganisationRow, OrganisationRow.id == UserRow.org_id)
            .where(ApiTokenRow.id == token_id)
        ).first()
        return None if row is None else (row[0], row[1], row[2])

    def derived_token_rows(self, token_id: str) -> list[ApiTokenRow]:
        """Every token derived from ``token_id`` (its children, their children, ...)."""
        found: list[ApiTokenRow] = []
        frontier = [token_id]
        seen = {token_id}
        while frontier:
            children = self.session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.parent_token_id.in_(frontier))
            ).all()
            frontier = [c.id for c in children if c.id not in seen]
            seen.update(frontier)
            found.extend(c for c in children if c.id in frontier)
        return found

    def list_tokens(
        self, *, limit: int, after: tuple[datetime, str] | None, user_ids: list[str] | None
    ) -> list[ApiToken]:
        query = select(ApiTokenRow).where(*_after(ApiTokenRow.created_at, ApiTokenRow.id, after))
        if user_ids is not None:
            query = query.where(ApiTokenRow.user_id.in_(user_ids))
        query = query.order_by(ApiTokenRow.created_at, ApiTokenRow.id).limit(limit)
        return [token_from_row(r) for r in self.session.scalars(query)]

    def user_ids_of_org(self, org_id: str) -> list[str]:
        return list(self.session.scalars(select(UserRow.id).where(UserRow.org_id == org_id)))

    def touch_token(self, token_id: str, at: datetime) -> None:
        self.session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=at),
            execution_options={"synchronize_session": False},
        )
