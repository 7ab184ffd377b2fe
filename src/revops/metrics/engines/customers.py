"""Buyers without a contract: their purchases (invoices of companies never on a
subscription line) and per-customer purchase summaries (frequency, recency, age, mean
value) computed in the warehouse: only one row per customer reaches Python.

Purchases on the same day are one purchase (their amounts add up), as in Fader, Hardie &
Lee (2005). *Frequency* counts repeat purchase days, *recency* is the time from the first
purchase to the last, *age* (T) the time from the first purchase to the end of the window,
both in periods of `period_days`; *monetary* is the mean value of the repeat purchases
(the first one left out, as the Gamma-Gamma model asks).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError
from revops.metrics.sources import engine
from revops.stats.clv import CustomerValue, NonContractual, Summary

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics.sources import SourceContext

log = logging.getLogger(__name__)

Array = NDArray[np.float64]

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "age", "monetary", "first_date")


def purchase_summary(
    purchases: ir.Table,
    end: date,
    *,
    period_days: float = 7.0,
    customer: str = "customer_id",
    day: str = "purchase_date",
    amount: str = "amount",
    start: date | None = None,
) -> ir.Table:
    """The summary of each customer's purchases up to `end` (inclusive), as an expression.

    Args:
        purchases: one row per purchase (an invoice, an order line).
        end: the last day of the calibration window; later purchases are not seen.
        period_days: the length of the model's period in days (7: weeks).
        customer, day, amount: the columns of `purchases` holding the customer, the date and
            the value of a purchase.
        start: when given, only customers whose first purchase is on or after it.

    Returns:
        One row per customer: `customer_id`, `frequency`, `recency`, `age`, `monetary`
        (null without a repeat purchase) and `first_date`.
    """
    import ibis

    rows = purchases.select(
        customer_id=purchases[customer],
        day=purchases[day].cast("date"),
        amount=purchases[amount].cast("float64"),
    )
    rows = rows.filter(rows.day.notnull() & rows.customer_id.notnull() & (rows.day <= end))
    days = rows.group_by(["customer_id", "day"]).aggregate(amount=rows.amount.sum())
    first = days.day.min().over(ibis.window(group_by=days.customer_id))
    days = days.mutate(is_repeat=days.day > first)
    per = days.group_by("customer_id").aggregate(
        first_date=days.day.min(),
        last_date=days.day.max(),
        frequency=days.is_repeat.sum(),
        repeat_amount=days.amount.sum(where=days.is_repeat),
    )
    if start is not None:
        per = per.filter(per.first_date >= start)
    frequency = per.frequency.cast("int64")
    return per.select(
        "customer_id",
        frequency=frequency,
        recency=per.last_date.delta(per.first_date, unit="day").cast("float64") / period_days,
        age=ibis.date(end).delta(per.first_date, unit="day").cast("float64") / period_days,
        monetary=ibis.cases(
            (frequency > 0, per.repeat_amount / frequency.cast("float64")), else_=ibis.null()
        ),
        first_date=per.first_date,
    )


def read_summary(summary: ir.Table) -> Summary:
    """The rows of a :func:`purchase_summary` expression as arrays (one row per customer).

    Raises:
        SuccessError: no customer bought in the window.
    """
    frame = summary.select(*SUMMARY_COLUMNS[:5]).order_by("customer_id").to_pyarrow()
    if frame.num_rows == 0:
        raise SuccessError("no customer bought anything in the window")

    def column(name: str) -> Array:
        return np.asarray(frame.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)

    return Summary(
        customer_ids=[str(v) for v in frame.column("customer_id").to_pylist()],
        frequency=column("frequency"),
        recency=column("recency"),
        age=column("age"),
        monetary=np.nan_to_num(column("monetary")),
    )


NOT_PURCHASES = ("draft", "void")


def non_contractual_purchases(
    ctx: SourceContext, end: date, *, segment: str | None = None, include_subscribers: bool = False
) -> ir.Table:
    """Invoices up to `end` of companies that never had a subscription line, one row per
    invoice: `customer_id` (the golden account), `purchase_date`, `amount` (net of tax).

    `segment` keeps the invoices of account records of that segment;
    `include_subscribers` keeps those of companies with a subscription too (a segment
    valued by its invoices)."""
    invoices = ctx.table("invoice")
    invoices = invoices.filter(
        invoices.issue_date.notnull()
        & (invoices.issue_date <= end)
        & ~invoices.status.isin(list(NOT_PURCHASES)).fill_null(False)
    )
    if segment is not None:
        accounts = ctx.raw("account", scoped=False)
        chosen = accounts.filter(accounts.segment == segment).select(_member="account_id")
        invoices = invoices.semi_join(chosen, invoices.account_id == chosen._member)
    golden = ctx.golden_accounts()
    billed = invoices.left_join(golden, invoices.account_id == golden.account_id)
    billed = billed.select(
        customer_id=billed.golden_account_id.fill_null(billed.account_id),
        purchase_date=billed.issue_date,
        amount=(billed.amount - billed.tax_amount.fill_null(0)).cast("float64"),
    )
    if include_subscribers:
        return billed
    lines = ctx.table("subscription_line")
    golden_lines = ctx.golden_accounts()
    subscribed = lines.left_join(golden_lines, lines.account_id == golden_lines.account_id)
    subscribers = subscribed.select(
        subscriber_id=subscribed.golden_account_id.fill_null(subscribed.account_id)
    ).distinct()
    billed = billed.view()
    return billed.anti_join(subscribers, billed.customer_id == subscribers.subscriber_id)


PERIOD_DAYS: dict[str, float] = {"week": 7.0, "month": 365.25 / 12}
"""Length in days of the period the CLV models count time in."""


def value_customers(
    ctx: SourceContext,
    end: date,
    *,
    periods: float = 12,
    unit: str = "month",
    margin: float = 1.0,
    discount_rate: float = 0.0,
    since: date | None = None,
    segment: str | None = None,
    include_subscribers: bool = False,
) -> tuple[NonContractual, list[CustomerValue]]:
    """BG/NBD + Gamma-Gamma fitted on the invoices up to `end` of every buyer without a
    contract, and each one's expected purchases and value over the next `periods` `unit`s.

    Raises:
        SuccessError: an unknown unit, too few buyers or repeat buyers, a bad horizon.
    """
    if unit not in PERIOD_DAYS:
        raise SuccessError(f"unknown period unit {unit!r}; use week or month")
    purchases = non_contractual_purchases(
        ctx, end, segment=segment, include_subscribers=include_subscribers
    )
    summary = read_summary(
        purchase_summary(purchases, end, period_days=PERIOD_DAYS[unit], start=since)
    )
    log.info("fitting BG/NBD and Gamma-Gamma on %d customers", len(summary))
    model = NonContractual.fit(summary)
    values = model.predict(summary, periods, margin=margin, discount_rate=discount_rate)
    return model, values


VALUE_COLUMNS = ("account_id", "golden_account_id", "frequency", "p_alive",
                 "expected_purchases", "expected_spend", "expected_value")  # fmt: skip


@engine(
    "customer_value",
    "One row per company invoiced but never on a subscription line (a buyer without a "
    "contract), as of the window's end (or the as-of day): BG/NBD and Gamma-Gamma fitted on "
    "every such buyer's invoices (net of tax, one purchase per day) up to then give its "
    "frequency (repeat purchases), p_alive, expected_purchases and expected_spend per "
    "purchase over the next 12 months, and expected_value (their product x "
    "metrics.gross_margin); account_id is one of the company's account records. Empty, "
    "with a warning, when the models cannot be fitted.",
    VALUE_COLUMNS,
    windowed=True,
)
def customer_value(ctx: SourceContext, period: Period) -> ir.Table:
    """Expected purchases and value over the next 12 months of every buyer without a
    contract, at the window's end."""
    import ibis
    import pandas as pd

    end = min(period.last_day, ctx.as_of)

    def build() -> ir.Table:
        schema = {"account_id": "string", "golden_account_id": "string", "frequency": "int64",
                  **dict.fromkeys(VALUE_COLUMNS[3:], "float64")}  # fmt: skip
        try:
            _, values = value_customers(ctx, end, margin=ctx.settings.gross_margin)
        except SuccessError as exc:
            ctx.warnings.append(f"customer_value on {end}: {exc}")
            return ibis.memtable(pd.DataFrame({c: [] for c in VALUE_COLUMNS}), schema=schema)
        frame = pd.DataFrame([v.as_dict() for v in values]).rename(
            columns={"customer_id": "golden_account_id"}
        )
        table = ibis.memtable(frame[list(VALUE_COLUMNS[1:])], schema={
            k: v for k, v in schema.items() if k != "account_id"})  # fmt: skip
        return on_account_records(ctx, table)

    return ctx.memo(f"customer_value:{end.isoformat()}", build)


def on_account_records(ctx: SourceContext, table: ir.Table) -> ir.Table:
    """`table`, one row per company (`golden_account_id`), with `account_id` first: one of
    the company's account records (the lowest id), or the company's own id when it has
    none, so the catalog's account dimensions reach each row."""
    members = ctx.golden_accounts()
    members = members.group_by("golden_account_id").aggregate(member_id=members.account_id.min())
    joined = table.left_join(members, table.golden_account_id == members.golden_account_id)
    return joined.select(
        account_id=joined.member_id.fill_null(joined.golden_account_id),
        **{c: joined[c] for c in table.columns},
    )
