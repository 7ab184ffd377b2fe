"""Engine sources of subscription revenue: MRR at a date, its monthly movements, retention.

MRR at a day is read at the day's end, the next day at 00:00 UTC: the sum of the net
`mrr` of the paid spans (:mod:`revops.metrics.engines.lines`: versions, scheduled ends,
discounts; trials count as none) that started before that instant and had not stopped
by it. A subscription that stopped at 2024-03-31T10:00Z is not in March's closing MRR; one
paid to 2024-04-01T00:00Z is, and churns in April. Movements compare each account's MRR
at consecutive month ends, so opening MRR plus the month's movements is its closing MRR,
exactly; every change an account makes in a month nets into one movement (two
subscriptions bought together, or one swapped for another at the same instant, are one).

Conventions (revops.yaml `metrics:`):
- `churn_dated_at: period_end` keeps a cancelled line until its end (the paid period);
  `cancellation` stops it at `canceled_at`.
- `reactivation_grace_days: N` bridges a gap of at most N days in which the account pays
  nothing, between its last line's end (per `churn_dated_at`) and its next line: the
  old line counts until the new one starts, so a short lapse is neither churn nor
  reactivation. A gap while another line of the account keeps paying is not bridged.

Every source row carries the account's `owner_id`, so owner and team slice these KPIs.
Movements also carry the account's acquisition `channel` (:func:`with_channel`), so new
customers, and the CAC built on them, slice by the channel that won them.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache, reduce
from typing import TYPE_CHECKING

from revops.metrics.engines.lines import day_end, paid_spans
from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_DAY = timedelta(days=1)
MOVEMENT_COLUMNS = (
    "account_id",
    "month_start_date",
    "measured_on",
    "opening_mrr",
    "closing_mrr",
    "movement",
    "amount",
    "gain",
    "loss",
    "is_first_month",
    "is_last_month",
    "months_measured",
    "gross_margin",
    "owner_id",
    "channel",
)
RETENTION_COLUMNS = (
    "account_id",
    "start_mrr",
    "end_mrr",
    "retained_mrr",
    "is_retained",
    "owner_id",
)
SNAPSHOT_COLUMNS = ("account_id", "mrr", "owner_id")


def subscription_lines(ctx: SourceContext) -> ir.Table:
    """Paid spans: `account_id`, `mrr` from `starts_at` to `ends_at` (exclusive instants,
    UTC; `ends_at` null: open-ended), see :mod:`revops.metrics.engines.lines`.

    With `churn_dated_at: cancellation` a cancelled line stops at its `canceled_at`. With
    `reactivation_grace_days: N`, a line after which the account pays nothing runs on
    until the account's next line starts, when that start is at most N days after the
    line's end.
    """
    import ibis

    lines = paid_spans(ctx.table("subscription_line"))
    if ctx.settings.churn_dated_at == "cancellation":
        stop = lines.canceled_at
        lines = lines.mutate(
            ends_at=ibis.cases(
                (stop.isnull(), lines.ends_at),
                (lines.ends_at.isnull() | (stop < lines.ends_at), stop),
                else_=lines.ends_at,
            )
        )
    lines = lines.select("subscription_line_id", "account_id", "mrr", "starts_at", "ends_at")
    grace = ctx.settings.reactivation_grace_days
    if grace == 0:
        return lines
    bridge = ibis.interval(seconds=grace * 86_400)
    # Lines whose account still pays when they end: no gap to bridge.
    other = lines.view()
    covering = lines.join(
        other,
        [
            lines.account_id == other.account_id,
            lines.subscription_line_id != other.subscription_line_id,
            lines.ends_at.notnull(),
            other.starts_at <= lines.ends_at,
            other.ends_at.isnull() | (other.ends_at > lines.ends_at),
        ],
    )
    covered = covering.select(covered_line=covering.subscription_line_id).distinct()
    # The others end the account's paying: a return within the grace days continues them.
    later = lines.view()
    pairs = lines.join(
        later,
        [
            lines.account_id == later.account_id,
            lines.ends_at.notnull(),
            later.starts_at >= lines.ends_at,
            later.starts_at <= lines.ends_at + bridge,
        ],
    )
    pairs = pairs.select(line=pairs.subscription_line_id, next_start=pairs.starts_at_right)
    pairs = pairs.anti_join(covered, pairs.line == covered.covered_line)
    bridged = pairs.group_by("line").aggregate(next_start=pairs.next_start.min())
    joined = lines.left_join(bridged, lines.subscription_line_id == bridged.line)
    return joined.mutate(ends_at=ibis.coalesce(joined.next_start, joined.ends_at)).drop(
        "line", "next_start"
    )


def mrr_at(lines: ir.Table, day: date) -> ir.Table:
    """Each account's MRR at the end of `day`: `account_id`, `mrr` (accounts with none
    are absent). A span counts when it started before the day's end and had not ended
    by then: a subscription ending at 2024-03-31T10:00Z is not in March's closing MRR."""
    import ibis

    edge = ibis.literal(day_end(day), type="timestamp('UTC')")
    active = lines.filter(
        (lines.starts_at < edge) & (lines.ends_at.isnull() | (lines.ends_at >= edge))
    )
    totals = active.group_by("account_id").aggregate(mrr=active.mrr.sum())
    return totals.filter(totals.mrr != 0)


