"""Request bodies of the identity, token and webhook routes (responses are domain models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from fabnet.domain.identity import ApiToken, OrgKind, Scope


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationCreate(Body):
    name: str = Field(min_length=1, max_length=300)
    kind: OrgKind
    facility_ids: list[str] = Field(default_factory=list)


class OrganisationUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    facility_ids: list[str] | None = None
    version: int | None = Field(
        default=None, ge=1, description="The version the change is based on (409 when stale)"
    )


class UserCreate(Body):
    email: str = Field(max_length=320)
    org_id: str
    display_name: str | None = Field(default=None, max_length=300)
    password: str | None = Field(default=None, min_length=10, max_length=1000)


class TokenCreate(Body):
    user_id: str | None = Field(default=None, description="Default: the caller")
    scopes: list[Scope] = Field(min_length=1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    name: str | None = Field(default=None, max_length=200)


class TokenIssued(BaseModel):
    token: ApiToken
    raw: str = Field(description="The token itself; shown once, store it now")


class WebhookCreate(Body):
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(min_length=1, description="Names, 'prefix.*' or '*'")
    secret: str | None = Field(
        default=None, min_length=16, max_length=200, description="Default: generated"
    )
    org_id: str | None = Field(default=None, description="Default: the caller's organisation")
