"""Sign-in and sign-out: a signed HttpOnly session cookie kept server-side, CSRF-checked
forms, throttled failures (429 with Retry-After while locked)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app import audit, sessions, users
from revops.app.auth import SESSION_COOKIE, SESSION_MAX_AGE
from revops.app.deps import Csrf, StateDep
from revops.app.throttle import SignInLockedError
from revops.app.web.render import templates

router = APIRouter()
SIGNIN_CSRF_COOKIE = "revops_signin_csrf"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/signin")
def signin_page(request: Request, error: str = "") -> HTMLResponse:
    """The sign-in form; a double-submit CSRF token guards it before any session exists."""
    token = request.cookies.get(SIGNIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = templates().TemplateResponse(
        request,
        "signin.html",
        {"csrf": token, "error": error[:200], "path": "/signin"},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        SIGNIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/signin")
def signin(
    request: Request,
    state: StateDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the password; on success set the session cookie and go to the cockpit."""
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return signin_page(request, "The form expired; please sign in again.")
    try:
        account = users.authenticate(state.db, email, password, client=_client(request))
    except SignInLockedError as locked:
        refused = signin_page(request, str(locked).capitalize() + ".")
        refused.status_code = 429
        refused.headers["Retry-After"] = str(locked.retry_after)
        return refused
    if account is None:
        return signin_page(request, "Wrong e-mail or password, or the account is disabled.")
    started = sessions.start(state.db, account.id, client=_client(request))
    response = RedirectResponse("/", status_code=303)
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
