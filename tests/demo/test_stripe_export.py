"""Billing exported as Stripe's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revops.demo.exports.stripe import build_stripe

AS_OF = pd.Timestamp("2026-11-22")
ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["acc-000001", "acc-000002", "acc-000003"],
        "name": ["Initech", "Globex", "Hooli"],
        "domain": ["initech.com", "globex.com", "hooli.com"],
        "country": ["US", "DE", "US"],
    }
)
PRODUCTS = pd.DataFrame(
    {
        "product_id": ["prd-1", "prd-2"],
        "name": ["Growth", "Analytics add-on"],
        "monthly_price": [50.0, 10.0],
        "annual_price": [500.0, 100.0],
    }
)
SUBSCRIPTIONS = pd.DataFrame(
    {
        "subscription_id": ["sub-0000001", "sub-0000002", "sub-0000003"],
        "account_id": ["acc-000001", "acc-000001", "acc-000002"],
        "opportunity_id": ["opp-1", "opp-1", "opp-2"],
        "product_id": ["prd-1", "prd-2", "prd-1"],
        "interval": ["year", "month", "month"],
        "quantity": [4, 2, 3],
        "unit_price": [500.0, 10.0, 50.0],
        "start_date": pd.to_datetime(["2025-01-31", "2025-03-15", "2024-06-10"]),
        "end_date": pd.to_datetime([None, "2025-08-14", None]),
        "canceled_at": pd.to_datetime([None, "2025-08-01", "2026-11-01"]),
    }
)
INVOICES = pd.DataFrame(
    {
        "invoice_id": ["inv-00000001", "inv-00000002"],
        "account_id": ["acc-000001", "acc-000002"],
        "subscription_id": ["sub-0000001", "sub-0000003"],
        "issued_at": pd.to_datetime(["2025-01-31 00:00", "2026-11-10 00:00"]),
        "due_date": pd.to_datetime(["2025-03-02", "2026-12-10"]),
        "paid_at": pd.to_datetime(["2025-02-10 09:00", None]),
        "amount": [2000.0, 150.0],
        "status": ["paid", "open"],
    }
)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return build_stripe(
        ACCOUNTS, SUBSCRIPTIONS, INVOICES, PRODUCTS, AS_OF, np.random.default_rng(9)
    )


def test_only_customers_that_subscribed_are_in_stripe(tables: dict[str, pd.DataFrame]) -> None:
    customers = tables["customers"]
    assert customers["name"].tolist() == ["Initech", "Globex"]
    assert customers["id"].str.match(r"^cus_[0-9A-Za-z]{14}$").all()
    synced = customers["metadata_salesforce_account_id"]
    assert synced[synced != ""].str.len().eq(18).all()


def test_amounts_are_in_cents_and_times_in_unix_seconds(tables: dict[str, pd.DataFrame]) -> None:
    prices = tables["prices"].set_index("unit_amount")
    assert sorted(prices.index) == [1000, 5000, 50000]
    assert prices.loc[50000, "recurring_interval"] == "year"
    invoices = tables["invoices"]
    assert invoices["amount_due"].tolist() == [200000, 15000]
    assert invoices["amount_paid"].tolist() == [200000, 0]
    assert invoices["created"].tolist()[0] == str(int(pd.Timestamp("2025-01-31").timestamp()))
    assert invoices["status_transitions_paid_at"].tolist()[1] == ""


def test_subscription_status_and_current_period_follow_the_billing_anchor(
    tables: dict[str, pd.DataFrame],
) -> None:
    subscriptions = tables["subscriptions"]
    assert subscriptions["status"].tolist() == ["active", "canceled", "active"]
    assert subscriptions["cancel_at_period_end"].tolist() == ["false", "false", "true"]

    def day(value: str) -> str:
        return pd.Timestamp(int(value), unit="s").strftime("%Y-%m-%d")

    yearly, ended, monthly = subscriptions.to_dict("records")
    assert (day(yearly["current_period_start"]), day(yearly["current_period_end"])) == (
        "2026-01-31",
        "2027-01-31",
    )
    assert (day(monthly["current_period_start"]), day(monthly["current_period_end"])) == (
        "2026-11-10",
        "2026-12-10",
    )
    assert day(ended["ended_at"]) == "2025-08-14"
    items = tables["subscription_items"]
    assert items["subscription"].tolist() == subscriptions["id"].tolist()
    assert set(items["price"]) <= set(tables["prices"]["id"])


def test_the_same_seed_gives_the_same_ids() -> None:
    again = build_stripe(
        ACCOUNTS, SUBSCRIPTIONS, INVOICES, PRODUCTS, AS_OF, np.random.default_rng(9)
    )
    other = build_stripe(
        ACCOUNTS, SUBSCRIPTIONS, INVOICES, PRODUCTS, AS_OF, np.random.default_rng(8)
    )
    first = build_stripe(
        ACCOUNTS, SUBSCRIPTIONS, INVOICES, PRODUCTS, AS_OF, np.random.default_rng(9)
    )
    assert first["customers"].equals(again["customers"])
    assert not first["customers"]["id"].equals(other["customers"]["id"])


def test_a_one_off_buyer_is_a_customer_with_invoices_and_no_subscription() -> None:
    order = pd.DataFrame(
        {
            "invoice_id": ["inv-00000003"],
            "account_id": ["acc-000003"],
            "subscription_id": [None],
            "issued_at": pd.to_datetime(["2026-05-04 09:00"]),
            "due_date": pd.to_datetime(["2026-06-03"]),
            "paid_at": pd.to_datetime(["2026-05-09 10:00"]),
            "amount": [812.5],
            "status": ["paid"],
        }
    )
    invoices = pd.concat([INVOICES, order], ignore_index=True)

    found = build_stripe(
        ACCOUNTS, SUBSCRIPTIONS, invoices, PRODUCTS, AS_OF, np.random.default_rng(9)
    )

    assert found["customers"]["name"].tolist() == ["Initech", "Globex", "Hooli"]
    hooli = found["customers"].set_index("name").loc["Hooli", "id"]
    row = found["invoices"].set_index("customer").loc[hooli]
    assert pd.isna(row["subscription"])
    assert row["amount_paid"] == 81250
    assert hooli not in set(found["subscriptions"]["customer"])
