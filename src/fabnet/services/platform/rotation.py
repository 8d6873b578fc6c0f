"""Rotating ``FABNET_SECRET_KEY``: re-seal every stored secret under the current key.

The operator's steps (docs/deploy.md, "Rotating the secret key"): set the new key as
``FABNET_SECRET_KEY`` and the old one in ``FABNET_SECRET_KEY_PREVIOUS`` on every process (values
sealed under either key open, so nothing stops during a rolling restart), run :func:`reseal`
(``fabnet db reseal``) once, then drop ``FABNET_SECRET_KEY_PREVIOUS``.

:func:`reseal` runs in one transaction: every users' signing key and webhook secret is opened with
any of the settings' keys and sealed again under the current one. If one value opens with none of
them, nothing is written and the error says how many could not be opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from fabnet.errors import ConfigurationError
from fabnet.services.platform.secrets_box import (
    SIGNING_KEY_PURPOSE,
    WEBHOOK_SECRET_PURPOSE,
    seal,
    unseal_with_key,
)
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.storage.identity import UserRow
from fabnet.storage.webhooks import WebhookSubscriptionRow


@dataclass(frozen=True)
class ResealReport:
    """What :func:`reseal` did: values re-sealed under the current key, and values that already
    were (left as they are), per kind."""

    signing_keys_resealed: int
    signing_keys_current: int
    webhook_secrets_resealed: int
    webhook_secrets_current: int


def reseal(db: Database, *, settings: Settings | None = None) -> ResealReport:
    """Re-seal every stored secret under ``settings.secret_key`` (see the module docstring)."""
    settings = settings or get_settings()
    keys = settings.secret_keys
    counts = {"keys": [0, 0], "hooks": [0, 0]}
    unreadable: dict[str, int] = {}
    with db.transaction() as session:
        users = session.scalars(select(UserRow).order_by(UserRow.id)).all()
        hooks = session.scalars(
            select(WebhookSubscriptionRow).order_by(WebhookSubscriptionRow.id)
        ).all()
        for kind, purpose, rows, attr in (
            ("keys", SIGNING_KEY_PURPOSE, users, "private_key_encrypted"),
            ("hooks", WEBHOOK_SECRET_PURPOSE, hooks, "secret_sealed"),
        ):
            for row in rows:
                try:
                    plain, index = unseal_with_key(
                        getattr(row, attr), secret_keys=keys, purpose=purpose
                    )
                except ConfigurationError:
                    unreadable[purpose] = unreadable.get(purpose, 0) + 1
                    continue
                if index == 0:
                    counts[kind][1] += 1
                    continue
                setattr(row, attr, seal(plain, secret_key=settings.secret_key, purpose=purpose))
                counts[kind][0] += 1
        if unreadable:
            what = ", ".join(f"{n} {purpose}(s)" for purpose, n in sorted(unreadable.items()))
            raise ConfigurationError(
                f"cannot open {what} with FABNET_SECRET_KEY or FABNET_SECRET_KEY_PREVIOUS; "
                "nothing was re-sealed",
                hint="put the key they were sealed with in FABNET_SECRET_KEY_PREVIOUS",
            )
    return ResealReport(
        counts["keys"][0], counts["keys"][1], counts["hooks"][0], counts["hooks"][1]
    )
