"""Roles and what each may see and do, declared in this one place.

Every route asks :func:`allowed` for a permission; every query gets its row scope from
:data:`ROW_SCOPE` through the metric layer (:mod:`revops.metrics.scope`).
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["admin", "revops", "executive", "manager", "rep", "marketing", "success", "finance"]
ROLES: tuple[Role, ...] = get_args(Role)

Permission = Literal[
    "view_cockpit",  # home, metrics explorer, funnel (values within the row scope)
    "view_rows",  # drill-down rows behind a value
    "export",  # CSV and XLSX downloads
    "manage_users",  # add, disable users; change roles
    "view_audit",  # read the audit log
    "own_tokens",  # create and revoke one's own API tokens
    "review_identity",  # the identity review queue: accept or reject unsure pairs
    "submit_forecast",  # submit one's forecast call (a rep's own, a manager's team roll-up)
]
PERMISSIONS_ALL: tuple[Permission, ...] = get_args(Permission)

RowScope = Literal["all", "team", "own"]
"""Rows a role reads: every row, the manager hierarchy's rows, or the user's own rows."""

_EVERYONE: tuple[Permission, ...] = ("view_cockpit", "view_rows", "export", "own_tokens")

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(PERMISSIONS_ALL),
    "revops": frozenset((*_EVERYONE, "view_audit", "review_identity")),
    "executive": frozenset((*_EVERYONE, "submit_forecast")),
    "manager": frozenset((*_EVERYONE, "submit_forecast")),
    "rep": frozenset((*_EVERYONE, "submit_forecast")),
    "marketing": frozenset(_EVERYONE),
    "success": frozenset(_EVERYONE),
    "finance": frozenset(_EVERYONE),
}

ROW_SCOPE: dict[Role, RowScope] = {
    "admin": "all",
    "revops": "all",
    "executive": "all",
    "manager": "team",
    "rep": "own",
    "marketing": "all",
    "success": "all",
    "finance": "all",
}

TOKEN_SCOPES: dict[str, frozenset[Permission]] = {
    "read": frozenset(("view_cockpit", "view_rows")),
    "export": frozenset(("view_cockpit", "view_rows", "export")),
    "forecast": frozenset(("view_cockpit", "view_rows", "submit_forecast")),
    "admin": frozenset(PERMISSIONS_ALL),
}
"""What an API token may do, at most; a token never exceeds its user's role."""


def allowed(role: Role, permission: Permission, token_scopes: frozenset[str] | None = None) -> bool:
    """Whether `role` (through a token with `token_scopes`, if any) has `permission`.

    Examples:
        >>> allowed("rep", "manage_users")
        False
        >>> allowed("admin", "manage_users", frozenset({"read"}))
        False
    """
    if permission not in PERMISSIONS[role]:
        return False
    if token_scopes is None:
        return True
    return any(permission in TOKEN_SCOPES.get(scope, frozenset()) for scope in token_scopes)


def token_scopes_for(role: Role) -> tuple[str, ...]:
    """The token scopes a user of `role` may be issued: those allowing nothing the role
    may not do. A token above its user's role is refused when made and revoked when the
    user's role changes (:func:`revops.app.users.set_role`).

    Examples:
        >>> token_scopes_for("rep")
        ('read', 'export', 'forecast')
        >>> token_scopes_for("finance")
        ('read', 'export')
        >>> token_scopes_for("admin")
        ('read', 'export', 'forecast', 'admin')
    """
    return tuple(s for s, needs in TOKEN_SCOPES.items() if needs <= PERMISSIONS[role])
