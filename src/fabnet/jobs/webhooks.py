"""Signed webhook delivery, as a job.

Each POST follows the Standard Webhooks convention (https://www.standardwebhooks.com/), so a
receiver can verify it with that convention's libraries (``standardwebhooks`` on PyPI and npm):

* ``webhook-id``: the delivery id, the same on every retry of one delivery: a receiver dedupes
  replays and retries by remembering the ids it has processed (for at least the signature
  tolerance, 5 minutes, better a day);
* ``webhook-timestamp``: unix seconds of this attempt;
* ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` over ``f"{id}.{timestamp}.{body}"``, keyed
  by :func:`signing_key` of the subscription's secret (a ``whsec_`` secret is base64 of the key,
  as the convention says; any other secret is used as its UTF-8 bytes).

The older ``X-Fabnet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over f"{t}.{body}">``
(keyed by the secret's UTF-8 bytes; :func:`verify_signature`) is still sent for receivers
written against it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from fabnet.outbox.registry import JobContext, job_handler
from fabnet.services.platform.webhooks import (
    DELIVER_JOB,
    Resolver,
    outgoing_webhook,
    record_delivery_attempt,
    resolve_target,
    system_resolver,
)

SIGNATURE_HEADER = "X-Fabnet-Signature"
TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 8
RESOLVER: Resolver = system_resolver
"""How delivery resolves a webhook's host (once per attempt; the connection goes to the result)."""


class WebhookDeliveryError(Exception):
    """The receiver did not answer 2xx (the job is retried)."""


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret, as Standard Webhooks libraries derive it: ``whsec_<base64>``
    decodes to the key bytes; any other secret is its UTF-8 bytes."""
    if secret.startswith("whsec_"):
        try:
            key = base64.b64decode(secret[len("whsec_") :] + "==")
        except (binascii.Error, ValueError):
            key = b""
        if key:
            return key
    return secret.encode("utf-8")


def standard_signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>``: the Standard Webhooks signature of one attempt."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    mac = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def standard_headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(secret, webhook_id, timestamp, body),
    }


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` old."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v) for v in fields.get("v1", []))


def _post(
    url: str, address: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """POST once to ``address`` (the checked address of the URL's host); (status, error or None).

    The URL's host is kept in the Host header and, for https, as the TLS server name, so the
    certificate is still checked against the name."""
    target = httpx.URL(url)
    pinned = target.copy_with(host=address)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    host_header = target.host if target.port is None else f"{target.host}:{target.port}"
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            request = client.build_request(
                "POST", pinned, content=body, headers={**headers, "Host": host_header},
                extensions=extensions,
            )  # fmt: skip
            response = client.send(request)
    except httpx.HTTPError as exc:
        return None, f"{url} could not be reached: {type(exc).__name__}: {exc}"
    if not 200 <= response.status_code < 300:
        return response.status_code, f"{url} answered HTTP {response.status_code}"
    return response.status_code, None


@job_handler(DELIVER_JOB, max_attempts=MAX_ATTEMPTS)
def deliver_webhook(context: JobContext, payload: dict[str, Any]) -> dict[str, Any] | None:
    """POST one delivery; a non-2xx answer or a network error fails the attempt."""
    delivery_id = str(payload["delivery_id"])
    outgoing = outgoing_webhook(context.db, delivery_id, settings=context.settings)
    if outgoing is None:
        return {"skipped": True}
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fabnet-webhooks/1",
        **standard_headers(outgoing.secret, outgoing.delivery_id, timestamp, outgoing.body),
        SIGNATURE_HEADER: signature_header(outgoing.secret, outgoing.body, timestamp),
        "X-Fabnet-Event": outgoing.event_type,
        "X-Fabnet-Delivery": outgoing.delivery_id,
    }
    status_code: int | None = None
    error: str | None = None
    host = urlsplit(outgoing.url).hostname or ""
    address, refusal = resolve_target(
        host, allow_private=context.settings.webhook_allow_private_targets, resolver=RESOLVER
    )
    if address is None:
        error = f"{outgoing.url} refused: {refusal}"
    else:
        status_code, error = _post(outgoing.url, address, outgoing.body, headers)
    record_delivery_attempt(
        context.db,
        delivery_id,
        attempt=context.attempt,
        status_code=status_code,
        error=error,
        final=context.is_last_attempt,
    )
    if error is not None:
        raise WebhookDeliveryError(error)
    return {"status_code": status_code}
