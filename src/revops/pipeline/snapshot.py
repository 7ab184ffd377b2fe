"""The pipeline as of any day: every deal as its history stood then, one row per deal.

Built on the metric layer's time-correct reads (:func:`revops.metrics.pipeline_at`,
:func:`revops.metrics.stage_entries`): only history versions and activities dated up to
the end of the as-of day are used.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from revops.metrics import moment, pipeline_at, stage_entries, versions_until

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics import SourceContext

By = Literal["segment", "owner", "source"]
"""What pipeline tables can be sliced by: the account's segment, the deal's owner or source."""
BY_COLUMN: dict[str, str] = {"segment": "segment", "owner": "owner_id", "source": "source"}
"""The deal column of each slice."""
SECONDS_PER_DAY = 86_400
DEAL_COLUMNS = (
    "opportunity_id",
    "account_id",
    "owner_id",
    "type",
    "segment",
    "source",
    "stage",
    "stage_category",
    "amount",
    "probability",
    "weighted_amount",
    "close_date",
    "forecast_category",
)


def days_between(later: ir.Value, earlier: ir.Value) -> ir.FloatingValue:
    """Days (with fractions) from timestamp `earlier` to timestamp `later`."""
    seconds = later.epoch_seconds() - earlier.epoch_seconds()
    return (seconds / SECONDS_PER_DAY).cast("float64")


def day_end(table: ir.Table, column: str, day: date) -> ir.Value:
    """The end of `day` (midnight after it) as a literal comparable with `column`."""
    return moment(table, column, day + timedelta(days=1))


def deal_attributes(ctx: SourceContext) -> ir.Table:
    """Per deal what its history does not hold: the account's segment, the deal's source, and
    its current owner (for sources whose history keeps none)."""
    deals = ctx.raw("opportunity")
    # A lookup, not a row of the scope: a rep's deal on another owner's account still
    # shows that account's segment (as the metric layer's dimensions do).
    accounts = ctx.raw("account", scoped=False)
    accounts = accounts.select(attr_account="account_id", segment="segment")
    joined = deals.left_join(accounts, deals.account_id == accounts.attr_account)
    return joined.select(
        attr_id="opportunity_id",
        attr_owner="owner_id",
        segment="segment",
        source="lead_source",
    )


def deals_at(ctx: SourceContext, day: date) -> ir.Table:
    """Every deal as it stood at the end of `day` (at most the as-of day), open or closed.

    Columns: :data:`DEAL_COLUMNS`; `stage_category` is open, won, lost (or unknown for a
    stage the workspace does not define), `probability` the stage's (0-1).
    """
    import ibis

    deals = pipeline_at(ctx, day)
    attributes = deal_attributes(ctx)
    joined = deals.left_join(attributes, deals.opportunity_id == attributes.attr_id)
    stages = ctx.config.opportunity_stages
    category = ibis.cases(*[(joined.stage == s.name, s.category) for s in stages], else_="unknown")
    probability = ibis.cases(
        *[(joined.stage == s.name, s.probability / 100) for s in stages], else_=0.0
    )
    # Amounts stay decimal so sums (the waterfall's balance) are exact on every backend.
    amount = joined.amount.fill_null(ibis.literal(0, type=joined.amount.type()))
    return joined.select(
        "opportunity_id",
        "account_id",
        # Sources that keep no owner in their history leave the deal's current owner.
        owner_id=joined.owner_id.fill_null(joined.attr_owner),
        type=joined.type,
        segment=joined.segment,
        source=joined.source,
        stage=joined.stage,
        stage_category=category,
        amount=amount,
        probability=probability,
        weighted_amount=amount.cast("float64") * probability,
        close_date=joined.close_date,
        forecast_category=joined.forecast_category,
    )


def first_seen(ctx: SourceContext) -> ir.Table:
    """Per deal, when its first history version took effect (`created_at`), up to the as-of day."""
    versions = versions_until(ctx, ctx.as_of)
    return versions.group_by(first_id=versions.opportunity_id).aggregate(
        created_at=versions.valid_from.min()
    )


def last_activity(ctx: SourceContext) -> ir.Table:
    """Per deal, its last activity up to the end of the as-of day (`last_activity_at`).

    Every activity on a deal counts, whoever logged it: the result is joined to the deals
    of the context's scope only, so a scope cuts the deals, not what is known about them.
    """
    activity = ctx.raw("activity", scoped=False)
    known = activity.filter(
        activity.opportunity_id.notnull()
        & activity.occurred_at.notnull()
        & (activity.occurred_at < day_end(activity, "occurred_at", ctx.as_of))
    )
    return known.group_by(activity_id=known.opportunity_id).aggregate(
        last_activity_at=known.occurred_at.max()
    )


def open_deals(ctx: SourceContext, window: Period | None = None) -> ir.Table:
    """The open pipeline at the end of the as-of day: one row per open deal.

    Args:
        ctx: the source context; its `as_of` is the day.
        window: when given, only deals whose close date falls in it.

    Returns:
        :data:`DEAL_COLUMNS` plus `created_at`, `stage_entered_at`, `days_in_stage`,
        `last_activity_at` and `days_since_activity` (since the deal's creation when it has
        no activity yet), days counted to the end of the as-of day.
    """
    from revops.metrics import in_window

    deals = deals_at(ctx, ctx.as_of)
    deals = deals.filter(deals.stage_category == "open")
    if window is not None:
        deals = deals.filter(in_window(deals, "close_date", window))
    period = ctx.calendar.period_of(ctx.as_of, "quarter")
    entries = stage_entries(ctx, period)
    stays = entries.filter(entries.left_at.isnull() & entries.is_open_stage)
    stays = stays.select(
        stay_id="opportunity_id", stage_entered_at="entered_at", days_in_stage="days_in_stage"
    )
    joined = deals.left_join(stays, deals.opportunity_id == stays.stay_id).drop("stay_id")
    created = first_seen(ctx)
    joined = joined.left_join(created, joined.opportunity_id == created.first_id).drop("first_id")
    touched = last_activity(ctx)
    joined = joined.left_join(touched, joined.opportunity_id == touched.activity_id)
    joined = joined.drop("activity_id")
    now = day_end(joined, "created_at", ctx.as_of)
    since = joined.last_activity_at.cast(joined.created_at.type()).fill_null(joined.created_at)
    return joined.mutate(days_since_activity=days_between(now, since))


def pipeline_by_stage(
    ctx: SourceContext, window: Period | None = None, by: By | None = None
) -> ir.Table:
    """Open pipeline per stage (and slice): deals, amount, weighted amount, mean days in stage."""
    deals = open_deals(ctx, window)
    keys = ["stage"] if by is None else ["stage", BY_COLUMN[by]]
    return deals.group_by(keys).aggregate(
        deals=deals.count(),
        amount=deals.amount.sum(),
        weighted_amount=deals.weighted_amount.sum(),
        mean_days_in_stage=deals.days_in_stage.mean(),
    )
