"""``Idempotency-Key`` on every POST, as ASGI middleware.

For a POST with the header and a valid bearer token, the request is fingerprinted (method, path,
query, content type and body; multipart boundaries are normalised so a retried upload matches),
the key is claimed per user, the route runs once, and its response (status, headers, body) is
stored. The same key and request again gets the stored response with ``Idempotent-Replayed:
true`` and has no second effect. Without the header a POST runs normally.

The route runs inside a held transaction (:meth:`Database.held_transaction`): the services'
transactions join it, and it commits once, with the stored response, after the route has
answered; only then is the response sent (ADR 0014). So a change that committed always has its
response stored, and a request that died before committing left no change and only a claim whose
lease (``FABNET_IDEMPOTENCY_LEASE_SECONDS``, renewed while the request runs) soon runs out.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabnet.api.problems import render_fabnet_error
from fabnet.domain.identity import Principal
from fabnet.errors import FabnetError
from fabnet.services.identity.auth import authenticate_token
from fabnet.services.platform import idempotency
from fabnet.settings import Settings
from fabnet.storage.db import Database, HeldTransaction

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
_SKIPPED_HEADERS = {"content-length", "date", "server", "transfer-encoding"}


def fingerprint(method: str, path: str, query: bytes, content_type: str, body: bytes) -> str:
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() == "multipart/form-data":
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "boundary" and value:
                body = body.replace(value.strip('"').encode("latin-1"), b"BOUNDARY")
        content_type = "multipart/form-data"
    digest = hashlib.sha256()
    for part in (
        method.encode(),
        path.encode(),
        query,
        content_type.strip().lower().encode(),
        body,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        key = request.headers.get(HEADER)
        authorization = request.headers.get("authorization", "")
        if key is None or not authorization.lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        db: Database = scope["app"].state.db
        principal = scope.get("state", {}).get("principal")  # the request guard's
        if not isinstance(principal, Principal):
            try:
                principal = await to_thread.run_sync(
                    authenticate_token, db, authorization[7:].strip()
                )
            except FabnetError:
                await self.app(scope, receive, send)  # the route answers 401
                return
            scope.setdefault("state", {})["principal"] = principal
        body = await _read_body(receive)
        print_ = fingerprint(
            "POST",
            scope["path"],
            scope.get("query_string", b""),
            request.headers.get("content-type", ""),
            body,
        )
        settings: Settings = scope["app"].state.settings
        lease = timedelta(seconds=settings.idempotency_lease_seconds)
        try:
            stored = await to_thread.run_sync(
                lambda: idempotency.begin(
                    db,
                    principal.user_id,
                    key,
                    method="POST",
                    path=scope["path"],
                    fingerprint=print_,
                    lease=lease,
                )
            )
        except FabnetError as exc:
            await _send_problem(scope, exc, send)
            return
        if isinstance(stored, idempotency.StoredResponse):
            await _replay(stored, send)
            return
        renewal = _Renewal(db, stored)
        try:
            with db.held_transaction() as held:
                await self._run_and_store(scope, body, send, db, held, stored)
        finally:
            renewal.stop()

    async def _run_and_store(
        self,
        scope: Scope,
        body: bytes,
        send: Send,
        db: Database,
        held: HeldTransaction,
        claim: idempotency.Claim,
    ) -> None:
        status = 500
        headers: list[list[str]] = []
        chunks: list[bytes] = []
        messages: list[Message] = []

        async def replay_receive() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers.extend(
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in _SKIPPED_HEADERS
                )
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            messages.append(message)  # sent once the change and the response have committed

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await to_thread.run_sync(_release, db, held, claim)
            raise
        if status >= 500:  # the change (if any) is rolled back with the held transaction
            await to_thread.run_sync(_release, db, held, claim)
            await _send_all(messages, send)
            return
        response = idempotency.StoredResponse(status, headers, b"".join(chunks))
        try:
            await to_thread.run_sync(_complete, db, held, claim, response)
        except FabnetError as exc:
            await to_thread.run_sync(_release, db, held, claim)
            await _send_problem(scope, exc, send)
            return
        except BaseException:
            await to_thread.run_sync(_release, db, held, claim)
            raise
        await _send_all(messages, send)


def _complete(
    db: Database,
    held: HeldTransaction,
    claim: idempotency.Claim,
    response: idempotency.StoredResponse,
) -> None:
    """Store the response in the held transaction and commit it with the route's change."""
    idempotency.complete(db, claim, response)
    held.commit()


def _release(db: Database, held: HeldTransaction, claim: idempotency.Claim) -> None:
    """Roll the route's change back and free the key (in a transaction of its own)."""
    held.close()  # later transactions of this context no longer join it
    idempotency.release(db, claim)


class _Renewal:
    """Renews the claim's lease every third of it while the request runs, in a thread of its
    own (so a busy event loop or a long route does not let the lease run out)."""

    def __init__(self, db: Database, claim: idempotency.Claim) -> None:
        self.db, self.claim = db, claim
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fabnet-idempotency", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = max(self.claim.lease.total_seconds() / 3.0, 0.05)
        while not self._stop.wait(period):
            try:
                if not idempotency.renew(self.db, self.claim):
                    return  # lost: complete() will refuse to store, the change rolls back
            except Exception:  # e.g. SQLite busy: try again next period
                continue

    def stop(self) -> None:
        self._stop.set()


async def _send_all(messages: list[Message], send: Send) -> None:
    for message in messages:
        await send(message)


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _replay(stored: idempotency.StoredResponse, send: Send) -> None:
    raw_headers: list[tuple[bytes, bytes]] = [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers
    ]
    raw_headers.append((b"content-length", str(len(stored.body)).encode()))
    raw_headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send(
        {"type": "http.response.start", "status": stored.status_code, "headers": raw_headers}
    )
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


async def _send_problem(scope: Scope, exc: FabnetError, send: Send) -> None:

    response = render_fabnet_error(Request(scope), exc)

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)


def openapi_header() -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": idempotency.MAX_KEY_LENGTH},
        "description": (
            "Makes the POST safe to retry: the same key and body within 24 h replays the first "
            "response without a second effect; the same key with another body is refused (422). "
            "While the first request runs the key answers 409 (the hint says when to retry); a "
            "response is only sent once it is stored with the change it reports, so after a lost "
            "connection the retry always learns the outcome."
        ),
    }
