"""The admin page and its forms: users, tokens; every write audited (in revops.app.users)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app import resets, users
from revops.app.api.params import RowId
from revops.app.deps import Csrf, StateDep, TokenOwner, UserAdmin
from revops.app.views.admin import build_admin
from revops.app.web.render import render
from revops.errors import AppError

router = APIRouter(prefix="/admin")


@router.get("")
def admin(request: Request, state: StateDep, principal: TokenOwner) -> HTMLResponse:
    """Users, tokens, audit log; JSON twin /api/v1/admin."""
    return render(request, "admin.html", build_admin(state, principal), principal)


@router.post("/users", dependencies=[Csrf])
def add_user(
    state: StateDep,
    principal: UserAdmin,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=200)],
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a user from the form."""
    users.add_user(state.db, email, role, password, name=name, actor=principal.account.email)
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}/disable", dependencies=[Csrf])
def disable_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> Response:
    """Disable a user."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    if found.id == principal.account.id:
        raise HTTPException(400, "you cannot disable yourself")
    users.set_active(state.db, found.email, False, actor=principal.account.email)
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}/enable", dependencies=[Csrf])
def enable_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> Response:
    """Enable a disabled user again."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    users.set_active(state.db, found.email, True, actor=principal.account.email)
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}/reset", dependencies=[Csrf])
def reset_user(
    request: Request, state: StateDep, principal: UserAdmin, user_id: RowId
) -> HTMLResponse:
    """Make a one-time password-reset link; the page shows it once."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    token = resets.reset_token(
        state.db, found.email, state.sessions.secret, actor=principal.account.email
    )
    link = str(request.base_url).rstrip("/") + resets.reset_link(token)
    view = build_admin(state, principal, reset=(found.email, link))
    return render(request, "admin.html", view, principal)


@router.post("/users/{user_id}/role", dependencies=[Csrf])
def set_role(
    state: StateDep,
    principal: UserAdmin,
    user_id: RowId,
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    """Change a user's role: their sessions end, tokens above the role are revoked."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    if found.id == principal.account.id:
        raise HTTPException(400, "you cannot change your own role")
    users.set_role(state.db, found.email, role, actor=principal.account.email)
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}/unlock", dependencies=[Csrf])
def unlock_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> Response:
    """Lift the lock failed sign-ins put on a user."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    users.unlock(state.db, found.email, actor=principal.account.email)
    return RedirectResponse("/admin", status_code=303)


@router.post("/tokens", dependencies=[Csrf])
def create_token(
    request: Request,
    state: StateDep,
    principal: TokenOwner,
    name: Annotated[str, Form(max_length=100)],
    scope: Annotated[str, Form(max_length=20)] = "read",
) -> HTMLResponse:
    """Create a token for yourself; the page shows its secret once."""
    secret, _ = users.create_token(
        state.db, principal.account.id, name, (scope,), actor=principal.account.email
    )
    return render(request, "admin.html", build_admin(state, principal, secret), principal)


@router.post("/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(state: StateDep, principal: TokenOwner, token_id: RowId) -> Response:
    """Revoke a token of yours (an admin: anyone's)."""
    owner = None if principal.can("manage_users") else principal.account.id
    try:
        users.revoke_token(state.db, token_id, owner_id=owner, actor=principal.account.email)
    except AppError:
        raise HTTPException(404, f"no token {token_id}") from None
    return RedirectResponse("/admin", status_code=303)
