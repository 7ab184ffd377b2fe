"""Deal snapshots: every open deal as it stood at the end of each of many as-of days.

One warehouse query builds them all: a calendar of as-of days joined to the validity
intervals of opportunity history (a version holds from its `valid_from` until the next
version's), with features that use only what was known at each day: stage and when it
was entered, amount, close date and how often it was pushed, activity recency, and the
owner's and the segment's win record on deals closed by then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from revops.metrics import SourceContext

SECONDS_PER_DAY = 86_400
RECENT_DAYS = 30
"""Activities within this many days of the as-of day count as recent."""

SNAPSHOT_COLUMNS = (
    "as_of_date",
    "opportunity_id",
    "name",
    "stage",
    "stage_order",
    "amount",
    "close_date",
    "forecast_category",
    "probability",
    "owner_id",
    "segment",
    "type",
    "lead_source",
    "days_open",
    "days_in_stage",
    "pushes",
    "days_since_activity",
    "recent_activities",
    "activities",
    "owner_won",
    "owner_closed",
    "segment_won",
    "segment_closed",
    "is_won",
    "closed_at",
)


def end_of_day(day: date) -> datetime:
    """The first moment after `day`, UTC: data stamped before it was known on `day`."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _stamp(table: ir.Table, column: str, moment: datetime) -> ir.Value:
    import ibis

    dtype = table.schema()[column]
    # Spark has no zoned timestamps: its values are UTC wall-clock times.
    return ibis.literal(moment if dtype.timezone else moment.replace(tzinfo=None), type=dtype)


