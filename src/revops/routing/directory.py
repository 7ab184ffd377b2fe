"""The reps routing can assign to: users of the org model with their team, by id or email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.warehouse import Warehouse


@dataclass(frozen=True)
class User:
    """One user of the org model, as routing needs it."""

    user_id: str
    name: str
    email: str | None
    team_id: str | None
    team: str | None
    is_active: bool
    hire_date: date | None
    ramp_months: int | None
    termination_date: date | None


class Directory:
    """Users by id and by lower-case email (the org model is small: a few thousand rows)."""

    def __init__(self, users: list[User]) -> None:
        self.users = {u.user_id: u for u in users}
        self._emails = {u.email.casefold(): u for u in users if u.email}

    def find(self, ref: str) -> User | None:
        """The user a rule names by user_id or email, or None."""
        return self.users.get(ref) or self._emails.get(ref.casefold())

    def name(self, user_id: str | None) -> str | None:
        """The user's name, else the id itself (a queue or an unknown owner)."""
        if user_id is None:
            return None
        found = self.users.get(user_id)
        return found.name if found else user_id

    def team(self, user_id: str | None) -> str | None:
        """The name of the user's team."""
        found = self.users.get(user_id) if user_id else None
        return found.team if found else None


def read_directory(warehouse: Warehouse) -> Directory:
    """Every user with its team's name."""
    user = warehouse.table("user")
    team = warehouse.table("team")
    joined = user.left_join(team.select(t_id=team.team_id, t_name=team.name),
                            user.team_id == team.team_id)  # fmt: skip
    frame = joined.select(
        "user_id", "name", "email", "team_id", "is_active", "hire_date", "ramp_months",
        "termination_date", team=joined.t_name,
    ).to_pyarrow().to_pylist()  # fmt: skip
    return Directory(
        [
            User(
                user_id=r["user_id"],
                name=r["name"] or r["user_id"],
                email=r["email"],
                team_id=r["team_id"],
                team=r["team"],
                is_active=r["is_active"] is not False,
                hire_date=r["hire_date"],
                ramp_months=r["ramp_months"],
                termination_date=r["termination_date"],
            )
            for r in frame
        ]
    )
