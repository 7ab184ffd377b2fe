"""Cohort retention as catalog values: each company's start month, months since then and
its MRR at the end of its start month and at the last month end of the window, so a
metric reads one cell of the cohort table (`revops success cohorts`) and slices it by the
catalog's account dimensions.

The definitions are :mod:`revops.metrics.engines.cohorts`'s: a company (golden account)
starts in the month its first paid span starts (UTC); month t of its cohort ends at the
end of the t-th month after that one; a company that lapsed and came back pays again,
and counts again, as in the cohort table's retention curves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from revops.metrics.engines.cohorts import (
    company_spans,
    last_complete,
    lifetimes,
    period_index,
    period_start,
)
from revops.metrics.engines.customers import on_account_records
from revops.metrics.sources import engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics.sources import SourceContext

COLUMNS = ("account_id", "golden_account_id", "cohort_month", "months_since_start",
           "start_mrr", "end_mrr", "is_paying")  # fmt: skip


@engine(
    "cohort_retention",
    "One row per company (golden account) whose first paid month has ended by the last "
    "month end on or before the window's end (or the as-of day): cohort_month (the first "
    "day of its start month), months_since_start (months from the end of its start month "
    "to that month end: 0 for the month that just ended), start_mrr (its MRR at the end "
    "of its start month), end_mrr (its MRR at that last month end) and is_paying "
    "(end_mrr above 0; a company that lapsed and came back pays again). account_id is one "
    "of the company's account records. A metric filtering months_since_start == 12 is "
    "month 12 of the cohort table of `revops success cohorts`.",
    COLUMNS,
    windowed=True,
)
def cohort_retention(ctx: SourceContext, period: Period) -> ir.Table:
    """Each company's cohort month and its MRR at the start and at the window's end."""
    import ibis
    import pandas as pd

    day = min(period.last_day, ctx.as_of)
    last = last_complete(day, "month")
    # Everything is read as of the last month end: a later start or cancellation is
    # not seen, whatever the window's end day.
    cut = period_start(last + 1, "month") - timedelta(days=1)
    starts = lifetimes(ctx, cut, "month").select(_company="company_id", _cohort="cohort")
    starts = starts.filter(starts._cohort <= last)
    spans = company_spans(ctx, cut)
    first = spans.starts_at.min().to_pyarrow().as_py()
    begin = last if first is None else period_index(first.astimezone(UTC).date(), "month")
    months = list(range(begin, last + 1))
    edges = pd.DataFrame(
        {
            "_j": months,
            "_month": [period_start(j, "month") for j in months],
            "_edge": [_instant(period_start(j + 1, "month")) for j in months],
        }
    )
    calendar = ibis.memtable(
        edges, schema={"_j": "int64", "_month": "date", "_edge": "timestamp('UTC')"}
    )
    base = starts.join(calendar, starts._cohort == calendar._j)
    opening = base.join(spans, base._company == spans.company_id)
    opening = opening.filter(
        (opening.starts_at < opening._edge) & (opening.ends_at >= opening._edge)
    )
    opening = opening.group_by(_opening="_company").aggregate(_start_mrr=opening.mrr.sum())
    end_edge = ibis.literal(_instant(period_start(last + 1, "month")), type="timestamp('UTC')")
    live = spans.filter((spans.starts_at < end_edge) & (spans.ends_at >= end_edge))
    closing = live.group_by(_closing="company_id").aggregate(_end_mrr=live.mrr.sum())
    rows = base.left_join(opening, base._company == opening._opening)
    rows = rows.left_join(closing, rows._company == closing._closing)
    end_mrr = rows._end_mrr.fill_null(0.0).cast("float64")
    table = rows.select(
        golden_account_id=rows._company.cast("string"),
        cohort_month=rows._month,
        months_since_start=(last - rows._cohort).cast("int64"),
        start_mrr=rows._start_mrr.fill_null(0.0).cast("float64"),
        end_mrr=end_mrr,
        is_paying=end_mrr > 0,
    )
    # A view closes the join chain: slicing joins the rows again by `account_id`, a value
    # the chain computed, which ibis cannot reach inside a chain it extends.
    return on_account_records(ctx, table).view()


def _instant(day: date) -> datetime:
    """Midnight UTC starting `day`."""
    return datetime.combine(day, datetime.min.time(), UTC)
