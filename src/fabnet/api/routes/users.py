"""Users: administered per organisation (admin scope); anyone may read themselves."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from fabnet.api.deps import Admin, DbDep, Reader, SettingsDep
from fabnet.api.pagination import PageDep
from fabnet.api.problems import PROBLEM_RESPONSES
from fabnet.api.routes.schemas import UserCreate
from fabnet.domain.identity import User
from fabnet.services.identity import accounts as identity
from fabnet.services.platform.pagination import Page

router = APIRouter(prefix="/v1/users", tags=["users"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[User])
def list_users(db: DbDep, principal: Admin, page: PageDep, org_id: str | None = None) -> Page[User]:
    """Users of the caller's organisation (platform admins: of any, or all)."""
    return identity.list_users(
        db, actor=principal, org_id=org_id, limit=page.limit, cursor=page.cursor
    )


@router.post("", response_model=User, status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate, db: DbDep, settings: SettingsDep, principal: Admin, response: Response
) -> User:
    user = identity.create_user(
        db,
        body.email,
        body.org_id,
        actor=principal,
        display_name=body.display_name,
        password=body.password,
        settings=settings,
    )
    response.headers["Location"] = f"/v1/users/{user.id}"
    return user


@router.get("/me", response_model=User)
def me(db: DbDep, principal: Reader) -> User:
    return identity.get_user(db, principal.user_id, actor=principal)


@router.get("/{user_id}", response_model=User)
def get_user(user_id: str, db: DbDep, principal: Reader) -> User:
    return identity.get_user(db, user_id, actor=principal)
