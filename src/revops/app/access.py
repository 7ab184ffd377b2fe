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
    "view_jobs",  # the jobs the app ran or runs (ingest, quality, identity, backtest)
    "ingest",  # upload a source file and load it into the warehouse (a job)
    "run_quality",  # score every quality rule and store the run (a job)
    "run_identity",  # resolve identities and store the crosswalk (a job)
    "run_backtest",  # backtest the forecast methods and store the figures (a job)
    "request_desk",  # ask the RevOps desk, read and rate one's own requests
    "manage_desk",  # the whole desk queue: triage, move, import; the audits
    "annotate",  # add and remove dated notes on metrics and pages
]
PERMISSIONS_ALL: tuple[Permission, ...] = get_args(Permission)

RowScope = Literal["all", "team", "own"]
"""Rows a role reads: every row, the manager hierarchy's rows, or the user's own rows."""

_EVERYONE: tuple[Permission, ...] = (
    "view_cockpit",
    "view_rows",
    "export",
    "own_tokens",
    "request_desk",
)
_JOBS: tuple[Permission, ...] = (
    "view_jobs",
    "ingest",
    "run_quality",
    "run_identity",
    "run_backtest",
)

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(PERMISSIONS_ALL),
    "revops": frozenset(
        (*_EVERYONE, "view_audit", "review_identity", "manage_desk", "annotate", *_JOBS)
    ),
    "executive": frozenset((*_EVERYONE, "submit_forecast", "annotate")),
    "manager": frozenset((*_EVERYONE, "submit_forecast", "annotate")),
    "rep": frozenset((*_EVERYONE, "submit_forecast")),
    "marketing": frozenset((*_EVERYONE, "annotate")),
    "success": frozenset((*_EVERYONE, "annotate")),
    "finance": frozenset((*_EVERYONE, "annotate")),
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

LEADS_ROLES: frozenset[Role] = frozenset(
    ("admin", "revops", "executive", "manager", "rep", "marketing")
)
"""Roles that see the lead queue, its scores and qualification (marketing and sales), on
top of `view_cockpit`; within their row scope (a rep their own leads)."""

COMP_ROLES: frozenset[Role] = frozenset(
    ("admin", "revops", "executive", "finance", "manager", "rep")
)
"""Roles that see commission statements, on top of `view_cockpit`: within their row scope
(a rep their own statements, a manager their team's, finance and RevOps everyone's)."""

COACHING_ROLES: frozenset[Role] = frozenset(("admin", "revops", "executive", "manager", "rep"))
"""Roles that see the coaching page (reps against team benchmarks, sales plays), on top
of `view_cockpit`: managers their reps, executives and RevOps every rep, a rep their own
rows against their team's benchmark."""

COMP_RESOLVERS: frozenset[Role] = frozenset(("admin", "revops", "finance"))
"""Roles that resolve commission disputes, and see the plans page: every plan's versions
and what a plan change would cost across the team."""

COMP_PLANNERS: frozenset[Role] = frozenset(("admin", "revops"))
"""Roles that apply a plan change (a new version of a plan) and revert one."""

TOKEN_SCOPES: dict[str, frozenset[Permission]] = {
    "read": frozenset(("view_cockpit", "view_rows")),
    "export": frozenset(("view_cockpit", "view_rows", "export")),
    "forecast": frozenset(("view_cockpit", "view_rows", "submit_forecast")),
    "jobs": frozenset(("view_cockpit", "view_rows", *_JOBS)),
    "desk": frozenset(("view_cockpit", "view_rows", "request_desk")),
    "desk_admin": frozenset(("view_cockpit", "view_rows", "request_desk", "manage_desk")),
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
        ('read', 'export', 'forecast', 'desk')
        >>> token_scopes_for("finance")
        ('read', 'export', 'desk')
        >>> token_scopes_for("revops")
        ('read', 'export', 'jobs', 'desk', 'desk_admin')
        >>> token_scopes_for("admin")
        ('read', 'export', 'forecast', 'jobs', 'desk', 'desk_admin', 'admin')
    """
    return tuple(s for s, needs in TOKEN_SCOPES.items() if needs <= PERMISSIONS[role])


PACK_ROLES: frozenset[Role] = frozenset(("admin", "revops", "executive", "finance"))
"""Roles that get the revenue meeting pack: it reports the whole company (every team's
numbers, every rep's deals), so only roles that read every row and run the revenue
meetings; marketing and success read their own areas in the cockpit."""


TERRITORY_ROLES: frozenset[Role] = frozenset(("admin", "revops", "executive"))
"""Roles that see territory design: every rep's book of the company (row scope `all`)."""

TERRITORY_PLANNERS: frozenset[Role] = frozenset(("admin", "revops"))
"""Roles that run a territory design (it solves for up to its time limit)."""
