"""``fabnet orgs``, ``fabnet users``, ``fabnet tokens``: parties and API access, run locally.

These commands act as the local operator (whoever can open the database), so they need no token:
they are how the first platform admin and its token come to exist.
"""

from __future__ import annotations

import sys
from datetime import datetime

import typer
from rich.markup import escape

from fabnet.cli._common import (
    JSON_OPTION,
    QUIET_OPTION,
    WIDE_OPTION,
    Column,
    console,
    cursor_option,
    emit_json,
    emit_page,
    err_console,
    limit_option,
    new_app,
    open_db,
    print_list,
    print_more,
)
from fabnet.domain.identity import OrgKind, parse_scopes
from fabnet.errors import InputError
from fabnet.services.identity import accounts as identity
from fabnet.services.identity import invitations
from fabnet.settings import get_settings

orgs_app = new_app("Organisations: buyers, manufacturers, inspection bodies, designers...")
users_app = new_app("Users of organisations (each with an Ed25519 signing key).")
tokens_app = new_app("API tokens: create (shown once), list, revoke.")

_KINDS = ", ".join(k.value for k in OrgKind)


@orgs_app.command("create")
def orgs_create(
    name: str = typer.Argument(..., help="Display name (a label: identity is the id)"),
    kind: str = typer.Option(..., "--kind", help=f"One of: {_KINDS}"),
    facility: list[str] = typer.Option([], "--facility", help="Facility id (manufacturers)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an organisation and print its id."""
    org = identity.create_organisation(open_db(), name, kind, facility, actor=None)
    if as_json:
        emit_json(org)
    else:
        console.print(f"{org.id}  {escape(org.name)} ({org.kind.value})")


@orgs_app.command("list")
def orgs_list(
    kind: str | None = typer.Option(None, "--kind", help=f"Only this kind: {_KINDS}"),
    limit: int = limit_option(200),
    cursor: str | None = cursor_option(),
    as_json: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List organisations, oldest first, a page at a time."""
    org_kind = OrgKind(kind) if kind in {k.value for k in OrgKind} else None
    if kind is not None and org_kind is None:
        raise InputError(
            f"unknown organisation kind {kind!r}", field="--kind", hint=f"use {_KINDS}"
        )
    page = identity.list_organisations(
        open_db(), actor=None, limit=limit, cursor=cursor, kind=org_kind
    )
    if as_json:
        emit_page(page.items, page.next_cursor)
        return
    columns = [Column("id"), Column("name"), Column("kind", wide=True),
               Column("facilities", wide=True)]  # fmt: skip
    rows = [[o.id, o.name, o.kind.value, ", ".join(o.facility_ids)] for o in page.items]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    print_more(page.next_cursor, "fabnet orgs list")


@orgs_app.command("invite-facility")
def orgs_invite_facility(
    email: str = typer.Argument(..., help="The facility contact's e-mail address"),
    name: str = typer.Option(..., "--name", help="The facility's name, e.g. 'Fab Lab Nairobi'"),
    contact: str | None = typer.Option(None, "--contact", help="The contact's name"),
    facility: str | None = typer.Option(
        None, "--facility", help="An existing facility record no organisation runs yet"
    ),
    days: int = typer.Option(14, "--days", min=1, max=90, help="How long the link works"),
    base_url: str = typer.Option(
        "http://127.0.0.1:8000", "--base-url", help="The site's address as the invitee reaches it"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Invite a facility that is not on the platform yet: its contact gets a one-time link (by
    e-mail when FABNET_SMTP_HOST is set) to create its manufacturer organisation and first user;
    the link is printed once."""
    issued = invitations.invite_facility(open_db(), None, email, name, base_url=base_url,
                                         contact_name=contact, facility_id=facility,
                                         days=days, settings=get_settings())  # fmt: skip
    if as_json:
        emit_json(issued)
        return
    invitation = issued.invitation
    until = f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC"
    console.print(f"{invitation.id}  {escape(invitation.facility_name)} invited: "
                  f"{invitation.email}, until {until}")  # fmt: skip
    if issued.emailed:
        console.print("e-mailed")
    else:
        err_console.print(f"not e-mailed: {escape(issued.email_error or '')}")
    console.print(issued.link, soft_wrap=True)


@users_app.command("create")
def users_create(
    email: str = typer.Argument(...),
    org: str = typer.Option(..., "--org", help="Organisation id"),
    name: str | None = typer.Option(None, "--name", help="Display name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a password from the first line of stdin"
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a user (and its signing key pair)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on stdin", field="--password-stdin")
    user = identity.create_user(
        open_db(),
        email,
        org,
        actor=None,
        display_name=name,
        password=password,
        settings=get_settings(),
    )
    if as_json:
        emit_json(user)
    else:
        console.print(f"{user.id}  {escape(user.email)}")


@users_app.command("list")
def users_list(
    org: str | None = typer.Option(None, "--org", help="Only this organisation"),
    limit: int = limit_option(200),
    cursor: str | None = cursor_option(),
    as_json: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List users, oldest first, a page at a time."""
    page = identity.list_users(open_db(), actor=None, org_id=org, limit=limit, cursor=cursor)
    if as_json:
        emit_page(page.items, page.next_cursor)
        return
    columns = [Column("id"), Column("email"), Column("name", wide=True),
               Column("organisation", wide=True)]  # fmt: skip
    rows = [[u.id, u.email, u.display_name, u.org_id] for u in page.items]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    print_more(page.next_cursor, "fabnet users list")


@tokens_app.command("create")
def tokens_create(
    user: str = typer.Option(..., "--user", help="User id"),
    scope: list[str] = typer.Option(
        ["read"], "--scope", help="read, write or admin (repeat for several)"
    ),
    expires_days: int | None = typer.Option(None, "--expires-days", min=1, max=3650),
    name: str | None = typer.Option(None, "--name", help="A label for the token"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create a token and print it once: store it now, fabnet keeps only its hash."""
    issued = identity.create_token(
        open_db(),
        user,
        parse_scopes(scope, source="--scope"),
        actor=None,
        expires_in_days=expires_days,
        name=name,
    )
    if as_json:
        emit_json({"token": issued.token, "raw": issued.raw})
        return
    sys.stdout.write(issued.raw + "\n")
    err_console.print(
        f"token {issued.token.id} ({', '.join(sorted(issued.token.scopes))}); "
        "it is shown only this once"
    )


@tokens_app.command("list")
def tokens_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's tokens"),
    limit: int = limit_option(200),
    cursor: str | None = cursor_option(),
    as_json: bool = JSON_OPTION,
    wide: bool = WIDE_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List tokens (never their secrets), a page at a time."""
    page = identity.list_tokens(open_db(), actor=None, user_id=user, limit=limit, cursor=cursor)
    if as_json:
        emit_page(page.items, page.next_cursor)
        return
    columns = [Column("id"), Column("user", wide=True), Column("scopes"), Column("expires"),
               Column("last used", wide=True), Column("revoked", wide=True)]  # fmt: skip

    def when(at: datetime | None) -> str:
        return at.isoformat(timespec="minutes") if at else "-"

    rows = [
        [
            t.id,
            t.user_id,
            ", ".join(sorted(t.scopes)),
            when(t.expires_at),
            when(t.last_used_at),
            when(t.revoked_at),
        ]
        for t in page.items
    ]
    print_list(columns, rows, wide=wide, quiet=quiet)
    if quiet:
        return
    print_more(page.next_cursor, "fabnet tokens list")


@tokens_app.command("revoke")
def tokens_revoke(token_id: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """Revoke a token; requests with it are refused from now on."""
    token = identity.revoke_token(open_db(), token_id, actor=None)
    if as_json:
        emit_json(token)
    else:
        console.print(f"revoked {token.id}")


def register(root: typer.Typer) -> None:
    root.add_typer(orgs_app, name="orgs")
    root.add_typer(users_app, name="users")
    root.add_typer(tokens_app, name="tokens")
