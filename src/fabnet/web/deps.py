"""Dependencies of the web pages: the signed-in user, the database, the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from fabnet.errors import AuthenticationError
from fabnet.settings import Settings
from fabnet.storage.db import Database
from fabnet.web import sessions
from fabnet.web.sessions import WebUser


def require_user(request: Request) -> WebUser:
    """The signed-in user; without a session the page redirects to the sign-in form."""
    user = sessions.current_user(request)
    if user is None:
        raise AuthenticationError("please sign in first")
    return user


CurrentUser = Annotated[WebUser, Depends(require_user)]
Db = Annotated[Database, Depends(sessions.database)]
WebSettings = Annotated[Settings, Depends(sessions.settings_of)]