def measured_days(ctx: SourceContext, period: Period) -> list[tuple[date, date]]:
    """(month start, day MRR is measured) for each calendar month of `period` up to as-of.

    The measurement is the month's last day, or the as-of day in the month that holds it.
    """
    months = []
    first = period.start.replace(day=1)
    while first < period.end and first <= ctx.as_of:
        following = (first + timedelta(days=32)).replace(day=1)
        last = min(following - _DAY, period.last_day, ctx.as_of)
        if last >= period.start:
            months.append((max(first, period.start), last))
        first = following
    return months


def opening_day(period: Period) -> date:
    """The day opening MRR is measured: the day before the window."""
    return period.start - _DAY


@engine(
    "mrr_movement",
    "One row per account per month of the window in which the account had MRR at the "
    "month's start or end: opening and closing MRR, the movement (new, expansion, "
    "contraction, churn, reactivation or none), its signed amount, gain and loss; the "
    "months of the window measured and the workspace's gross margin, for lifetime value; "
    "the account's owner_id; and its acquisition channel (the lead source of the first "
    "deal its company won).",
    MOVEMENT_COLUMNS,
    windowed=True,
)
def mrr_movements(ctx: SourceContext, period: Period) -> ir.Table:
    """The monthly MRR movements of every account in the window."""
    import ibis

    lines = subscription_lines(ctx)
    days = measured_days(ctx, period)
    if not days:
        return _empty(ctx, MOVEMENT_COLUMNS)
    first_paid = _first_paid_month_end(ctx, lines, days[-1][1])
    pieces = []
    previous_day = opening_day(period)
    for index, (month_start, day) in enumerate(days):
        before = mrr_at(lines, previous_day).rename(opening_mrr="mrr")
        after = mrr_at(lines, day).rename(closing_mrr="mrr")
        both = before.outer_join(after, before.account_id == after.account_id)
        both = both.select(
            account_id=ibis.coalesce(both.account_id, both.account_id_right),
            opening_mrr=both.opening_mrr.fill_null(0),
            closing_mrr=both.closing_mrr.fill_null(0),
        )
        pieces.append(
            both.mutate(
                month_start_date=ibis.literal(month_start, type="date"),
                measured_on=ibis.literal(day, type="date"),
                is_first_month=ibis.literal(index == 0),
                is_last_month=ibis.literal(index == len(days) - 1),
            )
        )
        previous_day = day
    rows = reduce(lambda a, b: a.union(b), pieces)
    rows = rows.left_join(first_paid, rows.account_id == first_paid.first_account_id)
    amount = rows.closing_mrr - rows.opening_mrr
    starts = (rows.opening_mrr == 0) & (rows.closing_mrr != 0)
    movement = ibis.cases(
        (starts & (rows.first_paid_on >= rows.month_start_date), "new"),
        (starts, "reactivation"),
        ((rows.opening_mrr != 0) & (rows.closing_mrr == 0), "churn"),
        (amount > 0, "expansion"),
        (amount < 0, "contraction"),
        else_="none",
    )
    zero = ibis.literal(0).cast(rows.closing_mrr.type())
    rows = rows.select(
        "account_id",
        "month_start_date",
        "measured_on",
        "opening_mrr",
        "closing_mrr",
        movement=movement,
        amount=amount,
        gain=ibis.greatest(amount, zero),
        loss=ibis.greatest(-amount, zero),
        is_first_month=rows.is_first_month,
        is_last_month=rows.is_last_month,
        # On every movement row, so churn per month is defined even when nobody pays at
        # the window's end (a snapshot would then have no rows).
        months_measured=ibis.literal(len(days), type="int64"),
        gross_margin=ibis.literal(ctx.settings.gross_margin, type="float64"),
    )
    return with_channel(ctx, with_owner(ctx, rows))


