"""Billing: products, subscription lines (the source of MRR), invoices, orders, FX rates."""

from __future__ import annotations

from revops.model.base import (
    BOOL,
    CURRENCY,
    DATE,
    ID,
    INT,
    MONEY,
    RATE,
    TEXT,
    TIMESTAMP,
    Column,
    Entity,
)

FAMILY = "billing"

_INTERVAL = "month, quarter, year or one_time."

PRODUCT = Entity(
    "product",
    FAMILY,
    "Something we sell: a plan, add-on or service, with its list price.",
    (
        Column(
            "name", TEXT, "Product name (Gold, Silver, Onboarding package, ...).", required=True
        ),
        Column("sku", TEXT, "Product code in the billing system or price book."),
        Column("family", TEXT, "Product line, for slicing revenue by product (core, add_on, ...)."),
        Column(
            "is_recurring",
            BOOL,
            "Whether it is billed on a schedule (counts toward MRR) rather than once.",
        ),
        Column("billing_interval", TEXT, f"How often list_price is billed: {_INTERVAL}"),
        Column("list_price", MONEY, "Price per unit per billing_interval, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of list_price."),
        Column("is_active", BOOL, "Whether it can still be sold."),
    ),
)

SUBSCRIPTION_LINE = Entity(
    "subscription_line",
    FAMILY,
    "A product an account subscribes to, for a span of dates, at a monthly recurring revenue.",
    (
        Column(
            "account_id",
            ID,
            "Account (account_id) that subscribes.",
            required=True,
            ref=("account",),
        ),
        Column("product_id", ID, "Product (product_id) subscribed to.", ref=("product",)),
        Column(
            "subscription_key",
            TEXT,
            "Identifier of the subscription or contract in the billing system that groups "
            "lines bought together (Stripe sub_...).",
        ),
        Column(
            "opportunity_id",
            ID,
            "Opportunity (opportunity_id) that sold the line, if known.",
            ref=("opportunity",),
        ),
        Column(
            "item_key",
            TEXT,
            "Identifier of the subscribed item in the billing system (Stripe si_...); the "
            "versions of one item share it.",
        ),
        Column("start_date", DATE, "First day the line is active.", required=True),
        Column(
            "end_date",
            DATE,
            "Last day the line is active, inclusive (2024-12-31 for a year from 2024-01-01); "
            "null while it runs until cancelled.",
        ),
        Column(
            "valid_from",
            TIMESTAMP,
            "Instant the line (or this version of it) takes effect; start_date at 00:00 UTC "
            "when empty.",
        ),
        Column(
            "valid_to",
            TIMESTAMP,
            "Instant the line stops, exclusive (Stripe's ended_at, or the scheduled end of a "
            "subscription set to cancel); the day after end_date at 00:00 UTC when empty.",
        ),
        Column(
            "snapshot_of",
            TEXT,
            "For a version recorded by a change event: the subscription the event saw (Stripe "
            "sub_...). Such a version holds until the next version of the same subscription "
            "takes effect, and replaces the subscription's other lines from the first one on.",
        ),
        Column(
            "is_rebuilt",
            BOOL,
            "Whether this version is the state before a change, rebuilt from the change's "
            "previous values (Stripe previous_attributes), valid up to the change: only the "
            "earliest change's counts, before the subscription's first recorded version.",
        ),
        Column(
            "canceled_at",
            TIMESTAMP,
            "When the customer asked to cancel; churn is dated here or at end_date, per "
            "workspace setting.",
        ),
        Column("quantity", INT, "Units (seats, licences) subscribed."),
        Column("unit_price", MONEY, "Price per unit per billing_interval, after discount."),
        Column("billing_interval", TEXT, f"How often the line is billed: {_INTERVAL}"),
        Column(
            "interval_count",
            INT,
            "Number of billing_intervals one bill covers (3 months for a quarterly plan); "
            "1 when empty.",
        ),
        Column(
            "mrr",
            MONEY,
            "Monthly recurring revenue of the line before discount, in currency: the billed "
            "amount spread over the months it covers (4 x $500 a year = 166.67; $210 every "
            "3 months = 70).",
            required=True,
        ),
        Column(
            "discount_mrr",
            MONEY,
            "Monthly amount a recurring discount takes off mrr while it applies, in currency.",
        ),
        Column(
            "discount_ends_at",
            TIMESTAMP,
            "Instant the discount stops applying (a coupon repeating for N months); null "
            "while it lasts as long as the line.",
        ),
        Column("currency", CURRENCY, "ISO 4217 code of mrr and unit_price.", required=True),
        Column("is_trial", BOOL, "Whether the line is a free trial, which counts as no MRR."),
    ),
)

INVOICE = Entity(
    "invoice",
    FAMILY,
    "A bill sent to an account: what it owes, when it was due and when it was paid.",
    (
        Column("account_id", ID, "Account (account_id) billed.", required=True, ref=("account",)),
        Column("order_id", ID, "Order (order_id) being billed, if any.", ref=("order",)),
        Column("invoice_number", TEXT, "Invoice number as printed."),
        Column("status", TEXT, "draft, open, paid, void or uncollectible."),
        Column("issue_date", DATE, "Date the invoice was issued."),
        Column("due_date", DATE, "Date payment is due."),
        Column("paid_date", DATE, "Date it was paid in full; null while unpaid."),
        Column("period_start_date", DATE, "First day of the service period billed."),
        Column("period_end_date", DATE, "Last day of the service period billed (inclusive)."),
        Column("amount", MONEY, "Total billed including tax, in currency."),
        Column("tax_amount", MONEY, "Tax included in amount, in currency."),
        Column("amount_paid", MONEY, "Amount received so far, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of the amounts."),
    ),
)

ORDER = Entity(
    "order",
    FAMILY,
    "A signed order: what an account bought, usually from a won opportunity.",
    (
        Column(
            "account_id", ID, "Account (account_id) that ordered.", required=True, ref=("account",)
        ),
        Column(
            "opportunity_id",
            ID,
            "Won opportunity (opportunity_id) the order comes from.",
            ref=("opportunity",),
        ),
        Column("order_number", TEXT, "Order number as the source shows it."),
        Column("status", TEXT, "draft, activated, fulfilled or cancelled."),
        Column("order_date", DATE, "Date the order was signed."),
        Column("start_date", DATE, "First day of the ordered service."),
        Column("end_date", DATE, "Last day of the ordered service (inclusive)."),
        Column("amount", MONEY, "Total order value, in currency."),
        Column("currency", CURRENCY, "ISO 4217 code of amount."),
    ),
)

FX_RATE = Entity(
    "fx_rate",
    FAMILY,
    "An exchange rate from one currency to the reporting currency, from a date on.",
    (
        Column("currency", CURRENCY, "ISO 4217 code of the currency converted.", required=True),
        Column(
            "valid_from",
            DATE,
            "First date the rate applies; it holds until the currency's next valid_from.",
            required=True,
        ),
        Column(
            "rate",
            RATE,
            "Units of reporting currency per unit of currency (EUR at 1.08 when reporting in USD).",
            required=True,
        ),
        Column(
            "reporting_currency",
            CURRENCY,
            "ISO 4217 code the rate converts into: the workspace reporting currency when loaded.",
        ),
    ),
)

ENTITIES = (PRODUCT, SUBSCRIPTION_LINE, INVOICE, ORDER, FX_RATE)
