"""Engine sources of finance KPIs: cost of the period before, receivables at a date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

_GTM_COST = ("gtm_cost_id", "month_start_date", "department", "category", "channel", "amount")
_INVOICE = ("invoice_id", "account_id", "issue_date", "paid_date", "status")


def previous(period: Period) -> Period:
    """The period of the same kind (or length) that ends where `period` starts."""
    return period.shift(-1)


@engine(
    "gtm_cost_previous_period",
    "The go-to-market cost lines of the period before the window (the quarter before a "
    "quarter, the month before a month), for ratios such as the magic number.",
    _GTM_COST,
    windowed=True,
)
def previous_costs(ctx: SourceContext, period: Period) -> ir.Table:
    """Cost lines of the previous period."""
    from revops.metrics.compile import in_window

    costs = ctx.table("gtm_cost")
    before = previous(period)
    return costs.filter(in_window(costs, "month_start_date", before)).select(*_GTM_COST)


@engine(
    "receivable",
    "One row per invoice issued by the window's last day (draft and void left out): "
    "open_amount still owed then (all of it for an invoice paid later; amount - amount_paid "
    "for one still unpaid), billed_amount when it was issued in the window, and the "
    "window's days.",
    (*_INVOICE, "open_amount", "billed_amount", "days_in_window"),
    windowed=True,
)
def receivables(ctx: SourceContext, period: Period) -> ir.Table:
    """What each invoice still owed at the window's end, and what the window billed."""
    import ibis

    from revops.metrics.compile import in_window, moment

    invoices = ctx.table("invoice")
    last = min(period.last_day, ctx.as_of)
    end = moment(invoices, "issue_date", last)
    invoices = invoices.filter(
        (invoices.issue_date <= end) & ~invoices.status.isin(["draft", "void"]).fill_null(False)
    )
    zero = ibis.literal(0).cast(invoices.amount.type())
    paid_by_then = invoices.paid_date.notnull() & (invoices.paid_date <= end)
    outstanding = invoices.amount - invoices.amount_paid.fill_null(0)
    # Paid after the window: all of it was owed then. Still unpaid: what is left now (part
    # payments carry no date, so they are taken as made by then).
    open_amount = ibis.cases(
        (paid_by_then, zero),
        (invoices.paid_date.notnull(), invoices.amount),
        else_=outstanding,
    )
    billed = ibis.ifelse(in_window(invoices, "issue_date", period), invoices.amount, zero)
    return invoices.select(
        *_INVOICE,
        open_amount=ibis.greatest(open_amount, zero),
        billed_amount=billed,
        days_in_window=ibis.literal((last - period.start).days + 1, type="int64"),
    )
