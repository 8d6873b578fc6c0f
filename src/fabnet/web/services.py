"""The service functions the web interface calls: the one module of ``fabnet.web`` that imports
``fabnet.services`` (pages call the same functions as the API; access is decided there)."""

from __future__ import annotations

from fabnet.services.auth import authenticate_password, authenticate_token
from fabnet.services.designs import get_design, list_designs
from fabnet.services.identity import create_token, get_organisation, get_user, revoke_token

__all__ = [
    "authenticate_password",
    "authenticate_token",
    "create_token",
    "get_design",
    "get_organisation",
    "get_user",
    "list_designs",
    "revoke_token",
]