def with_owner(ctx: SourceContext, rows: ir.Table) -> ir.Table:
    """`rows` with the `owner_id` of their account, so owner and team slice them; a
    billing customer without one takes its golden account's (the CRM owner)."""
    owners = ctx.dimension_values("account", "owner_id")
    owners = owners.select(owner_account_id=owners.lookup_key, owner_id=owners.value)
    joined = rows.left_join(owners, rows.account_id == owners.owner_account_id)
    return joined.drop("owner_account_id")


def with_channel(ctx: SourceContext, rows: ir.Table) -> ir.Table:
    """`rows` with `channel`: how the account was acquired, the `lead_source` of the first
    deal its company won by the as-of day (earliest close, then the smallest id), read as
    the deals stood then and joined through the golden accounts, so a billing customer
    takes the channel of its CRM account's deal. Null where no won deal is known (a
    customer who bought online, say). Like the owner, a label of rows already in scope:
    the deal it comes from may lie outside it."""
    import ibis

    from revops.metrics.engines.deal_state import deals_as_of

    def acquired() -> ir.Table:
        deals = deals_as_of(
            ctx.raw("opportunity", scoped=False),
            ctx.raw("opportunity_history", scoped=False),
            ctx.config.opportunity_stages,
            ctx.as_of,
        )
        won = deals.filter(deals.is_won & deals.closed_at.notnull() & deals.account_id.notnull())
        golden = ctx.golden_accounts()
        golden = golden.select(_deal_account=golden.account_id, _won_by=golden.golden_account_id)
        won = won.left_join(golden, won.account_id == golden._deal_account)
        won = won.mutate(_won_by=ibis.coalesce(won._won_by, won.account_id))
        first = ibis.window(group_by=won._won_by, order_by=[won.closed_at, won.opportunity_id])
        ranked = won.mutate(_rank=ibis.row_number().over(first))
        ranked = ranked.filter(ranked._rank == 0)
        return ranked.select(_channel_of=ranked._won_by, channel=ranked.lead_source)

    channels = ctx.memo("acquisition_channels", acquired).view()
    golden = ctx.golden_accounts()
    golden = golden.select(_row_account=golden.account_id, _company=golden.golden_account_id)
    joined = rows.left_join(golden, rows.account_id == golden._row_account)
    company = ibis.coalesce(joined._company, joined.account_id)
    joined = joined.mutate(_company=company).drop("_row_account")
    joined = joined.left_join(channels, joined._company == channels._channel_of)
    return joined.drop("_company", "_channel_of")


def _first_paid_month_end(ctx: SourceContext, lines: ir.Table, until: date) -> ir.Table:
    """Per account, the first day on which it had MRR at a measurement day.

    Measurement days are month ends, so an account whose first line started in a month
    is new in the first month whose end (or as-of day) finds it paying.
    """
    import ibis

    first = _earliest_start(lines)
    if first is None or first > until:
        first = until
    # The month ends from the first start's month to the one holding `until` (itself the
    # last measurement day): a slice of a fixed calendar cut by date literals, so the
    # query has one shape whatever the days (its SQL is compiled once, then reused).
    months = month_calendar()
    last = months.month_end > ibis.literal(until, type="date")
    spine = months.filter(
        months.month_end >= ibis.literal(first, type="date"),
        months.month_start <= ibis.literal(until, type="date"),
    )
    spine = spine.select(
        measured=ibis.ifelse(last, ibis.literal(until, type="date"), months.month_end),
        edge=ibis.ifelse(last, ibis.literal(day_end(until), type="timestamp('UTC')"), months.edge),
    )
    paid = lines.join(
        spine,
        [
            lines.starts_at < spine.edge,
            lines.ends_at.isnull() | (lines.ends_at >= spine.edge),
        ],
    )
    totals = paid.group_by(["account_id", "measured"]).aggregate(mrr=paid.mrr.sum())
    totals = totals.filter(totals.mrr != 0)
    firsts = totals.group_by("account_id").aggregate(first_paid_on=totals.measured.min())
    return firsts.select(
        first_account_id=firsts.account_id,
        first_paid_on=firsts.first_paid_on,
    )


