"""Bottlenecks: the stages and segments converting worse or moving slower than they used to.

For each open stage and segment, the stays that ended in the recent window are compared
with those that ended in the `baseline_quarters` fiscal quarters before it: the share that
went on to a further stage (or won) and the median days in the stage. Both read finished
stays only, so a window still running is not judged on deals that have not had time to move.
The rows where either got worse are ranked by revenue at stake: the open amount sitting in
that stage and segment on the as-of day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from revops.metrics import moment
from revops.pipeline.result import PipelineTable
from revops.pipeline.snapshot import day_end, open_deals
from revops.pipeline.stalled import finished_stays

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from revops.core import FiscalCalendar, Period
    from revops.metrics import SourceContext

ALL_SEGMENTS = "(all)"
"""The segment label of a stage's row over every segment."""
BOTTLENECK_COLUMNS = (
    "stage",
    "segment",
    "score",
    "amount_at_stake",
    "open_deals",
    "conversion",
    "baseline_conversion",
    "median_days",
    "baseline_median_days",
    "stays",
    "baseline_stays",
    "explanation",
)


def baseline_of(calendar: FiscalCalendar, window: Period, quarters: int) -> tuple[date, date]:
    """The first day of the baseline and its end (excluded, the window's start): the
    `quarters` fiscal quarters before the quarter the window starts in."""
    first = calendar.period_of(window.start, "quarter")
    return first.shift(-quarters).start, window.start


def stay_comparison(ctx: SourceContext, window: Period) -> ir.Table:
    """Per stage and segment: finished stays, advances and median days, recent and baseline.

    Segments are the account's; a stage's row over all segments has segment
    :data:`ALL_SEGMENTS`.
    """
    import ibis

    settings = ctx.config.pipeline
    start, baseline_end = baseline_of(ctx.calendar, window, settings.baseline_quarters)
    stays = finished_stays(ctx)
    left = stays.left_at
    recent = (left >= moment(stays, "left_at", window.start)) & (
        left < moment(stays, "left_at", window.end)
    )
    recent = recent & (left < day_end(stays, "left_at", ctx.as_of))
    baseline = (left >= moment(stays, "left_at", start)) & (
        left < moment(stays, "left_at", baseline_end)
    )
    stays = stays.mutate(is_recent=recent, is_baseline=baseline)
    stays = stays.filter(stays.is_recent | stays.is_baseline)

    def measures(table: ir.Table) -> dict[str, Any]:
        days = table.days_in_stage
        return {
            "stays": table.count(where=table.is_recent),
            "advanced": table.count(where=table.is_recent & table.reached_next),
            # Spark takes no filtered percentile: the other rows are nulled out instead.
            "median_days": ibis.ifelse(table.is_recent, days, ibis.null("float64")).median(),
            "baseline_stays": table.count(where=table.is_baseline),
            "baseline_advanced": table.count(where=table.is_baseline & table.reached_next),
            "baseline_median_days": ibis.ifelse(
                table.is_baseline, days, ibis.null("float64")
            ).median(),
        }

    by_segment = stays.filter(stays.segment.notnull())
    by_segment = by_segment.group_by(["stage", "segment"]).aggregate(**measures(by_segment))
    whole = stays.group_by("stage").aggregate(**measures(stays))
    whole = whole.mutate(segment=ibis.literal(ALL_SEGMENTS)).select(*by_segment.columns)
    return by_segment.union(whole)


def at_stake(ctx: SourceContext) -> ir.Table:
    """Open amount and deals per stage and segment on the as-of day, and per stage overall."""
    import ibis

    deals = open_deals(ctx)
    by_segment = deals.filter(deals.segment.notnull())
    by_segment = by_segment.group_by(["stage", "segment"]).aggregate(
        amount_at_stake=by_segment.amount.cast("float64").sum(), open_deals=by_segment.count()
    )
    whole = deals.group_by("stage").aggregate(
        amount_at_stake=deals.amount.cast("float64").sum(), open_deals=deals.count()
    )
    whole = whole.mutate(segment=ibis.literal(ALL_SEGMENTS)).select(*by_segment.columns)
    return by_segment.union(whole)


def bottlenecks(ctx: SourceContext, window: Period) -> PipelineTable:
    """Stages and segments whose conversion or time in stage got worse, by revenue at stake.

    The score adds the relative drop in conversion and the relative rise in median days
    (each counted only when it got worse): 0.25 is a quarter worse than its own history.
    Rows need `min_stays` finished stays in the window and in the baseline, and a score
    above `bottleneck_tolerance` (smaller changes are noise).

    Args:
        ctx: the source context; only history up to its as-of day is read.
        window: the recent window (cut at the as-of day).
    """
    import pandas as pd

    settings = ctx.config.pipeline
    compared = stay_comparison(ctx, window).execute()
    stake = at_stake(ctx).execute()
    frame = compared.merge(stake, on=["stage", "segment"], how="left")
    frame[["amount_at_stake", "open_deals"]] = frame[["amount_at_stake", "open_deals"]].fillna(0)
    enough = (frame["stays"] >= settings.min_stays) & (
        frame["baseline_stays"] >= settings.min_stays
    )
    frame = frame[enough].copy()
    frame["conversion"] = frame["advanced"] / frame["stays"]
    frame["baseline_conversion"] = frame["baseline_advanced"] / frame["baseline_stays"]
    frame["score"] = _score(frame)
    frame = frame[frame["score"] > settings.bottleneck_tolerance]
    order = {s.name: i for i, s in enumerate(ctx.config.opportunity_stages)}
    frame = frame.assign(_order=frame["stage"].map(order))
    frame = frame.sort_values(
        ["amount_at_stake", "score", "_order", "segment"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    frame["explanation"] = [_explain(row) for row in frame.to_dict(orient="records")]
    frame["open_deals"] = frame["open_deals"].astype("int64")
    result = pd.DataFrame(frame[list(BOTTLENECK_COLUMNS)]).reset_index(drop=True)
    start, _ = baseline_of(ctx.calendar, window, settings.baseline_quarters)
    parameters = {
        "window": window.label,
        "baseline_start": start,
        "baseline_end": window.start,
        "min_stays": settings.min_stays,
        "tolerance": settings.bottleneck_tolerance,
    }
    return PipelineTable("bottlenecks", ctx.as_of, result, parameters)


def _score(frame: pd.DataFrame) -> pd.Series:
    conversion_drop = (1 - frame["conversion"] / frame["baseline_conversion"]).where(
        frame["baseline_conversion"] > 0, 0.0
    )
    slower = (frame["median_days"] / frame["baseline_median_days"] - 1).where(
        frame["baseline_median_days"] > 0, 0.0
    )
    return conversion_drop.clip(lower=0).fillna(0) + slower.clip(lower=0).fillna(0)


def _explain(row: dict[str, Any]) -> str:
    parts = []
    if row["conversion"] < row["baseline_conversion"]:
        parts.append(
            f"{row['conversion']:.0%} of {row['stays']} stays moved on, against "
            f"{row['baseline_conversion']:.0%} of {row['baseline_stays']} before"
        )
    if row["median_days"] > row["baseline_median_days"]:
        parts.append(
            f"median {row['median_days']:.0f} days in stage against "
            f"{row['baseline_median_days']:.0f}"
        )
    stake = f"{row['amount_at_stake']:,.0f} open in {int(row['open_deals'])} deal(s)"
    return "; ".join(parts) + f"; {stake}"
