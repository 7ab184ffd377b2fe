"""Pipeline created against pipeline needed to reach the quota of a window.

Needed is the pipeline the company's own created-to-won conversion says the rest of the
quota takes: (quota - bookings to date) / conversion. What the window already has open
counts towards it, so the gap - what still has to be created or pulled into the window -
is needed - open pipeline; pipeline created so far in the window is shown beside it (it is
either open already or booked, so adding it would count it twice). The conversion is
measured on a cohort of deals created in the `baseline_quarters` fiscal quarters that end
`cohort_lag_quarters` before the window (so most of them have closed): amount won by the
as-of day / amount of the cohort, both as the deals stood on the as-of day.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from revops.core.plain import plain
from revops.pipeline.snapshot import deals_at, first_seen

if TYPE_CHECKING:
    from revops.core import Period
    from revops.metrics import SourceContext


@dataclass(frozen=True)
class CreatedVsNeeded:
    """Pipeline created in a window against what its quota needs.

    Attributes:
        window: the window's label.
        as_of: the last day of data.
        quota: quota of the window (catalog metric `quota_amount`); None when no quota
            is set for it (then remaining, needed and gap are unknown too, never 0).
        bookings_to_date: won so far (catalog `bookings_to_date`).
        remaining: quota - bookings to date (0 once the quota is reached).
        open_pipeline: open pipeline closing in the window (catalog `open_pipeline`).
        created: pipeline created in the window so far (catalog `pipeline_created`).
        created_deals: deals created in it (catalog `pipeline_created_count`).
        cohort_start: first day of the conversion cohort.
        cohort_end: day after its last day.
        cohort_amount: amount of the cohort's deals.
        cohort_won: amount of them won by the as-of day.
        conversion: cohort_won / cohort_amount (None without a cohort).
        needed: remaining / conversion (None without a conversion).
        gap: needed - open pipeline; above 0 means more pipeline must be created or pulled
            into the window, below 0 that the open pipeline covers the rest of the quota.
    """

    window: str
    as_of: date
    quota: float | None
    bookings_to_date: float
    remaining: float | None
    open_pipeline: float
    created: float
    created_deals: int
    cohort_start: date
    cohort_end: date
    cohort_amount: float
    cohort_won: float
    conversion: float | None
    needed: float | None
    gap: float | None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per figure: name and value."""
        return [{"figure": k, "value": plain(v)} for k, v in asdict(self).items()]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {"kind": "created_vs_needed", **{k: plain(v) for k, v in asdict(self).items()}}


def cohort_of(ctx: SourceContext, window: Period) -> tuple[date, date]:
    """The first day and the end (excluded) of the conversion cohort of `window`."""
    settings = ctx.config.pipeline
    quarter = ctx.calendar.period_of(window.start, "quarter")
    end = quarter.shift(-settings.cohort_lag_quarters).start
    start = quarter.shift(-settings.cohort_lag_quarters - settings.baseline_quarters).start
    return start, end


def cohort_conversion(ctx: SourceContext, start: date, end: date) -> tuple[float, float]:
    """Amount of the deals first seen in [start, end) and the amount of them won, both as
    of the as-of day."""
    from revops.metrics import moment

    created = first_seen(ctx)
    cohort = created.filter(
        (created.created_at >= moment(created, "created_at", start))
        & (created.created_at < moment(created, "created_at", end))
    )
    deals = deals_at(ctx, ctx.as_of)
    joined = deals.join(cohort, deals.opportunity_id == cohort.first_id)
    amount = joined.amount.cast("float64")
    totals = joined.aggregate(
        total=amount.sum(), won=amount.sum(where=joined.stage_category == "won")
    ).execute()
    return float(totals["total"].fillna(0).iloc[0]), float(totals["won"].fillna(0).iloc[0])


def created_vs_needed(
    ctx: SourceContext, window: Period, kpis: dict[str, float | None]
) -> CreatedVsNeeded:
    """Created against needed for `window`.

    Args:
        ctx: the source context.
        window: the window (a fiscal quarter, usually).
        kpis: values of the catalog metrics `quota_amount`, `bookings_to_date`,
            `open_pipeline`, `pipeline_created` and `pipeline_created_count` for the
            window, as of the same day (the single definitions of those numbers).
    """
    set_quota = kpis.get("quota_amount")
    quota = None if set_quota is None else float(set_quota)
    booked = float(kpis.get("bookings_to_date") or 0)
    open_pipeline = float(kpis.get("open_pipeline") or 0)
    created = float(kpis.get("pipeline_created") or 0)
    remaining = None if quota is None else max(quota - booked, 0.0)
    start, end = cohort_of(ctx, window)
    cohort_amount, cohort_won = cohort_conversion(ctx, start, end)
    conversion = cohort_won / cohort_amount if cohort_amount > 0 else None
    needed = remaining / conversion if conversion and remaining is not None else None
    return CreatedVsNeeded(
        window=window.label,
        as_of=ctx.as_of,
        quota=quota,
        bookings_to_date=booked,
        remaining=remaining,
        open_pipeline=open_pipeline,
        created=created,
        created_deals=int(kpis.get("pipeline_created_count") or 0),
        cohort_start=start,
        cohort_end=end,
        cohort_amount=cohort_amount,
        cohort_won=cohort_won,
        conversion=conversion,
        needed=needed,
        gap=None if needed is None else needed - open_pipeline,
    )
