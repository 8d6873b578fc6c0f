"""``fabnet notifications``: a user's notifications, and the e-mail sender (run on a timer)."""

from __future__ import annotations

import typer
from rich.markup import escape

from fabnet.cli._actor import AS_OPTION, TOKEN_OPTION, acting_user
from fabnet.cli._common import JSON_OPTION, console, emit_json, new_app, open_db

app = new_app("Notifications: what other parties did; e-mail them through SMTP.")


@app.command("list")
def notifications_list(
    unread: bool = typer.Option(False, "--unread", help="Only the unread ones."),
    mark_read: bool = typer.Option(False, "--mark-read", help="Mark the listed ones read."),
    as_user: str | None = AS_OPTION,
    token: str | None = TOKEN_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The acting user's notifications, newest first."""
    from fabnet.services.platform import notifications

    db = open_db()
    actor = acting_user(db, as_user, token)
    items = notifications.list_notifications(db, actor, unread_only=unread)
    if mark_read and items:
        notifications.mark_read(db, actor, [n.id for n in items])
    if as_json:
        emit_json(items)
        return
    for n in items:
        flag = " " if n.read_at else "*"
        console.print(f"{flag} {n.created_at:%Y-%m-%d %H:%M} {escape(n.message)}")


@app.command("send")
def notifications_send(as_json: bool = JSON_OPTION) -> None:
    """E-mail every notification not yet sent, through FABNET_SMTP_HOST (and _PORT, _FROM,
    _USER, _PASSWORD, _STARTTLS)."""
    from fabnet.services.platform.notifications import send_pending_emails

    sent = send_pending_emails(open_db())
    if as_json:
        emit_json({"sent": sent})
    else:
        console.print(f"{sent} e-mail(s) sent")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="notifications")
