"""Whether a rep can take a lead on a day, and with what weight in a pool."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from revops.routing.directory import Directory, User
from revops.routing.rules import Rep, RoutingFile


@dataclass(frozen=True)
class Status:
    """A rep's availability on one day: `reason` is None when available."""

    reason: str | None
    weight_factor: float


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Availability:
    """Inactive, not yet hired, out of office, ramping: read from the org model and the file."""

    def __init__(self, routing: RoutingFile, directory: Directory) -> None:
        self.routing = routing
        self.directory = directory
        self.settings: dict[str, Rep] = {}
        for rep in routing.reps:
            found = directory.find(rep.rep)
            if found is not None:
                self.settings[found.user_id] = rep

    def capacity(self, user_id: str) -> int | None:
        """Most open leads the rep holds, or None for no cap."""
        rep = self.settings.get(user_id)
        if rep is not None and rep.capacity is not None:
            return rep.capacity
        return self.routing.capacity

    def status(self, user: User, day: date) -> Status:
        """Why `user` cannot take a lead on `day` (None if they can), and their weight factor."""
        if user.termination_date is not None and user.termination_date < day:
            return Status(f"left on {user.termination_date}", 0)
        if not user.is_active and user.termination_date is None:
            return Status("inactive", 0)
        if user.hire_date is not None and user.hire_date > day:
            return Status(f"starts on {user.hire_date}", 0)
        rep = self.settings.get(user.user_id)
        for absence in rep.out_of_office if rep else ():
            if absence.start <= day <= absence.end:
                return Status(f"out of office {absence.start}..{absence.end}", 0)
        until = rep.ramping_until if rep else None
        if until is None and user.hire_date is not None and user.ramp_months:
            until = _add_months(user.hire_date, user.ramp_months) - timedelta(days=1)
        if until is not None and day <= until:
            return Status(None, self.routing.ramp_weight)
        return Status(None, 1.0)
