"""Subscription cohorts in the warehouse: each company's start period and how many period
ends it has paid through without a lapse (what the sBG retention model is fitted on), and
each cohort's customers and MRR at every period end since its start (logo and revenue
retention curves). Only counts per cohort and period reach Python.

A company (golden account) starts at the first instant one of its paid spans
(:func:`revops.metrics.engines.mrr.subscription_lines`: versions, discounts, trials left
out, `churn_dated_at`, `reactivation_grace_days`) starts; its *cohort* is the calendar
month (or quarter) holding that instant, UTC. Period t of a cohort ends at the end of the
t-th month (quarter) after its start one; period 0 is the start one. A company *survives*
t periods when it paid at each of those t period ends without a lapse since its start:
one that leaves inside its first period survives 0, like one that leaves in its second.
What happens after the as-of day is not seen: a span ending later is still running, and a
cohort counts only the period ends on or before the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from revops.errors import SuccessError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics.sources import SourceContext

CohortUnit = Literal["month", "quarter"]
NO_SEGMENT = "(none)"
"""The segment of a company whose account records carry none."""


def period_index(day: date, unit: CohortUnit) -> int:
    """The running number of the month (quarter) holding `day`.

    Examples:
        >>> period_index(date(2026, 1, 15), "month") - period_index(date(2025, 12, 31), "month")
        1
        >>> period_index(date(2026, 3, 31), "quarter") - period_index(date(2025, 12, 1), "quarter")
        1
    """
    months = day.year * 12 + day.month - 1
    return months if unit == "month" else months // 3


def period_start(index: int, unit: CohortUnit) -> date:
    """The first day of the period `index` (the inverse of :func:`period_index`).

    Examples:
        >>> period_start(period_index(date(2026, 5, 9), "quarter"), "quarter")
        datetime.date(2026, 4, 1)
    """
    months = index if unit == "month" else index * 3
    return date(months // 12, months % 12 + 1, 1)


def last_complete(day: date, unit: CohortUnit) -> int:
    """The index of the last period that has ended by the end of `day`."""
    index = period_index(day, unit)
    return index if period_start(index + 1, unit) == day + timedelta(days=1) else index - 1


def check_unit(unit: str) -> None:
    """Refuse a cohort period other than month or quarter (SuccessError)."""
    if unit not in ("month", "quarter"):
        raise SuccessError(f"unknown cohort period {unit!r}; use month or quarter")


def _index_of(instant: ir.TimestampValue, unit: CohortUnit) -> ir.IntegerValue:
    """The period index of a UTC instant, whatever the session's time zone."""
    import ibis

    days = (instant.epoch_seconds() / 86_400).floor().cast("int64")
    day = ibis.date(1970, 1, 1) + days.as_interval("D")
    months = day.year() * 12 + day.month() - 1
    return months if unit == "month" else (months / 3).floor().cast("int64")


def _edge(day: date) -> ir.Value:
    import ibis

    from revops.metrics.engines.lines import day_end

    return ibis.literal(day_end(day), type="timestamp('UTC')")


def company_spans(ctx: SourceContext, day: date) -> ir.Table:
    """The paid spans started by the end of `day`, per company: `company_id` (golden
    account), `segment` (the greatest of the company's account records'), `mrr`,
    `starts_at`, `ends_at` (cut at the end of `day`: a span running then, or ending
    later, ends there)."""
    import ibis

    from revops.metrics.engines.mrr import subscription_lines

    edge = _edge(day)
    lines = subscription_lines(ctx)
    lines = lines.filter(lines.starts_at < edge)
    lookup = ctx.golden_accounts()
    joined = lines.left_join(lookup, lines.account_id == lookup.account_id)
    joined = joined.mutate(company_id=joined.golden_account_id.fill_null(joined.account_id))
    # The segment is the CRM's: any account record of the company may carry it (a billing
    # customer usually does not).
    accounts = ctx.raw("account", scoped=False)
    members = accounts.left_join(lookup, accounts.account_id == lookup.account_id)
    members = members.select(
        _company=members.golden_account_id.fill_null(members.account_id), _seg=members.segment
    )
    segments = members.group_by("_company").aggregate(_segment=members._seg.max())
    joined = joined.left_join(segments, joined.company_id == segments._company)
    ends = joined.ends_at
    return joined.select(
        company_id=joined.company_id,
        segment=joined._segment,
        mrr=joined.mrr.cast("float64"),
        starts_at=joined.starts_at,
        ends_at=ibis.cases((ends.isnull() | (ends >= edge), edge), else_=ends),
    )


def lifetimes(ctx: SourceContext, day: date, unit: CohortUnit = "month") -> ir.Table:
    """One row per company that started paying by `day`: `company_id`, `segment` (the
    greatest of its account records', :data:`NO_SEGMENT` without), `cohort` (period index
    of its start), `started_at`, `lost_at` (the end of its first paid stretch; null while
    it still pays at the end of `day`) and `mrr` at the end of `day`."""
    import ibis

    spans = company_spans(ctx, day)
    order = ibis.window(group_by="company_id", order_by=["starts_at", "ends_at"])
    spans = spans.mutate(
        run_end=spans.ends_at.max().over(
            ibis.cumulative_window(group_by="company_id", order_by=["starts_at", "ends_at"])
        )
    )
    spans = spans.mutate(prev_end=spans.run_end.lag().over(order))
    gap = spans.prev_end.notnull() & (spans.starts_at > spans.prev_end)
    edge = _edge(day)
    live = spans.ends_at >= edge
    per = spans.group_by("company_id").aggregate(
        segment=spans.segment.max(),
        started_at=spans.starts_at.min(),
        first_gap=spans.prev_end.min(where=gap),
        last_end=spans.run_end.max(),
        mrr=spans.mrr.sum(where=live).fill_null(0.0),
    )
    lost = ibis.coalesce(per.first_gap, per.last_end)
    return per.select(
        "company_id",
        segment=per.segment.fill_null(NO_SEGMENT),
        cohort=_index_of(per.started_at, unit),
        started_at=per.started_at,
        lost_at=ibis.cases((lost >= edge, ibis.null("timestamp('UTC')")), else_=lost),
        mrr=per.mrr,
    )


