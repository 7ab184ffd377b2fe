"""The row scope of a cockpit user by e-mail, for deliveries and alerts: the same rows the
cockpit's pages and API show that user (:data:`revops.app.access.ROW_SCOPE`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from revops.app.access import ROW_SCOPE, Role
from revops.metrics.scope import Scope

if TYPE_CHECKING:
    from revops.app.db import AppDatabase
    from revops.metrics import Metrics


def role_scope(metrics: Metrics, email: str, role: Role) -> Scope:
    """The rows a user of `role` reads: every row, or the CRM user with the same e-mail's
    own (a rep) or team's (a manager); one who is no CRM user sees no rows."""
    kind = ROW_SCOPE[role]
    if kind == "all":
        return Scope.everything()
    found = metrics.scope_for(email, team=kind == "team")
    return found or Scope(frozenset(), f"no CRM user {email}")


def user_role(db: AppDatabase, email: str) -> Role | None:
    """The role of the active cockpit user with `email`, or None."""
    from sqlalchemy import func, select

    from revops.app.models import User
    from revops.app.users import account_of

    with db.session() as session:
        user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None or not user.is_active:
            return None
        return account_of(user).role


def scope_resolver(db: AppDatabase, metrics: Metrics) -> Callable[[str], Scope | None]:
    """For `ws.automate.deliver`: a cockpit user's row scope by e-mail (None: no active
    user)."""

    def scope_of(email: str) -> Scope | None:
        role = user_role(db, email)
        return None if role is None else role_scope(metrics, email, role)

    return scope_of
