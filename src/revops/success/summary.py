"""Per-customer purchase summaries (frequency, recency, age, mean value) computed in the
warehouse: only one row per customer reaches Python.

Purchases on the same day are one purchase (their amounts add up), as in Fader, Hardie &
Lee (2005). *Frequency* counts repeat purchase days, *recency* is the time from the first
purchase to the last, *age* (T) the time from the first purchase to the end of the window,
both in periods of `period_days`; *monetary* is the mean value of the repeat purchases
(the first one left out, as the Gamma-Gamma model asks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from revops.errors import SuccessError

if TYPE_CHECKING:
    import ibis.expr.types as ir

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


@dataclass(frozen=True)
class Summary:
    """Customer summaries as arrays, in the order of `customer_ids`."""

    customer_ids: list[str]
    frequency: Array
    recency: Array
    age: Array
    monetary: Array

    def __len__(self) -> int:
        return len(self.customer_ids)


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
