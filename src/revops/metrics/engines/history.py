"""Engine sources of pipeline KPIs read from opportunity history, time-correct.

A snapshot "as of" a day uses only the versions valid at the end of that day; stage
entries and stays are read from the versions valid up to the as-of day of the query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

SECONDS_PER_DAY = 86_400
_ENTRY = (
    "opportunity_id",
    "account_id",
    "owner_id",
    "stage",
    "stage_order",
    "entered_at",
    "left_at",
    "is_open_stage",
    "reached_next",
    "days_in_stage",
)
_SNAPSHOT = (
    "opportunity_id",
    "account_id",
    "owner_id",
    "type",
    "stage",
    "amount",
    "close_date",
    "forecast_category",
)
_SLIPPAGE = ("opportunity_id", "account_id", "owner_id", "amount", "is_slipped")


def end_of(day: date) -> datetime:
    """The last moment of `day`, UTC."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def snapshot_day(ctx: SourceContext, period: Period) -> date:
    """The day a window's end is read at: its last day, or the as-of day if earlier."""
    return min(period.last_day, ctx.as_of)


def versions_until(ctx: SourceContext, day: date) -> ir.Table:
    """Opportunity history versions that took effect by the end of `day`."""
    from datetime import timedelta

    from revops.metrics.compile import moment

    history = ctx.table("opportunity_history")
    return history.filter(
        history.valid_from < moment(history, "valid_from", day + timedelta(days=1))
    )


def pipeline_at(ctx: SourceContext, day: date) -> ir.Table:
    """Each opportunity as it stood at the end of `day`, with account and type.

    A day after the as-of day is read at the as-of day: nothing later is known yet.
    """
    from revops.warehouse.asof import as_of

    day = min(day, ctx.as_of)
    current = as_of(versions_until(ctx, day), end_of(day), "opportunity_id")
    deals = ctx.table("opportunity").select(
        deal_id="opportunity_id", account_id="account_id", type="type", deal_owner="owner_id"
    )
    joined = current.left_join(deals, current.opportunity_id == deals.deal_id)
    # A history without owners (Salesforce's OpportunityHistory has no OwnerId) keeps the
    # deal's owner, so open pipeline slices by owner instead of landing all in "(none)".
    joined = joined.mutate(owner_id=joined.owner_id.fill_null(joined.deal_owner))
    return joined.select(*_SNAPSHOT)


def open_stages(ctx: SourceContext) -> list[str]:
    """Names of the open stages, in pipeline order."""
    return [s.name for s in ctx.config.opportunity_stages if s.category == "open"]


@engine(
    "pipeline_snapshot",
    "One row per opportunity open at the end of the window's last day (or the as-of day) "
    "with its close date in the window, as its history stood then: stage, amount, close "
    "date, forecast category, owner.",
    _SNAPSHOT,
    windowed=True,
)
def pipeline_snapshot(ctx: SourceContext, period: Period) -> ir.Table:
    """Open pipeline closing in the window, as of its end."""
    from revops.metrics.compile import in_window

    deals = pipeline_at(ctx, snapshot_day(ctx, period))
    return deals.filter(deals.stage.isin(open_stages(ctx)) & in_window(deals, "close_date", period))


@engine(
    "slippage",
    "One row per opportunity open at the window's start with its close date in the window "
    "(as its history stood then): its amount then, and is_slipped when at the window's end "
    "(or the as-of day) it is still open with a close date after the window.",
    _SLIPPAGE,
    windowed=True,
)
def slippage(ctx: SourceContext, period: Period) -> ir.Table:
    """Deals forecast to close in the window and whether they were pushed out of it."""
    from datetime import timedelta

    from revops.metrics.compile import in_window, moment

    stages = open_stages(ctx)
    before = pipeline_at(ctx, period.start - timedelta(days=1))
    committed = before.filter(before.stage.isin(stages) & in_window(before, "close_date", period))
    after = pipeline_at(ctx, snapshot_day(ctx, period))
    after = after.select(later_id="opportunity_id", later_stage="stage", later_close="close_date")
    joined = committed.left_join(after, committed.opportunity_id == after.later_id)
    pushed = joined.later_stage.isin(stages) & (
        joined.later_close > moment(joined, "later_close", period.last_day)
    )
    return joined.select(
        "opportunity_id", "account_id", "owner_id", "amount", is_slipped=pushed.fill_null(False)
    )


