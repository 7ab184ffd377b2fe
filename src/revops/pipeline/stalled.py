"""Stalled deals: open deals idle in their stage for longer than deals typically stay there.

The typical time is learned from history, not set by hand: per stage (and per stage and
segment where enough deals left it), the `stalled_percentile` of the days that deals
spent in the stage before leaving it, over stays that ended by the as-of day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics import stage_entries
from revops.pipeline.snapshot import deal_attributes, open_deals

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import SourceContext

STALLED_COLUMNS = (
    "opportunity_id",
    "owner_id",
    "segment",
    "stage",
    "days_in_stage",
    "days_since_activity",
    "threshold_days",
    "threshold_from",
    "amount",
    "close_date",
)


def finished_stays(ctx: SourceContext) -> ir.Table:
    """Stays in an open stage that ended by the as-of day, with the deal's segment."""
    entries = stage_entries(ctx, ctx.calendar.period_of(ctx.as_of, "quarter"))
    done = entries.filter(entries.is_open_stage & entries.left_at.notnull())
    attributes = deal_attributes(ctx).select("attr_id", "segment")
    joined = done.left_join(attributes, done.opportunity_id == attributes.attr_id)
    return joined.drop("attr_id")


def stage_thresholds(ctx: SourceContext) -> ir.Table:
    """Per stage and segment the typical days in stage, and where it was learned.

    Returns:
        `stage`, `segment`, `threshold_days` and `threshold_from` (``segment`` when the stage
        and segment had at least `min_stays` finished stays, else ``stage``), `stays`.
        A row with a null segment holds the stage's figure, for deals of a segment with
        no finished stay (or of no segment). Stages with fewer than `min_stays` finished
        stays in all have no row.
    """
    import ibis

    settings = ctx.config.pipeline
    stays = finished_stays(ctx)
    share = settings.stalled_percentile
    per_stage = stays.group_by(stage_key="stage").aggregate(
        stage_days=stays.days_in_stage.quantile(share), stage_stays=stays.count()
    )
    per_stage = per_stage.filter(per_stage.stage_stays >= settings.min_stays)
    segmented = stays.filter(stays.segment.notnull())
    per_segment = segmented.group_by(seg_stage="stage", seg_key="segment").aggregate(
        seg_days=segmented.days_in_stage.quantile(share), seg_stays=segmented.count()
    )
    joined = per_segment.join(per_stage, per_segment.seg_stage == per_stage.stage_key)
    own = joined.seg_stays >= settings.min_stays
    by_segment = joined.select(
        stage=joined.stage_key,
        segment=joined.seg_key,
        threshold_days=ibis.ifelse(own, joined.seg_days, joined.stage_days),
        threshold_from=ibis.ifelse(own, "segment", "stage"),
        stays=ibis.ifelse(own, joined.seg_stays, joined.stage_stays),
    )
    whole = per_stage.select(
        stage=per_stage.stage_key,
        segment=ibis.null("string"),
        threshold_days=per_stage.stage_days,
        threshold_from=ibis.literal("stage"),
        stays=per_stage.stage_stays,
    )
    return by_segment.union(whole)


def stalled_deals(ctx: SourceContext, norms: SourceContext | None = None) -> ir.Table:
    """Open deals whose days in stage and days since their last activity both pass the
    typical time of their stage (and segment), largest amount first.

    Args:
        ctx: the deals to look at (its scope) and the day.
        norms: where the typical times are learned; default `ctx`. A scoped listing
            passes an unscoped context of the same day, so one rep's deals are judged
            against the company's norm, not against their own few stays.

    Columns: :data:`STALLED_COLUMNS`.
    """
    import ibis

    deals = open_deals(ctx)
    limits = stage_thresholds(norms or ctx)
    own = limits.filter(limits.segment.notnull())
    own = own.select(
        own_stage="stage", own_segment="segment", own_days="threshold_days",
        own_from="threshold_from",
    )  # fmt: skip
    whole = limits.filter(limits.segment.isnull())
    whole = whole.select(whole_stage="stage", whole_days="threshold_days")
    joined = deals.left_join(
        own, [deals.stage == own.own_stage, deals.segment == own.own_segment]
    ).left_join(whole, deals.stage == whole.whole_stage)
    threshold = joined.own_days.fill_null(joined.whole_days)
    source = ibis.ifelse(joined.own_days.notnull(), joined.own_from, "stage")
    flagged = joined.mutate(threshold_days=threshold, threshold_from=source)
    flagged = flagged.filter(
        flagged.threshold_days.notnull()
        & (flagged.days_in_stage > flagged.threshold_days)
        & (flagged.days_since_activity > flagged.threshold_days)
    )
    ordered = flagged.order_by([ibis.desc("amount"), "opportunity_id"])
    return ordered.select(*STALLED_COLUMNS)