CALENDAR_YEARS = (1970, 2100)
"""The years :func:`month_calendar` holds."""


@cache
def month_calendar() -> ir.Table:
    """Every month from 1970 to 2100: `month_start`, `month_end` and `edge`, the instant
    its last day ends (UTC): one table for the process, so its generated name, and the SQL
    of the queries reading it, stay the same."""
    import ibis

    starts = [date(y, m, 1) for y in range(CALENDAR_YEARS[0], CALENDAR_YEARS[1] + 1)
              for m in range(1, 13)]  # fmt: skip
    ends = [(start + timedelta(days=32)).replace(day=1) - _DAY for start in starts]
    return ibis.memtable(
        {"month_start": starts, "month_end": ends, "edge": [day_end(e) for e in ends]},
        schema={"month_start": "date", "month_end": "date", "edge": "timestamp('UTC')"},
    )


def _earliest_start(lines: ir.Table) -> date | None:
    value = lines.starts_at.min().execute()
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except TypeError:
        pass
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[no-any-return]


def _empty(ctx: SourceContext, columns: tuple[str, ...]) -> ir.Table:
    import ibis
    import pyarrow as pa

    types = {
        "account_id": pa.string(),
        "month_start_date": pa.date32(),
        "measured_on": pa.date32(),
        "movement": pa.string(),
        "is_first_month": pa.bool_(),
        "is_last_month": pa.bool_(),
        "months_measured": pa.int64(),
        "gross_margin": pa.float64(),
        "owner_id": pa.string(),
        "channel": pa.string(),
    }
    schema = pa.schema([(c, types.get(c, pa.decimal128(18, 2))) for c in columns])
    return ibis.memtable(schema.empty_table())


@engine(
    "mrr_retention",
    "One row per account that had MRR the day before the window: its MRR then "
    "(start_mrr), at the window's end (end_mrr, 0 when churned) and the part kept without "
    "expansion (retained_mrr = the smaller of the two), and the account's owner_id.",
    RETENTION_COLUMNS,
    windowed=True,
)
def mrr_retention(ctx: SourceContext, period: Period) -> ir.Table:
    """The cohort of accounts paying at the window's start, and what they pay at its end."""
    import ibis

    lines = subscription_lines(ctx)
    end = min(period.last_day, ctx.as_of)
    start = mrr_at(lines, opening_day(period)).rename(start_mrr="mrr")
    later = mrr_at(lines, end).rename(end_mrr="mrr", later_account_id="account_id")
    joined = start.left_join(later, start.account_id == later.later_account_id)
    end_mrr = joined.end_mrr.fill_null(0)
    retained = joined.select(
        "account_id",
        "start_mrr",
        end_mrr=end_mrr,
        retained_mrr=ibis.least(joined.start_mrr, end_mrr),
        is_retained=end_mrr != 0,
    )
    return with_owner(ctx, retained)


@engine(
    "mrr_snapshot",
    "One row per account paying on the window's last day (or the as-of day, if earlier): "
    "its MRR and the account's owner_id.",
    SNAPSHOT_COLUMNS,
    windowed=True,
)
def mrr_snapshot(ctx: SourceContext, period: Period) -> ir.Table:
    """MRR per account at the end of the window."""
    day = min(period.last_day, ctx.as_of)
    return with_owner(ctx, mrr_at(subscription_lines(ctx), day))
