"""The row scope of a cockpit user by e-mail, for deliveries and alerts: the same rows the
cockpit's pages and API show that user (:data:`revops.app.access.ROW_SCOPE`); and the
meeting pack a subscription delivers, for the roles the cockpit gives it to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from revops.app.access import PACK_ROLES, ROW_SCOPE, Role
from revops.metrics.scope import Scope

if TYPE_CHECKING:
    from datetime import datetime

    from revops.app.db import AppDatabase
    from revops.automate.deliveries import PackMail, PackMaker
    from revops.automate.workflow import Subscription
    from revops.metrics import Metrics
    from revops.workspace import Workspace


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


def pack_maker(workspace: Workspace, db: AppDatabase) -> PackMaker:
    """For `ws.automate.deliver`: the meeting pack of a subscription's template, for its
    period (default the quarter holding the day) as of the delivery's day, with the
    people's calls of the app database; refused to a role not in :data:`PACK_ROLES`, as
    the cockpit refuses it."""
    from urllib.parse import urlencode

    from revops.app.calls import pack_calls
    from revops.app.org import load_org
    from revops.automate.deliveries import PackMail
    from revops.errors import AutomateError

    def make(subscription: Subscription, moment: datetime) -> PackMail:
        assert subscription.pack is not None
        role = user_role(db, subscription.user)
        if role is None:
            raise AutomateError(f"no active cockpit user {subscription.user}")
        if role not in PACK_ROLES:
            allowed = ", ".join(sorted(PACK_ROLES))
            raise AutomateError(
                f"{subscription.user} is a {role} user: the meeting pack reports the whole "
                f"company and goes to {allowed}"
            )
        day = moment.date()
        label = workspace.metrics.window(subscription.window, day).label
        calls = pack_calls(db, load_org(workspace.metrics), label, day)
        document = workspace.pack.build(label, as_of=day, template=subscription.pack, calls=calls)
        query = {"period": label, "as_of": day.isoformat(), "template": subscription.pack}
        return PackMail(
            window=label,
            subject=f"{document.title}: {label} (data as of {day})",
            summary=document.summary(),
            link=f"{document.base_url.rstrip('/')}/api/v1/pack?{urlencode(query)}&format=html",
            pdf=workspace.pack.pdf(document),
            filename=f"pack-{label}-{subscription.pack}.pdf",
        )

    return make
