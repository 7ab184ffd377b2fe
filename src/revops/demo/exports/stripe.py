"""Billing, shaped like Stripe's tables as Stripe Data Pipeline or Sigma deliver them:
`customers`, `products`, `prices`, `subscriptions`, `subscription_items`, `invoices`,
with Stripe's ids (`cus_…`), amounts in cents, Unix-second timestamps and lower-case
currency codes. A share of customers carries the CRM account id in its metadata, as a
CRM sync would leave it; the others can only be matched by name, email or domain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.ids import canonical_number, salesforce_ids, stripe_id


def _unix(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    seconds = (stamps - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
    return seconds.astype("Int64").astype(str).replace("<NA>", "")


def _cents(values: pd.Series) -> pd.Series:
    return (values.astype(float) * 100).round().astype(np.int64)


def build_stripe(
    accounts: pd.DataFrame,
    subscriptions: pd.DataFrame,
    invoices: pd.DataFrame,
    products: pd.DataFrame,
    as_of: pd.Timestamp,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    """Stripe's tables (file stem → rows) for the customers that ever subscribed."""
    billed = subscriptions["account_id"].tolist() + invoices["account_id"].tolist()
    customers = accounts[accounts["account_id"].isin(billed)]
    customer_ids = pd.Series(
        stripe_id("cus", canonical_number(customers["account_id"]), rng),
        index=customers["account_id"].to_numpy(),
    )
    product_ids = pd.Series(
        stripe_id("prod", np.arange(1, len(products) + 1), rng),
        index=products["product_id"].to_numpy(),
    )
    subscription_ids = pd.Series(
        stripe_id("sub", canonical_number(subscriptions["subscription_id"]), rng),
        index=subscriptions["subscription_id"].to_numpy(),
    )
    # Negotiated prices are prices of their own in Stripe: one per product, interval and amount.
    price_keys = (
        subscriptions.groupby(["product_id", "interval", "unit_price"], sort=True)["start_date"]
        .min()
        .rename("first_used")
        .reset_index()
    )
    price_keys["price_id"] = stripe_id("price", np.arange(1, len(price_keys) + 1), rng)
    synced = rng.random(len(customers)) < 0.8
    crm_ids = salesforce_ids(customers["account_id"], "001")
    tables = {
        "customers": pd.DataFrame(
            {
                "id": customer_ids.to_numpy(),
                "name": customers["name"].to_numpy(),
                "email": ("billing@" + customers["domain"]).to_numpy(),
                "created": _unix(
                    customers["account_id"].map(
                        subscriptions.groupby("account_id")["start_date"].min()
                    )
                ).to_numpy(),
                "currency": "usd",
                "address_country": customers["country"].to_numpy(),
                "metadata_salesforce_account_id": np.where(synced, crm_ids.to_numpy(), ""),
            }
        ),
        "products": pd.DataFrame(
            {
                "id": product_ids.to_numpy(),
                "name": products["name"].to_numpy(),
                "active": "true",
                "created": _unix(pd.Series([subscriptions["start_date"].min()] * len(products))),
            }
        ),
        "prices": pd.DataFrame(
            {
                "id": price_keys["price_id"],
                "product": price_keys["product_id"].map(product_ids),
                "unit_amount": _cents(price_keys["unit_price"]),
                "currency": "usd",
                "recurring_interval": price_keys["interval"],
                "created": _unix(price_keys["first_used"]),
            }
        ),
    }
    tables["subscriptions"], tables["subscription_items"] = _subscriptions(
        subscriptions, customer_ids, subscription_ids, price_keys, as_of, rng
    )
    tables["invoices"] = _invoices(invoices, customer_ids, subscription_ids, rng)
    return tables


