"""Sign-in, sign-out and the start page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from fabnet.errors import AuthenticationError
from fabnet.web import sessions
from fabnet.web.deps import CurrentUser
from fabnet.web.render import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) to go to after signing in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/signin", name="signin")
def signin_form(request: Request, next: str = "/") -> Response:
    if sessions.current_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "signin.html", {"next": _safe_next(next)}, title="Sign in")


@router.post("/signin")
def signin(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Enter the email address you were registered with."
    if not password:
        errors["password"] = "Enter your password."
    if not errors:
        response = RedirectResponse(_safe_next(next), status_code=303)
        try:
            sessions.sign_in(request, response, email, password)
        except AuthenticationError:
            errors["password"] = "The email or the password is wrong; check both and try again."
        else:
            return response
    return render(
        request,
        "signin.html",
        {"next": _safe_next(next), "email": email, "errors": errors},
        status_code=422,
        title="Sign in",
    )


@router.post("/signout")
def signout(request: Request) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    sessions.sign_out(request, response)
    return response


@router.get("/", name="home")
def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "home.html", {}, title="Start")
