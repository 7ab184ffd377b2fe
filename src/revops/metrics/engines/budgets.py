"""Engine source of GTM budget against actual: the fiscal year's run-rate to its end.

Budget and actual of a window are plain aggregates (``budget_line`` and the ``gtm_cost``
metric); what needs code is the year: the actual spend of the fiscal year to the window's
last day (or the as-of day, if earlier), annualised over the fiscal months elapsed, beside
the whole year's budget.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_COLUMNS = (
    "month_start_date",
    "department",
    "category",
    "actual_to_date",
    "elapsed_months",
    "run_rate_amount",
    "year_budget",
    "is_budget",
)


def elapsed_months(year_start: date, day: date) -> int:
    """Fiscal months begun from `year_start` to `day`, the month of `day` included: the
    months whose cost is booked by then (a cost is booked to its month's first day).

    Examples:
        >>> elapsed_months(date(2025, 2, 1), date(2025, 4, 3))
        3
        >>> elapsed_months(date(2025, 2, 1), date(2026, 1, 31))
        12
    """
    return (day.year - year_start.year) * 12 + day.month - year_start.month + 1


@engine(
    "budget_year_end",
    "The fiscal year of the window's last day (or of the as-of day, if earlier): one row per "
    "go-to-market cost line booked from the year's start to that day, with actual_to_date "
    "and run_rate_amount (actual_to_date / elapsed_months x 12: the year's spend at the "
    "pace so far), and one row per budget line of the whole year, with year_budget (is_budget).",
    _COLUMNS,
    windowed=True,
)
def year_end(ctx: SourceContext, period: Period) -> ir.Table:
    """The year's actual cost to date, run-rated to a year, and the year's budget."""
    import ibis

    from revops.metrics.compile import in_window

    day = min(period.last_day, ctx.as_of)
    year = ctx.calendar.period_of(day, "year")
    months = elapsed_months(year.start, day)
    # The cost lines are those the gtm_cost metric sums, over the year to date (the window
    # cut at the as-of day the same way: a month counts once it has begun).
    to_date = ctx.calendar.custom(year.start, day)
    costs = ctx.table("gtm_cost")
    costs = costs.filter(in_window(costs, "month_start_date", to_date))
    actual = costs.amount.cast("float64")
    zero = ibis.literal(0.0, type="float64")
    spent = costs.select(
        "month_start_date",
        "department",
        "category",
        actual_to_date=actual,
        elapsed_months=ibis.literal(months, type="int64"),
        run_rate_amount=actual * 12 / months,
        year_budget=zero,
        is_budget=ibis.literal(False),
    )
    budget = ctx.table("budget_line")
    budget = budget.filter(in_window(budget, "month_start_date", year))
    planned = budget.select(
        "month_start_date",
        "department",
        "category",
        actual_to_date=zero,
        elapsed_months=ibis.literal(months, type="int64"),
        run_rate_amount=zero,
        year_budget=budget.amount.cast("float64"),
        is_budget=ibis.literal(True),
    )
    return spent.union(planned)