def _subscriptions(
    subscriptions: pd.DataFrame,
    customer_ids: pd.Series,
    subscription_ids: pd.Series,
    price_keys: pd.DataFrame,
    as_of: pd.Timestamp,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = pd.to_datetime(subscriptions["start_date"])
    end = pd.to_datetime(subscriptions["end_date"])
    ended = end.notna() & (end < as_of)
    step = np.where(subscriptions["interval"] == "year", 12, 1)
    reference = end.where(ended, as_of)
    period_start = _anchored(start, reference, step)
    period_end = _anchored(start, reference, step, shift=1)
    canceled = pd.to_datetime(subscriptions["canceled_at"])
    price = subscriptions.merge(price_keys, on=["product_id", "interval", "unit_price"], how="left")
    sub_ids = subscriptions["subscription_id"].map(subscription_ids)
    items = pd.DataFrame(
        {
            "id": stripe_id("si", canonical_number(subscriptions["subscription_id"]), rng),
            "subscription": sub_ids.to_numpy(),
            "price": price["price_id"].to_numpy(),
            "quantity": subscriptions["quantity"].to_numpy(),
            "created": _unix(start).to_numpy(),
        }
    )
    table = pd.DataFrame(
        {
            "id": sub_ids.to_numpy(),
            "customer": subscriptions["account_id"].map(customer_ids).to_numpy(),
            "status": np.where(ended, "canceled", "active"),
            "created": _unix(start).to_numpy(),
            "start_date": _unix(start).to_numpy(),
            "current_period_start": _unix(period_start).to_numpy(),
            "current_period_end": _unix(period_end).to_numpy(),
            "cancel_at_period_end": np.where(canceled.notna() & ~ended, "true", "false"),
            "canceled_at": _unix(canceled).to_numpy(),
            "ended_at": _unix(end.where(ended)).to_numpy(),
        }
    )
    return table, items


def _anchored(
    start: pd.Series, reference: pd.Series, step: np.ndarray, shift: int = 0
) -> pd.Series:
    """The start (shift=0) or end (shift=1) of the billing period holding `reference`,
    for periods of `step` months anchored on each subscription's start day."""
    first = start.to_numpy("datetime64[D]")
    ref = reference.to_numpy("datetime64[D]")
    start_month = first.astype("datetime64[M]")
    day = (first - start_month.astype("datetime64[D]")).astype(int)
    elapsed = (ref.astype("datetime64[M]") - start_month).astype(int)
    ref_day = (ref - ref.astype("datetime64[M]").astype("datetime64[D]")).astype(int)
    elapsed = np.maximum(0, elapsed - (ref_day < day))
    months = (elapsed // step + shift) * step
    month = start_month + months
    length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(int)
    anchored = month.astype("datetime64[D]") + np.minimum(day, length - 1)
    return pd.Series(anchored, index=start.index)


STATUS = {"paid": "paid", "open": "open", "uncollectible": "uncollectible"}


def _invoices(
    invoices: pd.DataFrame,
    customer_ids: pd.Series,
    subscription_ids: pd.Series,
    rng: np.random.Generator,
) -> pd.DataFrame:
    amount = _cents(invoices["amount"])
    paid = invoices["status"] == "paid"
    prefix = pd.Series(stripe_id("in", canonical_number(invoices["invoice_id"]), rng))
    sequence = invoices.groupby("account_id").cumcount() + 1
    numbers = (
        invoices["account_id"].map(customer_ids).str[4:12].str.upper()
        + "-"
        + sequence.map("{:04d}".format)
    )
    return pd.DataFrame(
        {
            "id": prefix.to_numpy(),
            "customer": invoices["account_id"].map(customer_ids).to_numpy(),
            "subscription": invoices["subscription_id"].map(subscription_ids).to_numpy(),
            "number": numbers.to_numpy(),
            "status": invoices["status"].map(STATUS).to_numpy(),
            "amount_due": amount.to_numpy(),
            "amount_paid": np.where(paid, amount, 0),
            "currency": "usd",
            "created": _unix(invoices["issued_at"]).to_numpy(),
            "due_date": _unix(invoices["due_date"]).to_numpy(),
            "status_transitions_paid_at": _unix(invoices["paid_at"]).to_numpy(),
        }
    )
