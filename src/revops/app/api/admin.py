"""Users, API tokens and the audit log; every write is audited."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from revops.app import audit, resets, users
from revops.app.access import Role
from revops.app.api.params import RowId
from revops.app.deps import Auditor, Csrf, StateDep, TokenOwner, UserAdmin
from revops.app.views.admin import AdminView, AuditRow, TokenRow, UserRow, build_admin

router = APIRouter(tags=["admin"])


class NewUser(BaseModel):
    """A user to add."""

    email: str = Field(min_length=3, max_length=320)
    role: Role
    password: str = Field(min_length=8, max_length=200)
    name: str = Field(default="", max_length=200)


class NewToken(BaseModel):
    """A token to create for oneself."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=3)


class CreatedToken(BaseModel):
    """A new token: the secret is shown this once."""

    token: str
    info: TokenRow


@router.get("/admin")
def admin(state: StateDep, principal: TokenOwner) -> AdminView:
    """The admin page's view model (the page `/admin`)."""
    return build_admin(state, principal)


@router.get("/users")
def list_users(state: StateDep, principal: UserAdmin) -> list[UserRow]:
    """Every user."""
    return build_admin(state, principal).users


@router.post("/users", status_code=201, dependencies=[Csrf])
def add_user(state: StateDep, principal: UserAdmin, body: NewUser, request: Request) -> UserRow:
    """Add a user."""
    account = users.add_user(
        state.db, body.email, body.role, body.password, name=body.name,
        actor=principal.account.email,
    )  # fmt: skip
    return UserRow(
        id=account.id, email=account.email, name=account.name, role=account.role,
        is_active=account.is_active, created_at=account.created_at.isoformat(timespec="seconds"),
    )  # fmt: skip


@router.post("/users/{user_id}/disable", dependencies=[Csrf])
def disable_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> UserRow:
    """Disable a user: their sessions and tokens stop working."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    if found.id == principal.account.id:
        raise HTTPException(400, "you cannot disable yourself")
    account = users.set_active(state.db, found.email, False, actor=principal.account.email)
    return UserRow(
        id=account.id, email=account.email, name=account.name, role=account.role,
        is_active=account.is_active, created_at=account.created_at.isoformat(timespec="seconds"),
    )  # fmt: skip


@router.post("/users/{user_id}/enable", dependencies=[Csrf])
def enable_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> UserRow:
    """Enable a disabled user again: they can sign in (their old sessions stay ended)."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    return _row(users.set_active(state.db, found.email, True, actor=principal.account.email))


class ResetLink(BaseModel):
    """A one-time password-reset link: give it to the user; it works once."""

    email: str
    link: str = Field(description="Same-site path of the reset form, with its token.")
    expires_in: int = Field(description="Seconds the link works.")


@router.post("/users/{user_id}/reset", dependencies=[Csrf])
def reset_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> ResetLink:
    """Make a one-time password-reset link for a user (audited as `user.reset_link`)."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    token = resets.reset_token(
        state.db, found.email, state.sessions.secret, actor=principal.account.email
    )
    return ResetLink(
        email=found.email, link=resets.reset_link(token), expires_in=resets.RESET_MAX_AGE
    )


class RoleChange(BaseModel):
    """A user's new role."""

    role: Role


@router.post("/users/{user_id}/role", dependencies=[Csrf])
def set_role(state: StateDep, principal: UserAdmin, user_id: RowId, body: RoleChange) -> UserRow:
    """Change a user's role: their sessions end and their tokens above the new role are
    revoked (audited)."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    if found.id == principal.account.id:
        raise HTTPException(400, "you cannot change your own role")
    return _row(users.set_role(state.db, found.email, body.role, actor=principal.account.email))


@router.post("/users/{user_id}/unlock", dependencies=[Csrf])
def unlock_user(state: StateDep, principal: UserAdmin, user_id: RowId) -> UserRow:
    """Lift the lock that failed sign-ins put on a user."""
    found = users.get_user(state.db, user_id)
    if found is None:
        raise HTTPException(404, f"no user {user_id}")
    users.unlock(state.db, found.email, actor=principal.account.email)
    return _row(found)


def _row(account: users.Account) -> UserRow:
    return UserRow(
        id=account.id, email=account.email, name=account.name, role=account.role,
        is_active=account.is_active, created_at=account.created_at.isoformat(timespec="seconds"),
    )  # fmt: skip


@router.get("/tokens")
def list_tokens(state: StateDep, principal: TokenOwner) -> list[TokenRow]:
    """Your API tokens (an admin sees every user's)."""
    return build_admin(state, principal).tokens


@router.post("/tokens", status_code=201, dependencies=[Csrf])
def create_token(state: StateDep, principal: TokenOwner, body: NewToken) -> CreatedToken:
    """Create an API token for yourself; its scopes cap what it may do."""
    secret, info = users.create_token(
        state.db, principal.account.id, body.name, tuple(body.scopes),
        actor=principal.account.email,
    )  # fmt: skip
    row = TokenRow(
        id=info.id, user_id=info.user_id, name=info.name, prefix=info.prefix,
        scopes=list(info.scopes), created_at=info.created_at.isoformat(timespec="seconds"),
        revoked=False,
    )  # fmt: skip
    return CreatedToken(token=secret, info=row)


@router.delete("/tokens/{token_id}", status_code=204, dependencies=[Csrf])
def revoke_token(state: StateDep, principal: TokenOwner, token_id: RowId) -> None:
    """Revoke one of your tokens (an admin: anyone's)."""
    owner = None if principal.can("manage_users") else principal.account.id
    from revops.errors import AppError

    try:
        users.revoke_token(state.db, token_id, owner_id=owner, actor=principal.account.email)
    except AppError:
        raise HTTPException(404, f"no token {token_id}") from None


@router.get("/audit")
def audit_log(state: StateDep, _principal: Auditor) -> list[AuditRow]:
    """The audit log, newest first."""
    return [
        AuditRow(at=e.at.isoformat(timespec="seconds"), actor=e.actor, action=e.action,
                 target=e.target, detail=e.detail)
        for e in audit.recent(state.db)
    ]  # fmt: skip
