"""What quota and capacity plans read in the warehouse as of a day: the reps of the quota
roles (the org model, a few hundred rows), bookings per rep and calendar month (summed in
the warehouse), the open pipeline closing in the plan's year, and the current quotas.

Deals are read as they stood at the end of the as-of day (a deal won later, or a user
created later, is not there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.core import Period
    from revops.metrics import SourceContext


@dataclass(frozen=True)
class Person:
    """A CRM user of a quota role, with the names a person reads."""

    user_id: str
    name: str
    team_id: str | None
    team: str | None
    manager_id: str | None
    manager: str | None
    hire_date: date | None
    termination_date: date | None
    is_active: bool

    def employed_on(self, day: date) -> bool:
        """Hired by `day` (or no hire date) and not gone before it."""
        if self.hire_date is not None and self.hire_date > day:
            return False
        if self.termination_date is not None:
            return self.termination_date >= day
        return self.is_active


def read_people(ctx: SourceContext, roles: tuple[str, ...]) -> list[Person]:
    """Every user of `roles` known on the as-of day (employed or not), names beside ids."""
    users = ctx.raw("user", scoped=False)
    teams = ctx.raw("team", scoped=False).select(_team_id="team_id", _team="name")
    bosses = users.select(_boss_id="user_id", _boss="name")
    wanted = [r.casefold() for r in roles]
    mine = users.filter(users.role.lower().isin(wanted))
    joined = mine.left_join(teams, mine.team_id == teams._team_id)
    joined = joined.left_join(bosses, joined.manager_id == bosses._boss_id)
    rows = joined.select(
        "user_id", "name", "team_id", "manager_id", "hire_date", "termination_date", "is_active",
        team="_team", manager="_boss",
    ).order_by("user_id").to_pyarrow().to_pylist()  # fmt: skip
    return [
        Person(r["user_id"], r["name"] or r["user_id"], r["team_id"], r["team"],
               r["manager_id"], r["manager"], r["hire_date"], r["termination_date"],
               r["is_active"] is not False)
        for r in rows
    ]  # fmt: skip


def monthly_bookings(
    ctx: SourceContext, first: date, end: date, opportunity_type: str | None
) -> dict[tuple[str | None, int, int], float]:
    """(owner user_id, calendar year, month) → bookings won in [first, end), in the
    reporting currency, owners resolved through the users' ids and e-mails."""
    from revops.metrics import moment, opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    won = deals.filter(
        deals.is_won
        & (deals.closed_at >= moment(deals, "closed_at", first))
        & (deals.closed_at < moment(deals, "closed_at", end))
    )
    if opportunity_type is not None:
        won = won.filter(won.type == opportunity_type)
    users = ctx.keyed("user").select(_key="lookup_key", _holder="user_id")
    won = won.left_join(users, won.owner_id == users._key)
    won = won.mutate(_owner=won._holder.fill_null(won.owner_id))
    totals = won.group_by(
        owner="_owner", year=won.closed_at.year(), month=won.closed_at.month()
    ).aggregate(amount=won.amount.cast("float64").sum())
    return {
        (r["owner"], int(r["year"]), int(r["month"])): float(r["amount"] or 0.0)
        for r in totals.to_pyarrow().to_pylist()
    }


def open_pipeline(ctx: SourceContext, year: Period) -> float:
    """Amount of the deals open at the end of the as-of day closing in `year`."""
    from revops.metrics import open_stages, pipeline_at

    snap = pipeline_at(ctx, ctx.as_of)
    snap = snap.filter(
        snap.stage.isin(open_stages(ctx))
        & (snap.close_date >= year.start)
        & (snap.close_date < year.end)
    )
    value = snap.amount.cast("float64").sum().execute()
    return float(value or 0.0)


def current_quotas(ctx: SourceContext, year: Period) -> dict[str, float]:
    """user_id → quota of `year` as known on the as-of day (plan in effect or imported),
    in the reporting currency, prorated to the year's days."""
    import ibis

    from revops.metrics import moment, quotas_known

    quotas = ctx.in_reporting_currency("quota", quotas_known(ctx, scoped=False), key="plan")
    first = moment(quotas, "period_start_date", year.start)
    last = moment(quotas, "period_end_date", year.end - timedelta(days=1))
    quotas = quotas.filter(
        quotas.user_id.notnull()
        & (quotas.period_start_date <= last)
        & (quotas.period_end_date >= first)
    )
    overlap = (
        ibis.least(quotas.period_end_date, last).delta(
            ibis.greatest(quotas.period_start_date, first), unit="day"
        )
        + 1
    )
    length = quotas.period_end_date.delta(quotas.period_start_date, unit="day") + 1
    share = overlap.cast("float64") / length.cast("float64")
    totals = quotas.group_by("user_id").aggregate(
        amount=(quotas.amount.cast("float64") * share).sum()
    )
    return {r["user_id"]: float(r["amount"] or 0.0) for r in totals.to_pyarrow().to_pylist()}
