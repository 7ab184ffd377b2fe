"""The demo's price book and line items, as Salesforce exports Product2 and
OpportunityLineItem: lines add up to their deal's amount at the price list's prices."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.exports.salesforce_lines import (
    LINE_FIELDS,
    PRODUCT_FIELDS,
    build_line_items,
    build_products,
)
from revops.demo.ids import salesforce_ids

PRODUCTS = pd.DataFrame(
    {
        "product_id": ["prd-001", "prd-002", "prd-003", "prd-004"],
        "name": ["Starter", "Growth", "Enterprise", "Analytics add-on"],
        "monthly_price": [29.0, 79.0, 149.0, 19.0],
    }
)
ACCOUNTS = pd.DataFrame({"account_id": ["acc-000001", "acc-000002"],
                         "segment": ["smb", "enterprise"]})  # fmt: skip
OPPORTUNITIES = pd.DataFrame(
    {
        "opportunity_id": ["opp-000001", "opp-000002", "opp-000003", "opp-000004"],
        "account_id": ["acc-000001", "acc-000002", "acc-000002", "acc-000001"],
        "amount": [12_000.0, 250_000.0, None, 8_150.55],
        "created_at": pd.to_datetime(
            ["2025-01-02 10:00", "2025-01-05 11:00", "2025-02-01 09:00", "2025-03-01 08:00"]
        ),
        "closed_at": pd.to_datetime(["2025-02-10 16:00", None, None, "2025-04-01 12:00"]),
        "close_date": pd.to_datetime(["2025-02-10", "2025-06-30", "2025-07-31", "2025-04-01"]),
    }
)


def _lines(seed: int = 3) -> pd.DataFrame:
    return build_line_items(OPPORTUNITIES, ACCOUNTS, PRODUCTS, np.random.default_rng(seed))


def test_products_are_the_price_list_with_salesforce_ids() -> None:
    products = build_products(PRODUCTS)
    assert list(products.columns) == PRODUCT_FIELDS
    assert products["Id"].tolist() == salesforce_ids(PRODUCTS["product_id"], "01t").tolist()
    assert products["Family"].tolist() == ["Plan", "Plan", "Plan", "Add-on"]
    assert products["ProductCode"].tolist() == ["S-1", "G-2", "E-3", "AA-4"]


def test_lines_add_up_to_their_deals_amount_at_list_prices_of_a_year() -> None:
    lines = _lines()
    assert list(lines.columns) == LINE_FIELDS
    total = lines.assign(total=lines["TotalPrice"].astype(float)).groupby("OpportunityId")["total"]
    by_deal = total.sum()
    deals = salesforce_ids(OPPORTUNITIES["opportunity_id"], "006")
    # The deal without an amount has no line; the others add up to the cent of a seat.
    assert set(by_deal.index) == {deals[0], deals[1], deals[3]}
    quantity = lines.groupby("OpportunityId")["Quantity"].apply(lambda q: q.astype(float).sum())
    for deal, amount in ((deals[0], 12_000.0), (deals[1], 250_000.0), (deals[3], 8_150.55)):
        assert abs(by_deal[deal] - amount) <= 0.005 * quantity[deal] + 1e-9
    ids = salesforce_ids(PRODUCTS["product_id"], "01t")
    listed = dict(zip(ids, PRODUCTS["monthly_price"], strict=True))
    assert (lines["ListPrice"].astype(float) == lines["Product2Id"].map(listed) * 12).all()
    # Sold at the list price or at most a 20 % discount off it, give or take the rounding
    # of seats.
    realised = lines["TotalPrice"].astype(float) / (
        lines["ListPrice"].astype(float) * lines["Quantity"].astype(float)
    )
    assert realised.between(0.75, 1.1).all()
    assert lines["Id"].is_unique
    assert lines["Id"].str.startswith("00k").all()


def test_a_line_changed_last_when_its_deal_closed() -> None:
    lines = _lines()
    deals = salesforce_ids(OPPORTUNITIES["opportunity_id"], "006")
    won = lines[lines["OpportunityId"] == deals[0]]
    assert set(won["SystemModstamp"]) == {"2025-02-10T16:00:00.000+0000"}
    assert set(won["CreatedDate"]) == {"2025-01-02T10:00:00.000+0000"}
    still_open = lines[lines["OpportunityId"] == deals[1]]
    assert set(still_open["LastModifiedDate"]) == {"2025-01-05T11:00:00.000+0000"}


def test_the_same_seed_draws_the_same_lines() -> None:
    assert _lines(7).equals(_lines(7))
