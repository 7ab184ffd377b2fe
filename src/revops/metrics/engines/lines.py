"""Subscription lines as paid spans between instants: the one place that reads the
versions of a subscription, its scheduled end and its discounts.

A line counts from `starts_at` to `ends_at`, exclusive (UTC):

- `starts_at` is `valid_from`, or `start_date` at 00:00 UTC;
- `ends_at` is `valid_to` (Stripe's `ended_at`, or the scheduled end of a subscription
  set to cancel), or the day after `end_date` at 00:00 UTC; null while open-ended;
- a version recorded by a change event (`snapshot_of` set) holds until the next version
  of the same subscription takes effect, and from the subscription's first such version
  on, its other lines (the current state of an export) no longer count: the events say
  what it was; a state rebuilt from a change's previous values (`is_rebuilt`) counts only
  for the earliest change, up to it, in place of the current state; of two versions of
  one item from the same instant, the one with the greatest source id counts;
- a discount takes `discount_mrr` off `mrr` until `discount_ends_at`, after which the
  line counts at full price;
- trials, and spans at no MRR or of no length, are left out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INSTANT = "timestamp('UTC')"
SPAN_COLUMNS = ("subscription_line_id", "account_id", "mrr", "starts_at", "ends_at", "canceled_at")


def day_end(day: date) -> datetime:
    """The instant a day ends (the next day at 00:00 UTC), where MRR at that day is read.

    Examples:
        >>> day_end(date(2024, 3, 31))
        datetime.datetime(2024, 4, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)


def midnight(day: ir.DateValue) -> ir.TimestampValue:
    """A date column as the instant its day starts, UTC, whatever the session time zone."""
    import ibis

    days = day.delta(ibis.date(1970, 1, 1), unit="day")
    epoch = ibis.literal(_EPOCH, type=_INSTANT)
    return epoch + (days * 86_400).as_interval("s")


def earlier(a: ir.TimestampValue, b: ir.TimestampValue) -> ir.TimestampValue:
    """The earlier of two instants, a null one meaning "never"."""
    import ibis

    return ibis.cases((a.isnull(), b), (b.isnull() | (a <= b), a), else_=b)


def paid_spans(lines: ir.Table) -> ir.Table:
    """The spans of `lines` (the `subscription_line` table) that pay, with their MRR net of
    discount: :data:`SPAN_COLUMNS`."""
    import ibis

    spans = lines.mutate(
        starts_at=ibis.coalesce(lines.valid_from, midnight(lines.start_date)),
        ends_at=ibis.coalesce(lines.valid_to, midnight(lines.end_date + ibis.interval(days=1))),
    )
    spans = _versions_in_force(spans)
    spans = spans.filter(~spans.is_trial.fill_null(False))
    spans = _discounted(spans)
    return spans.filter(
        (spans.mrr != 0) & (spans.ends_at.isnull() | (spans.ends_at > spans.starts_at))
    )


def _versions_in_force(spans: ir.Table) -> ir.Table:
    """Each event-recorded version cut where the next one of its subscription starts; the
    subscription's other lines cut where its first version starts."""
    import ibis

    rebuilt = spans.is_rebuilt.fill_null(False)
    recorded = spans.filter(spans.snapshot_of.notnull() & ~rebuilt)
    earliest = recorded.group_by([recorded.source_system, recorded.snapshot_of]).aggregate(
        e_at=recorded.starts_at.min()
    )
    earliest = earliest.select(
        e_system=earliest.source_system, e_of=earliest.snapshot_of, e_at=earliest.e_at
    )
    # A rebuilt state counts only if it is the one before the earliest recorded change.
    checked = spans.left_join(
        earliest,
        [spans.source_system == earliest.e_system, spans.snapshot_of == earliest.e_of],
    )
    spans = checked.filter(
        ~checked.is_rebuilt.fill_null(False) | (checked.ends_at == checked.e_at)
    ).select(*spans.columns)
    # Two versions of one item taking effect at the same instant (two events in one
    # second): the source gives no order within it, so the greatest source id counts.
    same = ibis.window(
        group_by=[spans.source_system, spans.snapshot_of, spans.item_key, spans.starts_at],
        order_by=spans.source_id.desc(),
    )
    ranked = spans.mutate(_rank=ibis.row_number().over(same))
    spans = ranked.filter(
        ranked.snapshot_of.isnull() | ranked.item_key.isnull() | (ranked._rank == 0)
    ).select(*spans.columns)
    versions = spans.filter(spans.snapshot_of.notnull())
    moments = versions.select(
        v_system=versions.source_system, v_of=versions.snapshot_of, v_at=versions.starts_at
    ).distinct()
    series = ibis.window(group_by=[moments.v_system, moments.v_of], order_by=moments.v_at)
    moments = moments.mutate(v_next=moments.v_at.lead().over(series))
    firsts = moments.group_by(["v_system", "v_of"]).aggregate(f_at=moments.v_at.min())
    firsts = firsts.select(f_system=firsts.v_system, f_of=firsts.v_of, f_at=firsts.f_at)
    joined = spans.left_join(
        moments,
        [
            spans.source_system == moments.v_system,
            spans.snapshot_of == moments.v_of,
            spans.starts_at == moments.v_at,
        ],
    )
    joined = joined.left_join(
        firsts,
        [
            joined.snapshot_of.isnull(),
            joined.source_system == firsts.f_system,
            joined.subscription_key == firsts.f_of,
        ],
    )
    cut = ibis.ifelse(joined.snapshot_of.isnull(), joined.f_at, joined.v_next)
    return joined.mutate(ends_at=earlier(joined.ends_at, cut)).select(*spans.columns)


def _discounted(spans: ir.Table) -> ir.Table:
    """A discounted line as two spans: at `mrr - discount_mrr` until the discount ends,
    then at `mrr`."""
    import ibis

    discount = spans.discount_mrr.fill_null(0)
    ends = spans.discount_ends_at
    during = spans.select(
        subscription_line_id=spans.subscription_line_id,
        account_id=spans.account_id,
        mrr=spans.mrr - discount,
        starts_at=spans.starts_at,
        ends_at=ibis.ifelse(discount == 0, spans.ends_at, earlier(spans.ends_at, ends)),
        canceled_at=spans.canceled_at,
    )
    after = spans.filter((discount != 0) & ends.notnull())
    after = after.select(
        subscription_line_id=after.subscription_line_id + ibis.literal(":after discount"),
        account_id=after.account_id,
        mrr=after.mrr,
        starts_at=ibis.greatest(after.starts_at, after.discount_ends_at),
        ends_at=after.ends_at,
        canceled_at=after.canceled_at,
    )
    return during.union(after.cast(during.schema()))
