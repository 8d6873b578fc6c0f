"""Notifications: every user hears what other parties did to the orders, lots, contracts and
inspections their organisation takes part in, as a list (read / unread) and, when an SMTP
server is set (``FABNET_SMTP_HOST``, ``_PORT``, ``_FROM``, ``_USER``, ``_PASSWORD``,
``_STARTTLS``), by e-mail through :func:`send_pending_emails` (run it on a timer, like
``fabnet orders expire-invitations``: ``fabnet notifications send``).

:func:`notify` is called inside the transaction that made the change (the life cycle's
transition recorder, invitations, re-planning), so a notification exists exactly when the
change does. The acting organisation is not told about its own action.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fabnet.domain.common import Frozen
from fabnet.domain.identity import Principal, Scope
from fabnet.errors import ConfigurationError, ExternalToolError
from fabnet.settings import Settings, get_settings
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database
from fabnet.storage.identity import UserRow, aware, aware_or_none
from fabnet.storage.notifications import NotificationRow


class Notification(Frozen):
    id: int
    event_type: str
    object_type: str
    object_id: str
    order_id: str | None
    message: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


def _view(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id, event_type=row.event_type, object_type=row.object_type,
        object_id=row.object_id, order_id=row.order_id, message=row.message,
        created_at=aware(row.created_at), read_at=aware_or_none(row.read_at),
        emailed_at=aware_or_none(row.emailed_at),
    )  # fmt: skip


def notify(
    session: Session,
    org_ids: Iterable[str | None],
    *,
    event_type: str,
    object_type: str,
    object_id: str,
    order_id: str | None,
    message: str,
    except_org_id: str | None = None,
    now: datetime | None = None,
) -> int:
    """One notification per active user of each organisation (not ``except_org_id``, the one
    that acted). Returns how many were written."""
    at = now or utc_now()
    orgs = sorted({o for o in org_ids if o and o != except_org_id})
    if not orgs:
        return 0
    users = session.execute(
        select(UserRow.id, UserRow.org_id).where(UserRow.org_id.in_(orgs), UserRow.is_active)
    ).all()
    for user_id, org_id in users:
        session.add(NotificationRow(
            user_id=user_id, org_id=org_id, event_type=event_type, object_type=object_type,
            object_id=object_id, order_id=order_id, message=message, created_at=at,
        ))  # fmt: skip
    session.flush()
    return len(users)


def list_notifications(
    db: Database,
    actor: Principal,
    *,
    unread_only: bool = False,
    limit: int = 50,
    order_id: str | None = None,
) -> list[Notification]:
    """The acting user's notifications, newest first (``order_id``: about that order only)."""
    actor.require(Scope.READ)
    with db.read() as session:
        query = select(NotificationRow).where(NotificationRow.user_id == actor.user_id)
        if order_id is not None:
            query = query.where(NotificationRow.order_id == order_id)
        if unread_only:
            query = query.where(NotificationRow.read_at.is_(None))
        query = query.order_by(NotificationRow.id.desc()).limit(max(1, min(limit, 500)))
        return [_view(r) for r in session.scalars(query)]


def unread_count(db: Database, actor: Principal) -> int:
    return len(list_notifications(db, actor, unread_only=True, limit=500))


def mark_read(db: Database, actor: Principal, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` (all, when None) read; returns how many changed."""
    actor.require(Scope.READ)
    at = utc_now()
    with db.transaction() as session:
        stmt = update(NotificationRow).where(
            NotificationRow.user_id == actor.user_id, NotificationRow.read_at.is_(None)
        )
        if ids is not None:
            stmt = stmt.where(NotificationRow.id.in_(list(ids)))
        result = session.execute(stmt.values(read_at=at))
        return int(getattr(result, "rowcount", 0) or 0)


@contextmanager
def smtp_connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    """A connection to the settings' SMTP server (STARTTLS and login when set); raises OSError
    or SMTPException when the server fails."""
    assert settings.smtp_host, "no SMTP server is set"
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        yield smtp


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one e-mail now through the settings' SMTP server (e.g. an invitation to someone who
    has no user yet, so no notification). ConfigurationError without ``smtp_host``;
    ExternalToolError when the server fails."""
    if not settings.smtp_host:
        raise ConfigurationError("no SMTP server is set",
                                 hint="set FABNET_SMTP_HOST (and _PORT, _FROM)")  # fmt: skip
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    try:
        with smtp_connection(settings) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise ExternalToolError(
            f"the SMTP server {settings.smtp_host}:{settings.smtp_port} failed: {exc}",
            hint="check FABNET_SMTP_*",
        ) from exc


def send_pending_emails(db: Database, *, settings: Settings | None = None, limit: int = 200) -> int:
    """E-mail every notification not yet e-mailed (oldest first) to its user, through the SMTP
    server of the settings; each is marked once the server accepted it. Returns how many were
    sent. ConfigurationError without ``smtp_host``; ExternalToolError when the server fails
    (what was accepted before the failure stays marked)."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        raise ConfigurationError("no SMTP server is set",
                                 hint="set FABNET_SMTP_HOST (and _PORT, _FROM)")  # fmt: skip
    with db.read() as session:
        pending = session.execute(
            select(NotificationRow.id, NotificationRow.message, NotificationRow.event_type,
                   NotificationRow.object_type, NotificationRow.object_id, UserRow.email)
            .join(UserRow, UserRow.id == NotificationRow.user_id)
            .where(NotificationRow.emailed_at.is_(None))
            .order_by(NotificationRow.id)
            .limit(limit)
        ).all()  # fmt: skip
    if not pending:
        return 0
    sent: list[int] = []
    failure: Exception | None = None
    try:
        with smtp_connection(settings) as smtp:
            for nid, message, event_type, object_type, object_id, email in pending:
                mail = EmailMessage()
                mail["From"] = settings.smtp_from
                mail["To"] = email
                mail["Subject"] = (
                    f"[fabnet] {event_type.replace('.', ' ')} ({object_type} {object_id[:8]})"
                )
                mail.set_content(f"{message}\n\n{object_type} {object_id}\n")
                smtp.send_message(mail)
                sent.append(nid)
    except (OSError, smtplib.SMTPException) as exc:
        failure = exc
    if sent:
        _mark_emailed(db, sent)
    if failure is not None:
        raise ExternalToolError(
            f"the SMTP server {settings.smtp_host}:{settings.smtp_port} failed after "
            f"{len(sent)} e-mail(s): {failure}",
            hint="check FABNET_SMTP_* and run `fabnet notifications send` again",
        )
    return len(sent)


def _mark_emailed(db: Database, sent: list[int]) -> None:
    with db.transaction() as session:
        session.execute(
            update(NotificationRow).where(NotificationRow.id.in_(sent)).values(emailed_at=utc_now())
        )
