"""The platform admin's pages (``/admin``): organisations (create), users (create), API tokens
(revoke), facilities onboarding (link a facility to the manufacturer organisation that runs
it; invite a facility that is not on the platform yet, by e-mail with a one-time link), the
organisation licensing each design, webhook subscriptions and their deliveries, the job
queue, and the audit chain's verification.

Each page calls the service functions the API uses (``/v1/orgs``, ``/v1/users``,
``/v1/tokens``, ``/v1/webhooks``, ``/v1/audit/verification`` ...), so the services decide
again; only platform admins have these pages, anyone else gets a 404 page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from fabnet.domain.identity import OrgKind
from fabnet.errors import FabnetError, NotFoundError
from fabnet.web import services, sessions
from fabnet.web.deps import CurrentUser, Db
from fabnet.web.render import render

router = APIRouter()

T = TypeVar("T")
#: The most rows a listing gathers (the pages show the platform at demo and pilot scale).
MAX_ROWS = 1000
#: Form failures shown on the form (with the service's status) rather than as an error page.
FORM_STATUSES = (409, 412, 422)


def _require_admin(user: CurrentUser) -> None:
    if not user.principal.is_platform_admin:
        raise NotFoundError("no such page", hint="the admin pages are for platform admins")


def _all(fetch: Callable[[str | None], services.Page[T]]) -> list[T]:
    items: list[T] = []
    cursor: str | None = None
    while len(items) < MAX_ROWS:
        page = fetch(cursor)
        items.extend(page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    return items[:MAX_ROWS]


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _error(error: FabnetError, fields: tuple[str, ...]) -> dict[str, str]:
    field = str(getattr(error, "field", None) or "")
    message = error.message + (f" ({error.hint})" if error.hint else "")
    return {field if field in fields else "form": message}


def _orgs(db: Db, user: CurrentUser) -> list[Any]:
    return _all(lambda c: services.list_organisations(db, actor=user.principal, limit=200,
                                                      cursor=c))  # fmt: skip


def _users(db: Db, user: CurrentUser) -> list[Any]:
    return _all(lambda c: services.list_users(db, actor=user.principal, limit=200, cursor=c))


def _tokens(db: Db, user: CurrentUser, user_id: str) -> list[Any]:
    def fetch(cursor: str | None) -> services.Page[Any]:
        return services.list_tokens(
            db, actor=user.principal, user_id=user_id, limit=200, cursor=cursor
        )

    return _all(fetch)


def _page(
    request: Request, template: str, context: dict[str, Any], title: str, status_code: int = 200
) -> Response:
    full = {"errors": {}, "form": {}, **context}
    return render(request, f"admin/{template}", full, title=title, status_code=status_code)


# --- overview and audit --------------------------------------------------------------------------


@router.get("/admin")
def admin_home(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    orgs = _orgs(db, user)
    jobs = services.list_jobs(db, user.principal, limit=500)
    counts = {
        "organisations": len(orgs),
        "users": len(_users(db, user)),
        "queued jobs": sum(1 for j in jobs if j.status in ("queued", "running")),
        "dead jobs": sum(1 for j in jobs if j.status == "dead"),
    }
    return _page(request, "home.html", {"counts": counts}, "Platform admin")


@router.get("/admin/audit")
def audit_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    return _page(request, "audit.html", {"result": services.verify_audit_chain(db)}, "Audit chain")


# --- organisations and users ---------------------------------------------------------------------


def _org_list(
    request: Request, db: Db, user: CurrentUser, status_code: int = 200, **extra: Any
) -> Response:
    kinds = [(k.value, k.value.replace("_", " ")) for k in OrgKind]
    context = {"orgs": _orgs(db, user), "kinds": kinds, **extra}
    return _page(request, "organisations.html", context, "Organisations",
                 status_code=status_code)  # fmt: skip


@router.get("/admin/organisations")
def organisations_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    return _org_list(request, db, user)


@router.post("/admin/organisations")
async def create_organisation(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    form = await request.form()
    name, kind = _text(form, "name"), _text(form, "kind")
    try:
        org = services.create_organisation(db, name, kind, actor=user.principal)
    except FabnetError as error:
        if error.http_status not in FORM_STATUSES:
            raise
        return _org_list(request, db, user, status_code=error.http_status,
                         errors=_error(error, ("name", "kind")),
                         form={"name": name, "kind": kind})  # fmt: skip
    return RedirectResponse(f"/admin/organisations#org-{org.id}", status_code=303)


def _user_list(
    request: Request, db: Db, user: CurrentUser, status_code: int = 200, **extra: Any
) -> Response:
    orgs = _orgs(db, user)
    users = _users(db, user)
    context = {"users": users, "orgs": orgs, "org_names": {o.id: o.name for o in orgs}, **extra}
    return _page(request, "users.html", context, "Users",
                 status_code=status_code)  # fmt: skip


@router.get("/admin/users")
def users_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    return _user_list(request, db, user)


@router.post("/admin/users")
async def create_user(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    form = await request.form()
    values = {k: _text(form, k) for k in ("email", "org_id", "display_name")}
    password = str(form.get("password") or "")
    try:
        made = services.create_user(
            db, values["email"], values["org_id"], actor=user.principal,
            display_name=values["display_name"] or None, password=password or None,
            settings=sessions.settings_of(request),
        )  # fmt: skip
    except FabnetError as error:
        if error.http_status not in FORM_STATUSES:
            raise
        fields = ("email", "org_id", "display_name", "password")
        return _user_list(request, db, user, errors=_error(error, fields), form=values,
                          status_code=error.http_status)  # fmt: skip
    return RedirectResponse(f"/admin/users#user-{made.id}", status_code=303)


# --- tokens --------------------------------------------------------------------------------------


@router.get("/admin/tokens")
def tokens_page(
    request: Request, user: CurrentUser, db: Db, user_id: str | None = None
) -> Response:
    _require_admin(user)
    users = _users(db, user)
    if user_id is not None:
        users = [u for u in users if u.id == user_id]
        if not users:
            raise NotFoundError(f"no user with id {user_id}")
    rows = [(u, _tokens(db, user, u.id)) for u in users]
    orgs = {o.id: o.name for o in _orgs(db, user)}
    return _page(request, "tokens.html", {"rows": rows, "org_names": orgs}, "API tokens")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    token = services.revoke_token(db, token_id, actor=user.principal)
    return RedirectResponse(f"/admin/tokens#token-{token.id}", status_code=303)


# --- facilities onboarding -----------------------------------------------------------------------


def _facility_page(
    request: Request, db: Db, user: CurrentUser, status_code: int = 200, **extra: Any
) -> Response:
    orgs = _orgs(db, user)
    makers = [o for o in orgs if o.kind is OrgKind.MANUFACTURER]
    run = {f for o in orgs for f in o.facility_ids}
    names = services.facility_names(db)  # every facility's name, no record loaded
    unlinked = [{"id": fid, "name": name} for fid, name in names.items() if fid not in run]
    invited = services.list_facility_invitations(db, user.principal)
    context = {"makers": makers, "names": names, "unlinked": unlinked[:200],
               "unlinked_count": len(unlinked), "invitations": invited,
               "invitation_days": services.INVITATION_DAYS, **extra}  # fmt: skip
    return _page(request, "facilities.html", context, "Facilities onboarding",
                 status_code=status_code)  # fmt: skip


@router.get("/admin/facilities")
def facilities_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    return _facility_page(request, db, user)


async def _change_facilities(request: Request, user: CurrentUser, db: Db, link: bool) -> Response:
    _require_admin(user)
    form = await request.form()
    org_id, facility_id = _text(form, "org_id"), _text(form, "facility_id")
    try:
        org = services.get_organisation(db, org_id, actor=user.principal)
        current = list(org.facility_ids)
        wanted = [*current, facility_id] if link else [f for f in current if f != facility_id]
        services.update_organisation(
            db, org_id, actor=user.principal, expected_version=org.version, facility_ids=wanted
        )
    except FabnetError as error:
        if error.http_status not in (*FORM_STATUSES, 404):
            raise
        errors = _error(error, ("facility_ids", "org_id"))
        errors = {"facility_id" if k == "facility_ids" else k: v for k, v in errors.items()}
        status = 422 if error.http_status == 404 else error.http_status
        return _facility_page(request, db, user, errors=errors,
                              form={"org_id": org_id, "facility_id": facility_id},
                              status_code=status)  # fmt: skip
    return RedirectResponse(f"/admin/facilities#org-{org_id}", status_code=303)


@router.post("/admin/facilities/link")
async def link_facility(request: Request, user: CurrentUser, db: Db) -> Response:
    return await _change_facilities(request, user, db, link=True)


@router.post("/admin/facilities/unlink")
async def unlink_facility(request: Request, user: CurrentUser, db: Db) -> Response:
    return await _change_facilities(request, user, db, link=False)


#: The invitation form's fields (its facility id apart from the link form's).
INVITE_FIELDS = ("email", "facility_name", "contact_name", "invite_facility_id")


@router.post("/admin/facilities/invite")
async def invite_facility(request: Request, user: CurrentUser, db: Db) -> Response:
    """Invite a facility that is not on the platform yet: its contact gets a one-time link
    (by e-mail when an SMTP server is set) to create its manufacturer organisation and user."""
    _require_admin(user)
    form = await request.form()
    values = {k: _text(form, k) for k in INVITE_FIELDS}
    try:
        issued = services.invite_facility(
            db, user.principal, values["email"], values["facility_name"],
            contact_name=values["contact_name"] or None,
            facility_id=values["invite_facility_id"] or None,
            base_url=str(request.base_url), settings=sessions.settings_of(request),
        )  # fmt: skip
    except FabnetError as error:
        if error.http_status not in FORM_STATUSES:
            raise
        errors = _error(error, (*INVITE_FIELDS, "facility_id"))
        errors = {"invite_facility_id" if k == "facility_id" else k: v for k, v in errors.items()}
        return _facility_page(request, db, user, errors=errors, form=values,
                              status_code=error.http_status)  # fmt: skip
    # The link is shown once, here (only its hash is kept): to pass on if no e-mail went out.
    return _facility_page(request, db, user, issued=issued)


@router.post("/admin/facilities/invitations/{invitation_id}/withdraw")
def withdraw_invitation(
    request: Request, invitation_id: str, user: CurrentUser, db: Db
) -> Response:
    _require_admin(user)
    try:
        services.withdraw_facility_invitation(db, user.principal, invitation_id)
    except FabnetError as error:
        if error.http_status not in FORM_STATUSES:
            raise
        return _facility_page(request, db, user, errors=_error(error, ()),
                              status_code=error.http_status)  # fmt: skip
    return RedirectResponse("/admin/facilities#invitations", status_code=303)


# --- design licensors ----------------------------------------------------------------------------


def _licensor_page(
    request: Request, db: Db, user: CurrentUser, status_code: int = 200, **extra: Any
) -> Response:
    designers = [o for o in _orgs(db, user) if o.kind is OrgKind.DESIGNER]
    context = {"links": services.list_design_licensors(db, user.principal),
               "designers": designers, **extra}  # fmt: skip
    return _page(request, "licensors.html", context, "Design licensors",
                 status_code=status_code)  # fmt: skip


@router.get("/admin/licensors")
def licensors_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    return _licensor_page(request, db, user)


@router.post("/admin/licensors")
async def link_licensor(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    form = await request.form()
    design_id, org_id = _text(form, "design_id"), _text(form, "org_id")
    try:
        services.link_design_licensor(db, user.principal, design_id, org_id)
    except FabnetError as error:
        if error.http_status not in FORM_STATUSES:
            raise
        return _licensor_page(request, db, user, errors=_error(error, ("design_id", "org_id")),
                              form={"design_id": design_id, "org_id": org_id},
                              status_code=error.http_status)  # fmt: skip
    return RedirectResponse("/admin/licensors", status_code=303)


@router.post("/admin/licensors/{design_id}/unlink")
def unlink_licensor(request: Request, design_id: str, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    services.unlink_design_licensor(db, user.principal, design_id)
    return RedirectResponse("/admin/licensors", status_code=303)


# --- webhooks and the job queue ------------------------------------------------------------------


@router.get("/admin/webhooks")
def webhooks_page(request: Request, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    subscriptions = _all(lambda c: services.list_subscriptions(
        db, actor=user.principal, limit=200, cursor=c, all_organisations=True))  # fmt: skip
    orgs = {o.id: o.name for o in _orgs(db, user)}
    return _page(request, "webhooks.html", {"subscriptions": subscriptions, "org_names": orgs},
                 "Webhooks")  # fmt: skip


@router.get("/admin/webhooks/{subscription_id}")
def webhook_page(request: Request, subscription_id: str, user: CurrentUser, db: Db) -> Response:
    _require_admin(user)
    subscription = services.get_subscription(db, subscription_id, actor=user.principal)
    deliveries = services.list_deliveries(db, subscription_id, actor=user.principal, limit=200)
    org = services.get_organisation(db, subscription.org_id, actor=user.principal)
    return _page(request, "webhook.html",
                 {"s": subscription, "deliveries": deliveries, "org": org},
                 f"Webhook {subscription_id[:8]}")  # fmt: skip


@router.get("/admin/jobs")
def jobs_page(request: Request, user: CurrentUser, db: Db, status: str | None = None) -> Response:
    _require_admin(user)
    jobs = services.list_jobs(db, user.principal, status=status or None, limit=200)
    orgs = {o.id: o.name for o in _orgs(db, user)}
    return _page(request, "jobs.html", {"jobs": jobs, "status": status or "", "org_names": orgs,
                                        "statuses": ("queued", "running", "succeeded", "dead")},
                 "Job queue")  # fmt: skip
