"""Accepting an invitation to the platform (``/invitations/{token}``, no sign-in needed): a
facility's contact whom a platform admin invited creates its manufacturer organisation and its
first user, the facility is linked to the organisation, and the new user is signed in on the
facility's editor. A used,
withdrawn or expired link says so (410); an unknown one is not found."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.errors import ConflictError, FabnetError, InputError
from fabnet.web import services, sessions
from fabnet.web.deps import Db
from fabnet.web.render import render

router = APIRouter()

FIELDS = ("org_name", "display_name", "password", "password_again")


def _closed(request: Request, error: ConflictError) -> Response:
    return render(request, "invitations/closed.html", {"error": error},
                  title="Invitation closed", status_code=410)  # fmt: skip


def _form(
    request: Request,
    invitation: Any,
    token: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    defaults = {"org_name": invitation.facility_name, "display_name": invitation.contact_name or ""}
    context = {"invitation": invitation, "token": token, "form": form or defaults,
               "errors": errors or {}}  # fmt: skip
    return render(request, "invitations/accept.html", context,
                  title=f"Join fabnet: {invitation.facility_name}",
                  status_code=status_code)  # fmt: skip


@router.get("/invitations/{token}")
def invitation_page(request: Request, token: str, db: Db) -> Response:
    try:
        invitation = services.invitation_by_token(db, token)
    except ConflictError as error:
        return _closed(request, error)
    return _form(request, invitation, token)


@router.post("/invitations/{token}")
async def accept(request: Request, token: str, db: Db) -> Response:
    try:
        invitation = services.invitation_by_token(db, token)
    except ConflictError as error:
        return _closed(request, error)
    raw = await request.form()
    values = {k: str(raw.get(k) or "") for k in FIELDS}
    shown = {k: v for k, v in values.items() if not k.startswith("password")}
    try:
        if values["password"] != values["password_again"]:
            raise InputError("the two passwords differ; type the same one twice",
                             field="password_again")  # fmt: skip
        done = services.accept_facility_invitation(
            db, token, org_name=values["org_name"], display_name=values["display_name"],
            password=values["password"], settings=sessions.settings_of(request),
        )  # fmt: skip
    except ConflictError as error:
        return _closed(request, error)
    except FabnetError as error:
        if error.http_status not in (413, 422):
            raise
        field = str(getattr(error, "field", None) or "")
        message = error.message + (f" ({error.hint})" if error.hint else "")
        errors = {field if field in FIELDS else "form": message}
        return _form(request, invitation, token, form=shown, errors=errors, status_code=422)
    # The new manufacturer describes its facility next (equipment, rate card).
    response = RedirectResponse(f"/facilities/{done.facility_id}/edit", status_code=303)
    sessions.sign_in(request, response, done.user.email, values["password"])
    return response
