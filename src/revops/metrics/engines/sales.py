"""Engine sources of sales metrics: opportunities with the facts their metrics need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.deal_state import opportunities_at, stage_category
from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)
SECONDS_PER_DAY = 86_400


@engine(
    "deal",
    "An opportunity (in reporting currency) as it stood at the end of the as-of day: stage, "
    "amount, close date, owner, is_won, is_closed and closed_at from its opportunity history "
    "version then (its own row for a deal without one; a deal created later is not there), "
    "with derived facts: cycle_days from creation to close, is_marketing_sourced, and "
    "stage_category (open, won or lost per the workspace stages).",
    (*_OPPORTUNITY, "cycle_days", "is_marketing_sourced", "stage_category"),
    windowed=False,
)
def deals(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities as of the day, with cycle length, marketing-sourced flag and stage
    category."""
    import ibis

    table = opportunities_at(ctx, ctx.as_of)
    seconds = table.closed_at.epoch_seconds() - table.created_at.epoch_seconds()
    sourced_by = table.sourced_by.lower()
    marketing = ibis.ifelse(
        sourced_by.notnull(),
        sourced_by == "marketing",
        table.lead_source.isin(list(ctx.settings.marketing_lead_sources)),
    )
    category = stage_category(table.stage, ctx.config.opportunity_stages)
    return table.mutate(
        cycle_days=(seconds / SECONDS_PER_DAY).cast("float64"),
        is_marketing_sourced=marketing.fill_null(False),
        stage_category=category,
    )


def _days_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    return later.delta(earlier, unit="day")


@engine(
    "quota_share",
    "One row per quota overlapping the window: its holder (user_id, team_id) and "
    "amount_in_window, the part of its amount for the days of its period inside the window.",
    ("quota_id", "user_id", "team_id", "period_start_date", "period_end_date", "amount",
     "amount_in_window"),
    windowed=True,
)  # fmt: skip
def quota_shares(ctx: SourceContext, period: Period) -> ir.Table:
    """Quotas prorated to the window (a quarterly quota is a third per month); the quota
    plan in effect on the as-of day replaces the imported quotas it covers."""
    import ibis

    from revops.metrics.compile import moment
    from revops.metrics.quotas import quotas_known

    quotas = ctx.memo(
        "quotas_known",
        lambda: ctx.in_reporting_currency("quota", quotas_known(ctx), key="quotas_known"),
    )
    first = moment(quotas, "period_start_date", period.start)
    last = moment(quotas, "period_end_date", period.last_day)
    quotas = quotas.filter((quotas.period_start_date <= last) & (quotas.period_end_date >= first))
    overlap_start = ibis.greatest(quotas.period_start_date, first)
    overlap_end = ibis.least(quotas.period_end_date, last)
    overlap = _days_between(overlap_end, overlap_start) + 1
    length = _days_between(quotas.period_end_date, quotas.period_start_date) + 1
    share = overlap.cast("float64") / length.cast("float64")
    return quotas.select(
        "quota_id",
        "user_id",
        "team_id",
        "period_start_date",
        "period_end_date",
        "amount",
        amount_in_window=(quotas.amount.cast("float64") * share),
    )


@engine(
    "rep_attainment",
    "One row per quota holder of the window: quota (prorated to the window), bookings "
    "(amount of opportunities they own won in the window, as the deals stood at the end of "
    "the as-of day) and is_at_quota (bookings >= quota).",
    ("user_id", "quota", "bookings", "is_at_quota"),
    windowed=True,
)
def rep_attainment(ctx: SourceContext, period: Period) -> ir.Table:
    """Each quota holder's bookings against quota in the window."""
    from revops.metrics.compile import in_window, known_part

    shares = quota_shares(ctx, period)
    shares = shares.filter(shares.user_id.notnull())
    users = ctx.keyed("user").select(user_alias="lookup_key", holder="user_id")
    owned = shares.left_join(users, shares.user_id == users.user_alias)
    owned = owned.mutate(holder=owned.holder.fill_null(owned.user_id))
    quotas = owned.group_by("holder").aggregate(quota=owned.amount_in_window.sum())
    deals = opportunities_at(ctx, ctx.as_of)
    won = deals.filter(deals.is_won & in_window(deals, "closed_at", known_part(ctx, period)))
    won = won.left_join(users, won.owner_id == users.user_alias)
    won = won.mutate(holder=won.holder.fill_null(won.owner_id))
    booked = won.group_by(booker="holder").aggregate(bookings=won.amount.sum())
    joined = quotas.left_join(booked, quotas.holder == booked.booker)
    bookings = joined.bookings.cast("float64").fill_null(0.0)
    return joined.select(
        user_id=joined.holder,
        quota=joined.quota,
        bookings=bookings,
        is_at_quota=bookings >= joined.quota,
    )


@engine(
    "rep_capacity",
    "One row per AE employed in the window: fte, the share of the window they were "
    "employed times their ramp (months since hire / ramp_months, at most 1; fully ramped "
    "without ramp_months).",
    ("user_id", "team_id", "fte"),
    windowed=True,
)
def rep_capacity(ctx: SourceContext, period: Period) -> ir.Table:
    """Ramp-adjusted full-time equivalents of the sales reps in the window."""
    import ibis

    from revops.metrics.compile import moment

    users = ctx.raw("user")
    first = moment(users, "hire_date", period.start)
    last = moment(users, "hire_date", period.last_day)
    reps = users.filter(
        (users.role == "AE")
        & (users.hire_date.isnull() | (users.hire_date <= last))
        & (users.termination_date.isnull() | (users.termination_date >= first))
    )
    start = ibis.greatest(reps.hire_date.fill_null(first), first)
    end = ibis.least(reps.termination_date.fill_null(last), last)
    employed = (_days_between(end, start) + 1).cast("float64") / period.days
    tenure_months = _days_between(last, reps.hire_date.fill_null(first)).cast("float64") / 30.4375
    ramp = ibis.cases(
        (reps.ramp_months.isnull() | (reps.ramp_months <= 0), 1.0),
        else_=ibis.least(1.0, tenure_months / reps.ramp_months.cast("float64")),
    )
    return reps.select("user_id", "team_id", fte=employed * ramp)


@engine(
    "deal_activity",
    "An opportunity as it stood at the end of the as-of day (as `deal`) with "
    "sales_activities: the calls, emails, meetings and demos logged on it.",
    (*_OPPORTUNITY, "sales_activities"),
    windowed=False,
)
def deal_activities(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities with the count of sales touches on them."""
    activities = ctx.table("activity")
    touches = activities.filter(
        activities.type.isin(["call", "email", "meeting", "demo"])
        & activities.opportunity_id.notnull()
    )
    counts = touches.group_by(touched="opportunity_id").aggregate(sales_activities=touches.count())
    deals = opportunities_at(ctx, ctx.as_of)
    joined = deals.left_join(counts, deals.opportunity_id == counts.touched)
    return joined.mutate(sales_activities=joined.sales_activities.fill_null(0)).drop("touched")
