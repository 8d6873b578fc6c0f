"""Encryption at rest of small secrets (users' signing keys, webhook secrets).

The key is derived from ``settings.secret_key`` with HKDF-SHA256 and a per-purpose ``info`` label,
so the same setting yields independent keys for each purpose. Each value is sealed with AES-256-GCM
under a fresh 96-bit nonce; the stored text is ``v1.<base64url(nonce || ciphertext+tag)>``.
Changing ``secret_key`` makes existing values unreadable (a :class:`ConfigurationError`).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fabnet.errors import ConfigurationError

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


def unseal(text: str, *, secret_key: str, purpose: str) -> bytes:
    version, _, body = text.partition(".")
    if version != _VERSION:
        raise ConfigurationError(f"sealed value has unknown format {version!r}")
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    try:
        return _derive(secret_key, purpose).decrypt(raw[:12], raw[12:], purpose.encode("utf-8"))
    except InvalidTag:
        raise ConfigurationError(
            f"cannot decrypt a stored {purpose}",
            hint="FABNET_SECRET_KEY differs from the one it was encrypted with",
        ) from None