def _as_int(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 where `flag` holds, else 0 (PostgreSQL casts no boolean to bigint)."""
    import ibis

    value: ir.IntegerValue = ibis.ifelse(flag, 1, 0).cast("int64")
    return value


def _calendar(ctx: SourceContext, days: Sequence[date], like: ir.Table) -> ir.Table:
    import ibis
    import pyarrow as pa

    zone = like.schema()["valid_from"].timezone
    ends = [end_of_day(d) if zone else end_of_day(d).replace(tzinfo=None) for d in days]
    frame = pa.table(
        {
            "as_of_date": pa.array(list(days), pa.date32()),
            "as_of_end": pa.array(ends, pa.timestamp("us", tz="UTC" if zone else None)),
        }
    )
    return ibis.memtable(frame)


def _versions(ctx: SourceContext, until: datetime) -> ir.Table:
    """History versions with validity, stage entry time and pushes up to each version."""
    import ibis

    history = ctx.table("opportunity_history")
    history = history.filter(history.valid_from < _stamp(history, "valid_from", until))
    tie_break = [history.load_id] if "load_id" in history.columns else []
    order = [history.valid_from, *tie_break]
    by_deal = ibis.window(group_by=history.opportunity_id, order_by=order)
    history = history.mutate(
        valid_to=history.valid_from.lead().over(by_deal),
        previous_stage=history.stage.lag().over(by_deal),
        previous_close=history.close_date.lag().over(by_deal),
    )
    entered = history.previous_stage.isnull() | (history.previous_stage != history.stage)
    pushed = history.previous_close.notnull() & (history.close_date > history.previous_close)
    history = history.mutate(
        _entry_at=ibis.ifelse(entered, history.valid_from, ibis.null(history.valid_from.type())),
        _pushed=_as_int(pushed),
    )
    running = ibis.window(
        group_by=history.opportunity_id,
        order_by=[history.valid_from, *([history.load_id] if tie_break else [])],
        rows=(None, 0),
    )
    return history.mutate(
        stage_entered_at=history._entry_at.max().over(running),
        pushes=history._pushed.sum().over(running),
    )


def deal_snapshots(ctx: SourceContext, days: Sequence[date]) -> ir.Table:
    """One row per deal open at the end of each of `days`, with its features then.

    Args:
        ctx: the metric layer's source context (amounts in reporting currency).
        days: the as-of days.

    Returns:
        An expression with :data:`SNAPSHOT_COLUMNS`. `is_won` and `closed_at` are the
        deal's outcome as the warehouse knows it now: callers must only use them as
        labels once the outcome was known at the day they fit at.
    """
    import ibis

    stages = ctx.config.opportunity_stages
    open_stages = [s.name for s in stages if s.category == "open"]
    versions = _versions(ctx, end_of_day(max(days)))
    calendar = _calendar(ctx, days, versions)
    valid = versions.join(
        calendar,
        [
            versions.valid_from < calendar.as_of_end,
            versions.valid_to.isnull() | (versions.valid_to >= calendar.as_of_end),
        ],
    )
    valid = valid.filter(valid.stage.isin(open_stages))
    deals = ctx.table("opportunity")
    deals = deals.select(
        deal_id="opportunity_id",
        name="name",
        current_owner="owner_id",
        account_id="account_id",
        type="type",
        lead_source="lead_source",
        opened_at="created_at",
        is_won="is_won",
        closed_at="closed_at",
    )
    # The segment is a lookup, not a row of the scope (as the metric layer's dimensions).
    accounts = ctx.raw("account", scoped=False)
    accounts = accounts.select(seg_account="account_id", segment="segment")
    deals = deals.left_join(accounts, deals.account_id == accounts.seg_account)
    snap = valid.join(deals, valid.opportunity_id == deals.deal_id)
    # History rarely carries the owner; the deal's current owner stands in for it.
    snap = snap.mutate(owner=snap.owner_id.fill_null(snap.current_owner))
    order = ibis.cases(*[(snap.stage == s.name, i) for i, s in enumerate(stages)], else_=-1)

    def days_between(later: ir.Value, earlier: ir.Value) -> ir.Value:
        return ((later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_DAY).cast("float64")

    snap = snap.select(
        "as_of_date",
        "as_of_end",
        "opportunity_id",
        "name",
        "stage",
        "close_date",
        "forecast_category",
        "probability",
        "segment",
        "type",
        "lead_source",
        "pushes",
        "is_won",
        "closed_at",
        owner_id=snap.owner,
        stage_order=order,
        amount=snap.amount.cast("float64"),
        days_open=days_between(snap.as_of_end, snap.opened_at),
        days_in_stage=days_between(snap.as_of_end, snap.stage_entered_at),
    )
    snap = _with_activity(ctx, snap)
    closed = _closed_by_day(ctx, versions, calendar)
    snap = _with_record(snap, closed, "owner_id", "owner")
    snap = _with_record(snap, closed, "segment", "segment")
    return snap.select(*SNAPSHOT_COLUMNS)


def _with_activity(ctx: SourceContext, snap: ir.Table) -> ir.Table:
    """Activity on each deal before each as-of day: count, recent count, days since last."""
    import ibis

    # Every activity on a deal counts, whoever logged it: only the scope's deals are joined.
    acts = ctx.raw("activity", scoped=False)
    acts = acts.filter(acts.opportunity_id.notnull()).select(
        act_deal="opportunity_id", occurred_at="occurred_at"
    )
    keys = snap.select(key_deal="opportunity_id", key_day="as_of_date", key_end="as_of_end")
    pairs = keys.join(acts, [keys.key_deal == acts.act_deal, acts.occurred_at < keys.key_end])
    recent = pairs.occurred_at >= pairs.key_end - ibis.interval(days=RECENT_DAYS)
    counts = pairs.group_by(["key_deal", "key_day", "key_end"]).aggregate(
        activities=pairs.count(),
        recent_activities=_as_int(recent).sum(),
        last_at=pairs.occurred_at.max(),
    )
    joined = snap.left_join(
        counts,
        [snap.opportunity_id == counts.key_deal, snap.as_of_date == counts.key_day],
    )
    since = (
        (joined.as_of_end.epoch_seconds() - joined.last_at.epoch_seconds()) / SECONDS_PER_DAY
    ).cast("float64")
    return joined.mutate(
        activities=joined.activities.fill_null(0),
        recent_activities=joined.recent_activities.fill_null(0),
        days_since_activity=since,
    ).drop("key_deal", "key_day", "key_end", "last_at")


def _closed_by_day(ctx: SourceContext, versions: ir.Table, calendar: ir.Table) -> ir.Table:
    """Deals closed as their history stood at the end of each as-of day: `rec_day`,
    `rec_won` (1 when won), `owner_id` (the version's, else the deal's) and `segment`.

    From history, not the deal's current state: a deal won after a day with a close date
    before it was still open on that day."""
    stages = ctx.config.opportunity_stages
    won = [s.name for s in stages if s.category == "won"]
    closed_stages = [s.name for s in stages if s.category in ("won", "lost")]
    cal = calendar.select(rec_day="as_of_date", rec_end="as_of_end")
    valid = versions.join(
        cal,
        [
            versions.valid_from < cal.rec_end,
            versions.valid_to.isnull() | (versions.valid_to >= cal.rec_end),
        ],
    )
    valid = valid.filter(valid.stage.isin(closed_stages))
    deals = ctx.table("opportunity").select(
        rec_deal="opportunity_id", rec_owner="owner_id", rec_account="account_id"
    )
    accounts = ctx.raw("account", scoped=False)
    accounts = accounts.select(rec_account_id="account_id", rec_segment="segment")
    deals = deals.left_join(accounts, deals.rec_account == accounts.rec_account_id)
    joined = valid.join(deals, valid.opportunity_id == deals.rec_deal)
    return joined.select(
        "rec_day",
        rec_won=_as_int(joined.stage.isin(won)),
        owner_id=joined.owner_id.fill_null(joined.rec_owner),
        segment=joined.rec_segment,
    )


def _with_record(snap: ir.Table, closed: ir.Table, column: str, prefix: str) -> ir.Table:
    """Deals won and closed by each as-of day, per value of `column` (owner or segment)."""
    keyed = closed.select("rec_day", "rec_won", rec_key=closed[column])
    record = keyed.group_by(["rec_day", "rec_key"]).aggregate(
        **{f"{prefix}_won": keyed.rec_won.sum(), f"{prefix}_closed": keyed.count()}
    )
    joined = snap.left_join(
        record, [snap.as_of_date == record.rec_day, snap[column] == record.rec_key]
    )
    return joined.mutate(
        **{
            f"{prefix}_won": joined[f"{prefix}_won"].fill_null(0),
            f"{prefix}_closed": joined[f"{prefix}_closed"].fill_null(0),
        }
    ).drop("rec_day", "rec_key")


def snapshot_frame(ctx: SourceContext, days: Sequence[date]) -> pd.DataFrame:
    """The snapshots of :func:`deal_snapshots` as a pandas frame.

    This is the one modelling frame a forecast pulls from the warehouse: one row per deal
    open at each as-of day (bounded by open pipeline × as-of days), which scikit-learn and
    the Monte Carlo need in memory. Every aggregate across deals was done in the query.
    """
    import pandas as pd

    if not days:
        return pd.DataFrame(columns=list(SNAPSHOT_COLUMNS))
    # Through Arrow: dates arrive as `datetime.date` objects directly, and ibis's own
    # pandas conversion (a second pass over every column) is skipped.
    frame = deal_snapshots(ctx, sorted(set(days))).to_pyarrow().to_pandas()
    frame["closed_at"] = pd.to_datetime(frame["closed_at"], utc=True)
    for name in ("amount", "probability", "days_since_activity"):
        frame[name] = frame[name].astype("float64")
    for name in ("pushes", "activities", "recent_activities"):
        frame[name] = frame[name].fillna(0).astype("int64")
    frame["is_won"] = frame["is_won"].fillna(False).astype(bool)
    ordered: pd.DataFrame = frame.sort_values(["as_of_date", "opportunity_id"])
    return ordered.reset_index(drop=True)
