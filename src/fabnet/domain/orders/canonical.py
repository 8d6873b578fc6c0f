"""Canonical JSON: one byte string per value, so that hashes and signatures are reproducible.

Rules: object keys sorted by code point, no insignificant whitespace, UTF-8 (non-ASCII written as
is, not escaped), ``true``/``false``/``null``, integers in decimal. Floats are refused: amounts are
integer minor units and decimals travel as strings, because float formatting differs between
languages and would make a hash depend on who computed it. Datetimes must be converted by the
caller with :func:`canonical_datetime` (UTC, microseconds, ``Z``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from fabnet.errors import InputError

JsonValue = None | bool | int | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"]

GENESIS_HASH = "0" * 64


def _check(value: object, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise InputError(
            "floats are not allowed in canonical JSON",
            source="canonical-json",
            field=path or "$",
            hint="use an integer (minor units) or a decimal string",
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(
                    f"object key {key!r} is not a string", source="canonical-json", field=path
                )
            _check(item, f"{path}.{key}" if path else key)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise InputError(
        f"{type(value).__name__} is not a JSON value",
        source="canonical-json",
        field=path or "$",
        hint="convert datetimes with canonical_datetime() and enums to their values",
    )


def canonical_json(value: object) -> bytes:
    """The canonical UTF-8 bytes of ``value`` (see the module docstring)."""
    _check(value, "")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            "a naive datetime has no defined instant",
            source="canonical-json",
            field="occurred_at",
            hint="pass a timezone-aware datetime, e.g. datetime.now(UTC)",
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_sha256_hex(text: str) -> bool:
    """True for 64 lower-case hex digits."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
