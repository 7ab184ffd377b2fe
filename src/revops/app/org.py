"""The CRM's people as the forecast process sees them: who a cockpit user is in the CRM
(the CRM user with the same e-mail, as for the row scope) and who reports to whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from revops.metrics.scope import scope_of

if TYPE_CHECKING:
    from revops.metrics import Metrics, Scope


@dataclass(frozen=True)
class CrmUser:
    """A CRM user: canonical id, name, e-mail and manager."""

    user_id: str
    name: str | None
    email: str | None
    manager_id: str | None

    @property
    def label(self) -> str:
        """The name people read (the e-mail, else the id, when there is none)."""
        return self.name or self.email or self.user_id


@dataclass(frozen=True)
class Org:
    """Every CRM user and the manager hierarchy.

    Examples:
        >>> org = Org.of([("m", "Mia", "m@x.io", None), ("a", "Ann", "a@x.io", "m"),
        ...               ("b", "Bo", "b@x.io", "a")])
        >>> [u.user_id for u in org.reports("m")], sorted(org.members("m"))
        (['a'], ['a', 'b', 'm'])
        >>> org.find("A@X.IO").name, org.find("b").name, org.find("nobody")
        ('Ann', 'Bo', None)
    """

    users: dict[str, CrmUser]
    _reports: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[tuple[str, str | None, str | None, str | None]]) -> Org:
        """The org of (user_id, name, email, manager_id) rows."""
        users = {uid: CrmUser(uid, name, email, manager) for uid, name, email, manager in rows}
        reports: dict[str, list[str]] = {}
        for user in sorted(users.values(), key=lambda u: (u.label.casefold(), u.user_id)):
            if user.manager_id is not None and user.manager_id != user.user_id:
                reports.setdefault(user.manager_id, []).append(user.user_id)
        return cls(users, reports)

    def find(self, key: str) -> CrmUser | None:
        """The CRM user with id or e-mail `key` (case-insensitive e-mail)."""
        if key in self.users:
            return self.users[key]
        wanted = key.strip().casefold()
        return next(
            (u for u in self.users.values() if u.email and u.email.casefold() == wanted), None
        )

    def reports(self, user_id: str) -> list[CrmUser]:
        """The direct reports of `user_id`, by name."""
        return [self.users[r] for r in self._reports.get(user_id, [])]

    def members(self, user_id: str) -> set[str]:
        """`user_id` and everyone under them in the hierarchy."""
        found = {user_id}
        frontier = [user_id]
        while frontier:
            for report in self._reports.get(frontier.pop(), []):
                if report not in found:
                    found.add(report)
                    frontier.append(report)
        return found

    def scope(self, user_id: str) -> Scope:
        """The rows of `user_id`'s call: their own, a manager's the whole team's (the
        same scope the cockpit gives that person, :meth:`revops.metrics.Metrics.scope_for`)."""
        from revops.metrics import Scope

        user = self.users[user_id]
        team = bool(self._reports.get(user_id))
        if user.email:
            rows = [(u.user_id, u.email, u.manager_id) for u in self.users.values()]
            found = scope_of(rows, user.email, team=team)
            if found is not None and (found.owners or frozenset()) >= {user_id}:
                return found
        return Scope(frozenset(self.members(user_id) if team else {user_id}), user.label)


def load_org(metrics: Metrics) -> Org:
    """The org of the warehouse's CRM users."""
    return Org.of(metrics.crm_users())
