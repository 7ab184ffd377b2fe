"""Sign-in and sign-out: a signed HttpOnly session cookie kept server-side, CSRF-checked
forms, throttled failures (429 with Retry-After while locked)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app import audit, resets, sessions, users
from revops.app.auth import SESSION_COOKIE, SESSION_MAX_AGE
from revops.app.deps import Csrf, StateDep
from revops.app.throttle import SignInLockedError
from revops.app.web.render import templates
from revops.errors import AppError

router = APIRouter()
SIGNIN_CSRF_COOKIE = "revops_signin_csrf"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(target: str | None) -> str:
    r"""`target` when it is a path of this site (``/pipeline?window=…``), else ``/``: an
    absolute URL, ``//host`` or a backslash could send the user to another site.

    Examples:
        >>> safe_next("/pipeline?by=owner"), safe_next("//evil.example"), safe_next("https://x")
        ('/pipeline?by=owner', '/', '/')
        >>> safe_next("/\\evil.example"), safe_next("/signin"), safe_next(None)
        ('/', '/', '/')
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")) or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    if target.split("?")[0] in ("/signin", "/signout", "/reset"):
        return "/"
    return target


def _form(
    request: Request, template: str, context: dict[str, object], error: str, status: int
) -> HTMLResponse:
    """A form guarded by a double-submit CSRF token (no session exists yet)."""
    token = request.cookies.get(SIGNIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = templates().TemplateResponse(
        request,
        template,
        {"csrf": token, "error": error[:200], "path": request.url.path, **context},
        status_code=status if error else 200,
    )
    response.set_cookie(
        SIGNIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.get("/signin")
def signin_page(request: Request, error: str = "", next: str = "/") -> HTMLResponse:
    """The sign-in form; a double-submit CSRF token guards it before any session exists.
    `next` is the page first asked for, opened after signing in (same-site paths only)."""
    return _form(request, "signin.html", {"next": safe_next(next)}, error, 401)


@router.get("/reset")
def reset_page(request: Request, state: StateDep, token: str = "", error: str = "") -> HTMLResponse:
    """The form of a one-time password-reset link: a new password, twice."""
    try:
        account = resets.token_user(state.db, token, state.sessions.secret)
    except AppError as exc:
        return _form(request, "reset.html", {"token": "", "email": ""}, str(exc), 400)
    context: dict[str, object] = {"token": token, "email": account.email}
    return _form(request, "reset.html", context, error, 400)


@router.post("/reset")
def reset(
    request: Request,
    state: StateDep,
    token: Annotated[str, Form(max_length=1000)],
    password: Annotated[str, Form(max_length=200)],
    confirm: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Set the new password; the link stops working. Then sign in with it."""
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return reset_page(request, state, token, "The form expired; please try again.")
    if password != confirm:
        return reset_page(request, state, token, "The two passwords differ.")
    try:
        resets.reset_password(
            state.db, token, password, state.sessions.secret, client=_client(request)
        )
    except AppError as exc:
        return reset_page(request, state, token, str(exc).capitalize() + ".")
    response = RedirectResponse("/signin?reset=1", status_code=303)
    response.delete_cookie(SIGNIN_CSRF_COOKIE)
    return response


@router.post("/signin")
def signin(
    request: Request,
    state: StateDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password; on success set the session cookie and go to the page first
    asked for (`next`, a same-site path) or the cockpit."""
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return signin_page(request, "The form expired; please sign in again.", next)
    try:
        account = users.authenticate(state.db, email, password, client=_client(request))
    except SignInLockedError as locked:
        refused = signin_page(request, str(locked).capitalize() + ".", next)
        refused.status_code = 429
        refused.headers["Retry-After"] = str(locked.retry_after)
        return refused
    if account is None:
        return signin_page(request, "Wrong e-mail or password, or the account is disabled.", next)
    started = sessions.start(state.db, account.id, client=_client(request))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.sessions.issue(started),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(SIGNIN_CSRF_COOKIE)
    return response


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request, state: StateDep) -> Response:
    """End the session on the server (a copy of the cookie stops working) and drop it."""
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        user = sessions.account(state.db, session)
        sessions.end(state.db, session)
        audit.record(state.db, user.email if user else "?", "signout", client=_client(request))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
