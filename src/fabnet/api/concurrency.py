"""Optimistic concurrency over HTTP: ETags from a version column, If-Match, body versions.

A versioned resource answers ``ETag: "v<version>"``. A state-changing request may send
``If-Match`` with that ETag; :func:`expected_version` turns it into the version the service
compares with (412 when it moved on). Requests may instead carry ``version`` in the body
(:func:`check_body_version` raises 409 when it is stale). Use :func:`expected_version_from` to
accept either.
"""

from __future__ import annotations

import re

from fastapi import Response

from fabnet.errors import ConflictError, InputError, PreconditionFailedError

_ETAG = re.compile(r'^(?:W/)?"v(\d+)"$')


def etag(version: int) -> str:
    return f'"v{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def expected_version(if_match: str | None) -> int | None:
    """The version named by an ``If-Match`` header (None when absent or ``*``)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise PreconditionFailedError(
            f"If-Match {if_match!r} is not an ETag of this API",
            hint='send the ETag you received, e.g. If-Match: "v3"',
        )
    return int(match.group(1))


def check_body_version(body_version: int | None, current_version: int, what: str) -> None:
    """409 when the client's ``version`` is not the current one."""
    if body_version is not None and body_version != current_version:
        raise ConflictError(
            f"{what} is at version {current_version}, the request was based on {body_version}",
            hint="fetch it again and re-apply your change",
        )


def expected_version_from(if_match: str | None, body_version: int | None) -> int | None:
    """One expected version from If-Match and/or the body; both must agree when both are given."""
    header_version = expected_version(if_match)
    if header_version is not None and body_version is not None and header_version != body_version:
        raise InputError(
            f"If-Match names version {header_version} but the body says {body_version}",
            field="version",
        )
    return header_version if header_version is not None else body_version