def survival(ctx: SourceContext, day: date, unit: CohortUnit = "month") -> ir.Table:
    """:func:`lifetimes` with each company's `survived` (period ends paid through without a
    lapse, up to its cohort's last observed one) and `is_active` (still on its first
    stretch at the end of `day`)."""
    import ibis

    check_unit(unit)
    rows = lifetimes(ctx, day, unit)
    observed = last_complete(day, unit) - rows.cohort
    lost_in = _index_of(rows.lost_at, unit) - rows.cohort - 1
    survived = ibis.cases(
        (rows.lost_at.isnull(), observed),
        (lost_in < 0, 0),
        (lost_in > observed, observed),
        else_=lost_in,
    )
    return rows.mutate(survived=survived, is_active=rows.lost_at.isnull())


def survival_counts(ctx: SourceContext, day: date, unit: CohortUnit = "month") -> ir.Table:
    """Per segment, cohort and periods survived (:func:`survival`): `segment`, `cohort`,
    `survived`, `is_active`, `customers` and their `mrr` at the end of `day`."""
    rows = survival(ctx, day, unit)
    return rows.group_by(["segment", "cohort", "survived", "is_active"]).aggregate(
        customers=rows.count(), mrr=rows.mrr.sum()
    )


@dataclass(frozen=True)
class Cohort:
    """One start cohort's survivors, oldest period first."""

    segment: str
    start: date
    survivors: list[int]
    active: int = 0
    active_mrr: float = 0.0
    renewals: dict[int, tuple[int, float]] = field(default_factory=dict)
    """Per periods survived, the active customers and their MRR (for residual value)."""


def read_cohorts(
    ctx: SourceContext, day: date, unit: CohortUnit = "month", *, by_segment: bool = True
) -> list[Cohort]:
    """The survivors of every cohort whose start period has ended by `day` (per segment,
    or all together), from one query of :func:`survival_counts`."""
    check_unit(unit)
    rows = survival_counts(ctx, day, unit).to_pyarrow().to_pylist()
    last = last_complete(day, unit)
    grouped: dict[tuple[str, int], list[dict[str, object]]] = {}
    for row in rows:
        segment = str(row["segment"]) if by_segment else "all"
        grouped.setdefault((segment, int(row["cohort"])), []).append(row)
    found = []
    for (segment, cohort), members in sorted(grouped.items()):
        observed = last - cohort
        if observed < 0:
            continue  # the start period has not ended: more may still start in it
        counts = [0] * (observed + 1)
        renewals: dict[int, tuple[int, float]] = {}
        for row in members:
            k = int(row["survived"])  # type: ignore[call-overload]
            n = int(row["customers"])  # type: ignore[call-overload]
            for t in range(k + 1):
                counts[t] += n
            if row["is_active"]:
                before = renewals.get(k, (0, 0.0))
                renewals[k] = (before[0] + n, before[1] + float(row["mrr"] or 0.0))  # type: ignore[arg-type]
        found.append(
            Cohort(
                segment, period_start(cohort, unit), counts,
                sum(v[0] for v in renewals.values()), sum(v[1] for v in renewals.values()),
                renewals,
            )
        )  # fmt: skip
    return found


def retention_curves(ctx: SourceContext, day: date, unit: CohortUnit = "month") -> ir.Table:
    """Per cohort and period since its start (0: the start period), the cohort's companies
    paying and their MRR at that period's end, for every period end up to `day`:
    `cohort`, `period`, `customers`, `mrr`. Companies that came back after a lapse count
    again (logo and revenue retention as a subscription business reports them)."""
    import ibis
    import pandas as pd

    check_unit(unit)
    starts = lifetimes(ctx, day, unit).select(_company="company_id", cohort="cohort")
    spans = company_spans(ctx, day)
    first = spans.starts_at.min().to_pyarrow().as_py()
    last = last_complete(day, unit)
    if first is None:
        return ibis.memtable(
            pd.DataFrame({"cohort": [], "period": [], "customers": [], "mrr": []}),
            schema={"cohort": "int64", "period": "int64", "customers": "int64", "mrr": "float64"},
        )
    begin = period_index(first.astimezone(UTC).date(), unit)
    ends = [
        (j, datetime.combine(period_start(j + 1, unit), datetime.min.time(), UTC))
        for j in range(begin, last + 1)
    ]
    calendar = ibis.memtable(
        pd.DataFrame({"_j": [j for j, _ in ends], "_edge": [e for _, e in ends]}),
        schema={"_j": "int64", "_edge": "timestamp('UTC')"},
    )
    live = spans.cross_join(calendar)
    live = live.filter((live.starts_at < live._edge) & (live.ends_at >= live._edge))
    per = live.group_by(["company_id", "_j"]).aggregate(mrr=live.mrr.sum())
    per = per.join(starts, per.company_id == starts._company)
    per = per.mutate(period=per._j - per.cohort)
    return per.group_by(["cohort", "period"]).aggregate(customers=per.count(), mrr=per.mrr.sum())
