"""Acting as a named user from the command line: ``--as EMAIL`` (the local operator, who holds
the database, acts for that user with write scope) or ``--token`` (an API token, with exactly
its scopes). The services decide access as they do for the API."""

from __future__ import annotations

import os

import typer

from fabnet.domain.identity import Principal
from fabnet.errors import InputError
from fabnet.storage.db import Database

AS_OPTION = typer.Option(
    None, "--as", help="Act as the user with this e-mail (default: $FABNET_AS).", show_default=False
)
TOKEN_OPTION = typer.Option(
    None, "--token", help="Act with this API token instead (default: $FABNET_TOKEN).",
    show_default=False,
)  # fmt: skip


def acting_user(db: Database, email: str | None, token: str | None) -> Principal:
    """The principal of ``--as``/``--token`` (or their environment variables); exit 2 without."""
    from fabnet.services.identity.auth import authenticate_token
    from fabnet.services.orders.orders import principal_for_user
    from fabnet.storage.identity import IdentityRepository

    email = email or os.environ.get("FABNET_AS") or None
    token = token or os.environ.get("FABNET_TOKEN") or None
    if email and token:
        raise InputError("give --as or --token, not both", field="--as")
    if token:
        return authenticate_token(db, token.strip())
    if not email:
        raise InputError(
            "say who acts", field="--as", hint="pass --as EMAIL (or --token TOKEN); users: "
            "`fabnet users list`",
        )  # fmt: skip
    with db.read() as session:
        user = IdentityRepository(session).user_row_by_email(email.strip().lower())
        if user is None:
            user = IdentityRepository(session).user_row_by_email(email.strip())
        if user is None:
            raise InputError(f"no user with e-mail {email}", field="--as",
                             hint="list them with `fabnet users list`")  # fmt: skip
        user_id = user.id
    return principal_for_user(db, user_id)


def optional_actor(db: Database, email: str | None, token: str | None) -> Principal | None:
    """The principal of ``--as``/``--token`` or their variables; None: the local operator."""
    if email or token or os.environ.get("FABNET_AS") or os.environ.get("FABNET_TOKEN"):
        return acting_user(db, email, token)
    return None
