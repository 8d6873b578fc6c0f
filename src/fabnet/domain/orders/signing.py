"""Per-user Ed25519 keys, encrypted at rest, and signatures over contract hashes.

Encryption at rest (decision recorded in docs/adr/0007-ledger-and-audit.md): the raw 32-byte
private key is sealed with AES-256-GCM under a key derived from the user's passphrase with
scrypt (n=2**15, r=8, p=1, 16-byte random salt, 12-byte random nonce). The public key and the
KDF parameters are the AEAD's associated data, so a sealed key cannot be swapped onto another
public key or have its parameters weakened unnoticed. All parameters travel in
:class:`SealedPrivateKey`, so they can be raised later without breaking stored keys.

What is signed: ``b"fabnet-contract-v1\\n" + terms_sha256`` (the hex digest, ASCII). The prefix
keeps a contract signature from being valid for any other kind of message.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from pydantic import Field

from fabnet.domain.common import Frozen
from fabnet.domain.orders.canonical import canonical_json, is_sha256_hex, sha256_hex
from fabnet.errors import AuthenticationError, InputError

SIGNATURE_CONTEXT = b"fabnet-contract-v1\n"
_RAW = serialization.Encoding.Raw


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise InputError(f"{field} is not base64", source="key", field=field) from None


class ScryptCost(Frozen):
    n: int = Field(default=2**15, ge=2**10)
    r: int = Field(default=8, ge=1)
    p: int = Field(default=1, ge=1)


class SealedPrivateKey(Frozen):
    """An Ed25519 private key encrypted with a passphrase; safe to store."""

    algorithm: str = "ed25519+scrypt+aes-256-gcm"
    public_key: str = Field(description="Raw 32-byte public key, base64")
    kdf: ScryptCost
    salt: str
    nonce: str
    ciphertext: str

    def associated_data(self) -> bytes:
        return canonical_json(
            {"algorithm": self.algorithm, "public_key": self.public_key,
             "kdf": self.kdf.model_dump()}
        )  # fmt: skip


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def key_fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key, hex: a stable key id."""
    return sha256_hex(public_key)


def _derive(passphrase: str, salt: bytes, cost: ScryptCost) -> bytes:
    return Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p).derive(
        passphrase.encode("utf-8")
    )


def seal_private_key(
    private_key: Ed25519PrivateKey, passphrase: str, *, cost: ScryptCost | None = None
) -> SealedPrivateKey:
    if len(passphrase) < 8:
        raise InputError(
            "the passphrase is shorter than 8 characters", source="key", field="passphrase"
        )
    kdf = cost or ScryptCost()
    salt, nonce = os.urandom(16), os.urandom(12)
    raw = private_key.private_bytes(_RAW, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())  # fmt: skip
    shell = SealedPrivateKey(
        public_key=_b64(public_key_bytes(private_key.public_key())),
        kdf=kdf,
        salt=_b64(salt),
        nonce=_b64(nonce),
        ciphertext="",
    )
    sealed = AESGCM(_derive(passphrase, salt, kdf)).encrypt(nonce, raw, shell.associated_data())
    return shell.model_copy(update={"ciphertext": _b64(sealed)})


def generate_key_pair(
    passphrase: str, *, cost: ScryptCost | None = None
) -> tuple[SealedPrivateKey, bytes]:
    """A new key pair: the sealed private key (to store) and the raw public key (to publish)."""
    key = Ed25519PrivateKey.generate()
    return seal_private_key(key, passphrase, cost=cost), public_key_bytes(key.public_key())


def unseal_private_key(sealed: SealedPrivateKey, passphrase: str) -> Ed25519PrivateKey:
    """The private key; AuthenticationError when the passphrase (or the record) is wrong."""
    salt = _unb64(sealed.salt, "salt")
    nonce = _unb64(sealed.nonce, "nonce")
    try:
        raw = AESGCM(_derive(passphrase, salt, sealed.kdf)).decrypt(
            nonce, _unb64(sealed.ciphertext, "ciphertext"), sealed.associated_data()
        )
    except InvalidTag:
        raise AuthenticationError(
            "the passphrase does not unlock this signing key (or the stored key was altered)"
        ) from None
    key = Ed25519PrivateKey.from_private_bytes(raw)
    if _b64(public_key_bytes(key.public_key())) != sealed.public_key:
        raise AuthenticationError("the sealed key does not match its public key")
    return key


def _message(terms_sha256: str) -> bytes:
    if not is_sha256_hex(terms_sha256):
        raise InputError(
            f"{terms_sha256!r} is not a lower-case hex SHA-256", source="contract",
            field="terms_sha256",
        )  # fmt: skip
    return SIGNATURE_CONTEXT + terms_sha256.encode("ascii")


def sign(terms_hash: str, private_key: Ed25519PrivateKey) -> bytes:
    """The 64-byte Ed25519 signature of a contract's terms hash."""
    return private_key.sign(_message(terms_hash))


def signature_valid(terms_hash: str, signature: bytes, public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _message(terms_hash))
    except (InvalidSignature, ValueError):
        return False
    return True
