"""Engine source of ARR: twelve times the MRR before it was rounded to the cent.

A subscription line keeps its MRR in cents (4 × $500 a year → 166.67), so twelve times the
sum of lines' MRR drifts from what customers pay a year (2,000.04, not 2,000). A line's ARR
is therefore its amount per year — unit price × quantity × billing periods a year — when
that amount spread over twelve months rounds to the MRR the line carries (the line's MRR
is that amount, unrounded), and twelve times its MRR otherwise (a discount or a
proration the price does not show). ARR is thus always twelve times MRR, up to the
rounding of MRR to the cent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.engines.mrr import subscription_lines, with_owner
from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

PERIODS_A_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
"""Billing periods in a year, per billing_interval."""
ARR_COLUMNS = ("account_id", "arr", "owner_id")


def line_arr(ctx: SourceContext) -> ir.Table:
    """The paid lines of :func:`subscription_lines` with each line's `arr`."""
    import ibis

    lines = subscription_lines(ctx)
    raw = ctx.table("subscription_line")
    prices = raw.select(
        price_line_id=raw.subscription_line_id,
        unit_price=raw.unit_price,
        quantity=raw.quantity,
        interval=raw.billing_interval.lower().strip(),
    )
    joined = lines.left_join(prices, lines.subscription_line_id == prices.price_line_id)
    periods = ibis.cases(
        *((joined.interval == name, count) for name, count in PERIODS_A_YEAR.items()),
        else_=ibis.null("int64"),
    )
    yearly = joined.unit_price.cast("float64") * joined.quantity.fill_null(1) * periods
    monthly = joined.mrr.cast("float64")
    # Spread over twelve months, the amount a year rounds to the line's MRR: it is the MRR.
    exact = (yearly / 12 - monthly).abs() <= 0.005 + 1e-9
    arr = ibis.ifelse(exact.fill_null(False), yearly, monthly * 12)
    return joined.select("account_id", "start_date", "last_date", arr=arr)


@engine(
    "arr_snapshot",
    "One row per account paying on the window's last day (or the as-of day, if earlier): "
    "its ARR, twelve times its MRR before rounding (a line's price x quantity x billing "
    "periods a year, where that is what its MRR says), and the account's owner_id.",
    ARR_COLUMNS,
    windowed=True,
)
def arr_snapshot(ctx: SourceContext, period: Period) -> ir.Table:
    """ARR per account at the end of the window."""
    import ibis

    day = ibis.literal(min(period.last_day, ctx.as_of), type="date")
    lines = line_arr(ctx)
    active = lines.filter(
        (lines.start_date <= day) & (lines.last_date.isnull() | (lines.last_date >= day))
    )
    totals = active.group_by("account_id").aggregate(arr=active.arr.sum())
    return with_owner(ctx, totals.filter(totals.arr != 0))
