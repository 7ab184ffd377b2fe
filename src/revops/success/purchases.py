"""The purchases of buyers without a contract, read from invoices in the warehouse.

A *non-contractual* customer is a company (golden account) that was invoiced but never had
a subscription line: its purchases come when it wants, and the BG/NBD model, not a churn
rate, tells whether it is still a customer. Each issued invoice is a purchase, valued at
its amount net of tax in the reporting currency; drafts and void invoices are not.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import SourceContext

NOT_PURCHASES = ("draft", "void")


def non_contractual_purchases(ctx: SourceContext, end: date) -> ir.Table:
    """Invoices up to `end` of companies that never had a subscription line, one row per
    invoice: `customer_id` (the golden account), `purchase_date`, `amount` (net of tax)."""
    invoices = ctx.table("invoice")
    invoices = invoices.filter(
        invoices.issue_date.notnull()
        & (invoices.issue_date <= end)
        & ~invoices.status.isin(list(NOT_PURCHASES)).fill_null(False)
    )
    golden = ctx.golden_accounts()
    billed = invoices.left_join(golden, invoices.account_id == golden.account_id)
    billed = billed.select(
        customer_id=billed.golden_account_id.fill_null(billed.account_id),
        purchase_date=billed.issue_date,
        amount=(billed.amount - billed.tax_amount.fill_null(0)).cast("float64"),
    )
    lines = ctx.table("subscription_line")
    golden_lines = ctx.golden_accounts()
    subscribed = lines.left_join(golden_lines, lines.account_id == golden_lines.account_id)
    subscribers = subscribed.select(
        subscriber_id=subscribed.golden_account_id.fill_null(subscribed.account_id)
    ).distinct()
    billed = billed.view()
    return billed.anti_join(subscribers, billed.customer_id == subscribers.subscriber_id)