@engine(
    "stage_entry",
    "One row per stage an opportunity entered (from its history up to the as-of day): "
    "entered_at, left_at (when it entered the next stage; null while it stays), "
    "reached_next (later reached a further stage or won), days_in_stage (up to the as-of "
    "day for a stay still going), stage_order (position among the workspace's stages).",
    _ENTRY,
    windowed=False,
)
def stage_entries(ctx: SourceContext, period: Period) -> ir.Table:
    """Stage entries and stays of every opportunity."""
    import ibis

    history = versions_until(ctx, ctx.as_of)
    stages = ctx.config.opportunity_stages
    order = ibis.cases(
        *[(history.stage == s.name, i) for i, s in enumerate(stages) if s.category != "lost"],
        else_=-1,
    )
    # Versions sharing a valid_from are ordered by load as in as_of, whatever the backend.
    tie_break = [history.load_id] if "load_id" in history.columns else []
    by_deal = ibis.window(
        group_by=history.opportunity_id, order_by=[history.valid_from, *tie_break]
    )
    history = history.mutate(stage_order=order, previous_stage=history.stage.lag().over(by_deal))
    entries = history.filter(
        history.previous_stage.isnull() | (history.previous_stage != history.stage)
    )
    entries = entries.select(
        "opportunity_id",
        "owner_id",
        "stage",
        "stage_order",
        entered_at=entries.valid_from,
    )
    following = ibis.window(group_by=entries.opportunity_id, order_by=entries.entered_at)
    entries = entries.mutate(left_at=entries.entered_at.lead().over(following))
    later = entries.select(
        later_deal="opportunity_id", later_at="entered_at", later_order="stage_order"
    )
    pairs = entries.join(
        later,
        [entries.opportunity_id == later.later_deal, later.later_at > entries.entered_at],
    )
    furthest = pairs.group_by(pair_deal="opportunity_id", pair_at="entered_at").aggregate(
        furthest=pairs.later_order.max()
    )
    joined = entries.left_join(
        furthest,
        [entries.opportunity_id == furthest.pair_deal, entries.entered_at == furthest.pair_at],
    )
    deals = ctx.table("opportunity").select(
        deal_id="opportunity_id", account_id="account_id", deal_owner="owner_id"
    )
    joined = joined.left_join(deals, joined.opportunity_id == deals.deal_id)
    # A history without owners (Salesforce's OpportunityHistory) keeps the deal's owner.
    joined = joined.mutate(owner_id=joined.owner_id.fill_null(joined.deal_owner))
    from datetime import timedelta

    from revops.metrics.compile import moment

    now = moment(joined, "entered_at", ctx.as_of + timedelta(days=1))
    stay_end = joined.left_at.fill_null(now)
    seconds = stay_end.epoch_seconds() - joined.entered_at.epoch_seconds()
    is_open = joined.stage.isin(open_stages(ctx))
    return joined.select(
        "opportunity_id",
        "account_id",
        "owner_id",
        "stage",
        "stage_order",
        "entered_at",
        "left_at",
        is_open_stage=is_open,
        reached_next=(joined.furthest.fill_null(-1) > joined.stage_order) & is_open,
        days_in_stage=(seconds / SECONDS_PER_DAY).cast("float64"),
    )


def won_stages(ctx: SourceContext) -> list[str]:
    """Names of the won stages."""
    return [s.name for s in ctx.config.opportunity_stages if s.category == "won"]


def won_versions(ctx: SourceContext, day: date) -> ir.Table:
    """Every version of opportunity history in a won stage that took effect by the end of
    `day`, with when it stopped holding (`valid_to`, null while current, later changes
    after `day` included so that an as-of read can tell whether it still held then):
    `opportunity_id`, `valid_from`, `valid_to`, `amount` (reporting currency),
    `close_date`, `owner_id`."""
    import ibis

    history = versions_until(ctx, day)
    tie_break = [history.load_id] if "load_id" in history.columns else []
    by_deal = ibis.window(
        group_by=history.opportunity_id, order_by=[history.valid_from, *tie_break]
    )
    history = history.mutate(valid_to=history.valid_from.lead().over(by_deal))
    won = history.filter(history.stage.isin(won_stages(ctx)))
    return won.select("opportunity_id", "valid_from", "valid_to", "amount", "close_date",
                      "owner_id")  # fmt: skip


def won_at(ctx: SourceContext, day: date) -> ir.Table:
    """Each opportunity won as its history stood at the end of `day`: the won version
    valid then (amount, close date, owner as then), with account and type.

    A deal won after `day` is not in it, whatever close date it was given; a day after
    the as-of day is read at the as-of day; history of a deal not in the model is left out.
    """
    from revops.warehouse.asof import as_of

    day = min(day, ctx.as_of)
    current = as_of(versions_until(ctx, day), end_of(day), "opportunity_id")
    current = current.filter(current.stage.isin(won_stages(ctx)))
    deals = ctx.table("opportunity").select(
        deal_id="opportunity_id", account_id="account_id", type="type", deal_owner="owner_id"
    )
    # History of a deal the model does not hold (its row was quarantined) books nothing.
    joined = current.join(deals, current.opportunity_id == deals.deal_id)
    return joined.select(
        "opportunity_id",
        "account_id",
        "type",
        "amount",
        "close_date",
        owner_id=joined.owner_id.fill_null(joined.deal_owner),
    )


@engine(
    "won_to_date",
    "One row per opportunity won in the window up to the end of the as-of day (in "
    "reporting currency), read from opportunity history as it stood at the end of the "
    "window or the as-of day: won then, with its close date then in the window. The "
    "bookings to date of a window still running, all of its bookings once it has ended; "
    "a deal won after the as-of day counts in neither, whatever its close date.",
    ("opportunity_id", "account_id", "owner_id", "type", "amount", "close_date"),
    windowed=True,
)
def won_to_date(ctx: SourceContext, period: Period) -> ir.Table:
    """Deals won from the window's start to its end or the as-of day, whichever is first."""
    from revops.metrics.compile import in_window, known_part

    won = won_at(ctx, snapshot_day(ctx, period))
    won = won.filter(in_window(won, "close_date", known_part(ctx, period)))
    return won.select("opportunity_id", "account_id", "owner_id", "type", "amount", "close_date")
