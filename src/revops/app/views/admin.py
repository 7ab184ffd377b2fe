"""The admin page: users, API tokens, the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from revops.app import audit, users
from revops.app.access import ROLES, token_scopes_for
from revops.app.views.common import Page, crm_warning, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class UserRow(BaseModel):
    """A user, for the admin table."""

    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: str
    locked_until: str | None = None
    """Until when failed sign-ins lock the account (UTC), if they do."""
    warning: str | None = None
    """Why the user would see no rows (a rep or manager no CRM user matches)."""


class TokenRow(BaseModel):
    """An API token, without its secret."""

    id: int
    user_id: int
    user: str = ""
    """The e-mail of the token's user."""
    name: str
    prefix: str
    scopes: list[str]
    created_at: str
    revoked: bool


class AuditRow(BaseModel):
    """An audit log entry."""

    at: str
    actor: str
    action: str
    target: str
    detail: str


class AdminView(Page):
    """The admin page; each part is empty when the viewer may not see it."""

    users: list[UserRow]
    tokens: list[TokenRow]
    audit: list[AuditRow]
    roles: list[str]
    token_scopes: list[str]
    new_token: str | None = None
    reset_link: str | None = None
    """A one-time password-reset link just made (shown once)."""
    reset_for: str | None = None


def build_admin(
    state: AppState,
    principal: Principal,
    new_token: str | None = None,
    reset: tuple[str, str] | None = None,
) -> AdminView:
    """Users (admins), every token (admins) or one's own, the audit log (auditors)."""
    admin = principal.can("manage_users")
    people = users.list_users(state.db) if admin else []
    locked = users.locked_until(state.db) if admin else {}
    emails = {u.id: u.email for u in people} or {principal.account.id: principal.account.email}
    tokens = users.list_tokens(state.db, None if admin else principal.account.id)
    log = audit.recent(state.db) if principal.can("view_audit") else []
    return AdminView(
        **page(state, principal),
        users=[
            UserRow(id=u.id, email=u.email, name=u.name, role=u.role, is_active=u.is_active,
                    created_at=u.created_at.isoformat(timespec="seconds"),
                    locked_until=locked[u.email].isoformat(timespec="seconds")
                    if u.email in locked else None,
                    warning=crm_warning(state, u.email, u.role) if u.is_active else None)
            for u in people
        ],
        tokens=[
            TokenRow(id=t.id, user_id=t.user_id, user=emails.get(t.user_id, ""), name=t.name,
                     prefix=t.prefix,
                     scopes=list(t.scopes), created_at=t.created_at.isoformat(timespec="seconds"),
                     revoked=t.revoked_at is not None)
            for t in tokens
        ],
        audit=[
            AuditRow(at=e.at.isoformat(timespec="seconds"), actor=e.actor, action=e.action,
                     target=e.target, detail=e.detail)
            for e in log
        ],
        roles=list(ROLES),
        token_scopes=list(token_scopes_for(principal.account.role)),
        new_token=new_token,
        reset_for=reset[0] if reset else None,
        reset_link=reset[1] if reset else None,
    )  # fmt: skip
