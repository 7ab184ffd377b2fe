"""Sign-ins for the demo company: an admin, and a manager and a rep who are CRM users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from revops.app import users
from revops.app.auth import new_password
from revops.app.db import AppDatabase

if TYPE_CHECKING:
    from revops.workspace import Workspace

ADMIN_EMAIL = "admin@revops-demo.com"


@dataclass(frozen=True)
class DemoSignIn:
    """A user created for the demo, with the password shown once."""

    email: str
    role: str
    password: str
    sees: str


def create_demo_users(ws: Workspace) -> list[DemoSignIn]:
    """Create the admin, and (when the warehouse has them) the AE with the most
    opportunities as a rep and that AE's manager as a manager. Users already in the app
    database are left as they are (and not listed: their passwords were shown before)."""
    db = AppDatabase(ws.config.app_database.url, ws.root)
    try:
        db.migrate()
        taken = {u.email for u in users.list_users(db)}
        wanted = [(ADMIN_EMAIL, "admin", "Admin", "every row")]
        wanted += _crm_people(ws)
        created = []
        for email, role, name, sees in wanted:
            if email in taken:
                continue
            password = new_password()
            users.add_user(db, email, role, password, name=name, actor="revops demo")
            created.append(DemoSignIn(email, role, password, sees))
        return created
    finally:
        db.close()


def _crm_people(ws: Workspace) -> list[tuple[str, str, str, str]]:
    ctx = ws.metrics.context()
    people = ctx.raw("user")
    deals = ctx.raw("opportunity")
    counts = deals.group_by(owner=deals.owner_id).aggregate(deals=deals.count())
    reps = people.filter(people.role == "AE").join(counts, people.user_id == counts.owner)
    top = reps.order_by([reps.deals.desc(), reps.email]).limit(1).execute()
    if top.empty:
        return []
    rep = top.iloc[0]
    found = [(str(rep.email).lower(), "rep", str(rep["name"]), "own opportunities and accounts")]
    managers = people.filter(people.user_id == str(rep.manager_id)).execute()
    if not managers.empty and managers.iloc[0].email:
        boss = managers.iloc[0]
        found.append((str(boss.email).lower(), "manager", str(boss["name"]), "the team's rows"))
    return found
