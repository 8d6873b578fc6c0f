"""Rotating FABNET_SECRET_KEY (issue 16): old values stay readable during the rotation, `fabnet db
reseal` re-seals every stored secret under the new key, after which the old key can go; a value no
key opens stops the re-seal with nothing written."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from typer.testing import CliRunner

from fabnet.cli.main import app
from fabnet.domain.identity import OrgKind
from fabnet.errors import ConfigurationError
from fabnet.services.identity import accounts as identity
from fabnet.services.platform import webhooks
from fabnet.services.platform.rotation import reseal
from fabnet.services.platform.secrets_box import WEBHOOK_SECRET_PURPOSE, unseal
from fabnet.settings import Settings, get_settings
from fabnet.storage.db import Database
from fabnet.storage.identity import UserRow
from fabnet.storage.webhooks import WebhookSubscriptionRow

OLD, NEW = "old-secret-key-0123456789", "new-secret-key-9876543210"
OPEN = {"webhook_allow_private_targets": True}


def _world(db: Database) -> tuple[str, str]:
    """A user with a signing key and a webhook subscription, both sealed under OLD."""
    before = Settings(secret_key=OLD, **OPEN)  # type: ignore[arg-type]
    org = identity.create_organisation(db, "Lab", OrgKind.MANUFACTURER, actor=None)
    user = identity.create_user(db, "maker@lab.example", org.id, actor=None, settings=before)
    webhooks.create_subscription(db, org.id, "http://127.0.0.1:9/hook", ["*"], actor=None,
                                 secret="whsec_rotation-test-secret", settings=before)  # fmt: skip
    return user.id, user.public_key


def _signs(db: Database, user_id: str, public_key: str, settings: Settings) -> None:
    key = identity.load_user_signing_key(db, user_id, settings=settings)
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(key.sign(b"x"), b"x")


def _webhook_secret(db: Database, keys: Settings) -> str:
    with db.read() as session:
        sealed = session.query(WebhookSubscriptionRow).one().secret_sealed
    return unseal(sealed, secret_key=keys.secret_key, purpose=WEBHOOK_SECRET_PURPOSE,
                  previous_keys=keys.secret_keys[1:]).decode()  # fmt: skip


def test_rotation_keeps_secrets_readable_then_reseals_them_under_the_new_key(db: Database) -> None:
    user_id, public_key = _world(db)
    only_new = Settings(secret_key=NEW)
    rotating = Settings(secret_key=NEW, secret_key_previous=f"unrelated-key, {OLD}")

    with pytest.raises(ConfigurationError, match="FABNET_SECRET_KEY_PREVIOUS"):
        identity.load_user_signing_key(db, user_id, settings=only_new)
    _signs(db, user_id, public_key, rotating)  # during the rotation: the old key still opens it
    assert _webhook_secret(db, rotating) == "whsec_rotation-test-secret"

    report = reseal(db, settings=rotating)
    assert (report.signing_keys_resealed, report.webhook_secrets_resealed) == (1, 1)
    _signs(db, user_id, public_key, only_new)  # the old key is no longer needed
    assert _webhook_secret(db, only_new) == "whsec_rotation-test-secret"

    again = reseal(db, settings=rotating)
    assert (again.signing_keys_resealed, again.signing_keys_current) == (0, 1)
    assert (again.webhook_secrets_resealed, again.webhook_secrets_current) == (0, 1)


def test_a_value_no_key_opens_stops_the_reseal_with_nothing_written(db: Database) -> None:
    user_id, _ = _world(db)
    other = Settings(secret_key="third-key-000000000000")
    org_id = identity.get_user(db, user_id, actor=None).org_id
    identity.create_user(db, "second@lab.example", org_id, actor=None, settings=other)
    with db.read() as session:
        before = {r.id: r.private_key_encrypted for r in session.query(UserRow).all()}
    with pytest.raises(ConfigurationError, match="1 user signing key"):
        reseal(db, settings=Settings(secret_key=NEW, secret_key_previous=OLD))
    with db.read() as session:
        after = {r.id: r.private_key_encrypted for r in session.query(UserRow).all()}
    assert after == before


def test_fabnet_db_reseal_from_the_command_line(
    cli_env: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, public_key = _world(cli_env)
    monkeypatch.setenv("FABNET_SECRET_KEY", NEW)
    monkeypatch.setenv("FABNET_SECRET_KEY_PREVIOUS", OLD)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "reseal", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["signing_keys_resealed"] == 1
    _signs(cli_env, user_id, public_key, Settings(secret_key=NEW))

    monkeypatch.setenv("FABNET_SECRET_KEY", "yet-another-key-1234567")
    monkeypatch.delenv("FABNET_SECRET_KEY_PREVIOUS")
    get_settings.cache_clear()
    refused = CliRunner().invoke(app, ["db", "reseal"])
    assert refused.exit_code == 1
    assert "nothing was re-sealed" in refused.output
    assert "Traceback" not in refused.output
