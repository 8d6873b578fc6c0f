"""The licensor's (designer's) pages, and the buyer's side of permission requests.

``/licensor``: the designs the organisation licenses with their licence obligations
(attribution, notices, source, marking ...), the orders that use them, and the permission
requests to answer: grant (with a note, and optionally the signed permission as a file; else
fabnet writes the permission document) or refuse with a reason. Only designer organisations
have it (others: 404).

``/permissions``: the requests the buyer's organisation made; ``/permissions/orders/{id}``: each
design of an order, whether its licence needs the licensor's permission for this paid order,
who the licensor is, the requests made (a refusal with its reason) and the form to ask.
Another organisation's order or request answers 404 (the services decide)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.domain.identity import OrgKind
from fabnet.errors import FabnetError, NotFoundError
from fabnet.web import services, sessions
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render
from fabnet.web.uploads import stored_files

router = APIRouter()

LICENSOR_KINDS = frozenset({OrgKind.DESIGNER})


def _message(error: FabnetError) -> str:
    return error.message + (f" ({error.hint})" if error.hint else "")


def _require_licensor(user: CurrentUser) -> None:
    if user.kind not in LICENSOR_KINDS:
        raise NotFoundError("no such page", hint="the licensor's pages are for designer "
                            "organisations")  # fmt: skip


def _fingerprint(parts: Iterable[str]) -> str:
    """Changes when anything the page shows changes (polled by the open page every 5 s)."""
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:16]


def _changed(current: str, seen: str) -> Response:
    """204 while nothing changed; when another party acted, ``HX-Refresh`` reloads the page
    (so what the user typed stays until there is news)."""
    if current == seen:
        return Response(status_code=204)
    return Response(status_code=200, headers={"HX-Refresh": "true"})


def _licensor_fingerprint(db: Db, user: CurrentUser) -> str:
    requests = services.permission_requests(db, user.principal)
    orders = services.licensed_orders(db, user.principal)
    designs = services.licensed_designs(db, user.principal)
    return _fingerprint([*(f"r{r.id}:{r.version}" for r in requests),
                         *(f"o{o.order_id}:{o.order_state.value}:{o.permission_recorded}"
                           for o in orders),
                         *(f"d{d.design_id}:{d.license}" for d in designs)])  # fmt: skip


def _licensor_page(
    request: Request,
    db: Db,
    user: CurrentUser,
    errors: dict[str, dict[str, str]] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    requests = services.permission_requests(db, user.principal)
    to_me = [r for r in requests if r.licensor_org_id == user.principal.org_id]
    designs = services.licensed_designs(db, user.principal)
    context: dict[str, Any] = {
        "designs": designs,
        "design_names": {d.design_id: d.design_name for d in designs},
        "orders": services.licensed_orders(db, user.principal),
        "pending": [r for r in to_me if r.status == "pending"],
        "decided": [r for r in to_me if r.status != "pending"],
        "errors": errors or {},
        "form": form or {},
        "fingerprint": _licensor_fingerprint(db, user),
    }
    return render(request, "licensor/page.html", context, title="Licensing",
                  status_code=status_code)  # fmt: skip


@router.get("/licensor")
def licensor_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_licensor(user)
    return _licensor_page(request, db, user)


@router.get("/licensor/changes")
def licensor_changes(user: CurrentUser, db: Db, seen: str = "") -> Response:
    _require_licensor(user)
    return _changed(_licensor_fingerprint(db, user), seen)


@router.post("/licensor/requests/{request_id}/grant")
async def grant(request: Request, request_id: str, user: CurrentUser, db: Db) -> Response:
    _require_licensor(user)
    form = await request.form()
    note = str(form.get("note") or "")
    try:
        evidence = await stored_files(request, form, "evidence")
        services.grant_permission(
            db, user.principal, request_id,
            store=services.open_file_store(sessions.settings_of(request)), note=note,
            evidence_sha256=evidence[0] if evidence else None,
        )  # fmt: skip
    except FabnetError as error:
        if error.http_status not in (400, 413, 422):
            raise
        field = "evidence" if "evidence" in str(getattr(error, "field", "")) else "note"
        return _licensor_page(request, db, user, {request_id: {field: _message(error)}},
                              {"note": note}, status_code=422)  # fmt: skip
    return RedirectResponse("/licensor#decided", status_code=303)


@router.post("/licensor/requests/{request_id}/refuse")
async def refuse(request: Request, request_id: str, user: CurrentUser, db: Db) -> Response:
    _require_licensor(user)
    form = await request.form()
    reason = str(form.get("reason") or "")
    try:
        services.refuse_permission(db, user.principal, request_id, reason=reason)
    except FabnetError as error:
        if error.http_status != 422:
            raise
        return _licensor_page(request, db, user, {request_id: {"reason": _message(error)}},
                              status_code=422)  # fmt: skip
    return RedirectResponse("/licensor#decided", status_code=303)


# --- the buyer's side ----------------------------------------------------------------------------


def _orders_needing_permission(db: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The caller's orders with a design whose licence needs the licensor's permission."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = services.list_orders(db, user.principal, limit=200, cursor=cursor)
        for order in page.items:
            try:
                needs = services.order_permissions(db, user.principal, order.id)
            except NotFoundError:  # a manufacturer's or inspector's view of someone's order
                continue
            waiting = [n for n in needs if n.licence.needs_permission]
            if waiting:
                rows.append({"order": order, "needs": waiting})
        if not page.next_cursor:
            return rows
        cursor = page.next_cursor


@router.get("/permissions")
def my_requests(request: Request, user: CurrentUser, db: Db) -> Response:
    requests = [r for r in services.permission_requests(db, user.principal)
                if r.licensor_org_id != user.principal.org_id]  # fmt: skip
    context = {"requests": requests, "orders": _orders_needing_permission(db, user)}
    return render(request, "licensor/requests.html", context, title="Permission requests")


def _order_page(
    request: Request,
    db: Db,
    user: CurrentUser,
    order_id: str,
    errors: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    needs = services.order_permissions(db, user.principal, order_id)  # not a party: 404
    order = services.get_order(db, user.principal, order_id)
    context = {"order": order, "needs": needs, "errors": errors or {},
               "fingerprint": _order_fingerprint(needs)}  # fmt: skip
    return render(request, "licensor/order.html", context,
                  title=f"Licences of {order.name}", status_code=status_code)  # fmt: skip


def _order_fingerprint(needs: list[Any]) -> str:
    return _fingerprint([f"{n.licence.design_id}:{n.permission_recorded}:{n.licensor_org_id}:"
                         + ",".join(f"{r.id}:{r.version}" for r in n.requests)
                         for n in needs])  # fmt: skip


@router.get("/permissions/orders/{order_id}/changes")
def order_permission_changes(order_id: str, user: CurrentUser, db: Db, seen: str = "") -> Response:
    return _changed(_order_fingerprint(services.order_permissions(db, user.principal, order_id)),
                    seen)  # fmt: skip


@router.get("/permissions/orders/{order_id}")
def order_permissions_page(request: Request, order_id: str, user: CurrentUser, db: Db) -> Response:
    return _order_page(request, db, user, order_id)


@router.post("/permissions/orders/{order_id}")
async def ask(request: Request, order_id: str, user: CurrentUser, db: Db) -> Response:
    form = await request.form()
    design_id = str(form.get("design_id") or "")
    try:
        services.request_permission(
            db, user.principal, order_id, design_id, message=str(form.get("message") or "")
        )
    except FabnetError as error:
        if error.http_status not in (409, 422):
            raise
        return _order_page(request, db, user, order_id, {design_id: {"message": _message(error)}},
                           status_code=error.http_status)  # fmt: skip
    return RedirectResponse(f"/permissions/orders/{order_id}", status_code=303)
