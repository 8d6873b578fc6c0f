"""Encryption at rest of small secrets (users' signing keys, webhook secrets).

The key is derived from ``settings.secret_key`` with HKDF-SHA256 and a per-purpose ``info`` label,
so the same setting yields independent keys for each purpose. Each value is sealed with AES-256-GCM
under a fresh 96-bit nonce; the stored text is ``v1.<base64url(nonce || ciphertext+tag)>``.
Rotation: a value is unsealed with the current key or, during a rotation, with one of the
previous keys (``FABNET_SECRET_KEY_PREVIOUS``); :func:`fabnet.services.platform.rotation.reseal`
re-seals every stored value under the current key, after which the previous keys can go. A value
no key opens is a :class:`ConfigurationError`.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fabnet.errors import ConfigurationError

SIGNING_KEY_PURPOSE = "user signing key"
"""Users' Ed25519 private keys (``users.private_key_encrypted``)."""
WEBHOOK_SECRET_PURPOSE = "webhook secret"
"""Webhook subscriptions' signing secrets (``webhook_subscriptions.secret_sealed``)."""

_VERSION = "v1"
_SALT = b"fabnet secrets box v1"


def _derive(secret_key: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode("utf-8")
    ).derive(secret_key.encode("utf-8"))
    return AESGCM(key)


def seal(plaintext: bytes, *, secret_key: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = _derive(secret_key, purpose).encrypt(nonce, plaintext, purpose.encode("utf-8"))
    return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def unseal(text: str, *, secret_key: str, purpose: str, previous_keys: Sequence[str] = ()) -> bytes:
    """The plaintext of a sealed value, opened with ``secret_key`` or one of ``previous_keys``."""
    return unseal_with_key(text, secret_keys=(secret_key, *previous_keys), purpose=purpose)[0]


def unseal_with_key(text: str, *, secret_keys: Sequence[str], purpose: str) -> tuple[bytes, int]:
    """The plaintext and the index in ``secret_keys`` of the key that opened it."""
    version, _, body = text.partition(".")
    if version != _VERSION:
        raise ConfigurationError(f"sealed value has unknown format {version!r}")
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    for index, key in enumerate(secret_keys):
        try:
            plain = _derive(key, purpose).decrypt(raw[:12], raw[12:], purpose.encode("utf-8"))
        except InvalidTag:
            continue
        return plain, index
    raise ConfigurationError(
        f"cannot decrypt a stored {purpose}",
        hint="FABNET_SECRET_KEY differs from the one it was encrypted with; during a rotation "
        "put the old key in FABNET_SECRET_KEY_PREVIOUS",
    )
