"""The demo company's price book and its deals' line items, as Salesforce exports Product2
and OpportunityLineItem (Data Loader CSV: API field names, 18-character ids).

Every deal with an amount carries a line for a plan and, for some, a line for the add-on,
their totals adding up to the deal's amount (within the rounding of a seat's price to the
cent). A line lists a seat for a year at twelve
times the plan's monthly list price; the deal's discount (none, 10, 15 or 20 %) decides
how many seats its amount buys, and the sales price per seat is what it bought them at.
A line was written when its deal was created and last changed when it closed.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.exports.salesforce_format import (
    as_datetime64,
    by_number,
    sf_date,
    sf_datetime,
    sf_number,
    sf_text,
    shape,
)
from revops.demo.ids import canonical_number, salesforce_ids

PRODUCT_FIELDS = [
    "Id", "IsDeleted", "Name", "ProductCode", "Family", "IsActive", "CreatedDate",
    "LastModifiedDate", "SystemModstamp",
]  # fmt: skip
LINE_FIELDS = [
    "Id", "IsDeleted", "OpportunityId", "Product2Id", "PricebookEntryId", "ProductCode", "Name",
    "Quantity", "ListPrice", "UnitPrice", "Discount", "Subtotal", "TotalPrice", "ServiceDate",
    "CurrencyIsoCode", "CreatedDate", "LastModifiedDate", "SystemModstamp",
]  # fmt: skip
SEGMENTS = ("smb", "mid_market", "enterprise")
PLAN_MIX = np.array([[0.7, 0.3, 0.0], [0.1, 0.7, 0.2], [0.0, 0.2, 0.8]])
"""Segment → the chance of each plan (the catalogue's first three products)."""
DISCOUNTS = np.array([0.0, 0.1, 0.15, 0.2])
DISCOUNT_CHANCE = np.array([0.45, 0.3, 0.15, 0.1])
ADDON_CHANCE = 0.3
ADDON_SHARE = 0.15
"""Share of a deal's amount its add-on line carries."""
PRICE_BOOK_SINCE = datetime(2015, 1, 1)


def build_products(products: pd.DataFrame) -> pd.DataFrame:
    """The Product2 rows of the catalogue (`product_id`, `name`, ...), plans and add-on."""
    size = len(products)
    addon = np.arange(size) == size - 1
    stamp = sf_datetime(pd.Series([PRICE_BOOK_SINCE] * size))
    return shape(
        {
            "Id": salesforce_ids(products["product_id"], "01t"),
            "IsDeleted": "false",
            "Name": sf_text(products["name"]),
            "ProductCode": _codes(products),
            "Family": pd.Series(np.where(addon, "Add-on", "Plan"), dtype=object),
            "IsActive": "true",
            "CreatedDate": stamp,
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
        },
        PRODUCT_FIELDS,
        size,
    )


def build_line_items(
    opportunities: pd.DataFrame,
    accounts: pd.DataFrame,
    products: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The OpportunityLineItem rows of every deal with an amount (module doc)."""
    deals = by_number(opportunities, "opportunity_id")
    amount = pd.to_numeric(deals["amount"], errors="coerce").to_numpy(float)
    deals, amount = deals[amount > 0], amount[amount > 0]
    segment = accounts.drop_duplicates("account_id").set_index("account_id")["segment"]
    buyer = np.maximum(
        pd.Index(SEGMENTS).get_indexer(pd.Index(deals["account_id"].map(segment))), 0
    )
    size = len(deals)
    plan = (rng.random((size, 1)) > PLAN_MIX.cumsum(axis=1)[buyer]).sum(axis=1).clip(0, 2)
    discount = rng.choice(DISCOUNTS, size, p=DISCOUNT_CHANCE)
    addon = rng.random(size) < ADDON_CHANCE
    addon_amount = np.where(addon, np.round(amount * ADDON_SHARE, 2), 0.0)
    lines = pd.concat(
        [
            _lines(deals, plan, amount - addon_amount, discount, 1),
            _lines(
                deals[addon],
                np.full(addon.sum(), len(products) - 1),
                addon_amount[addon],
                discount[addon],
                2,
            ),
        ],
        ignore_index=True,
    ).sort_values(["number", "sort"], kind="stable")
    listed = products["monthly_price"].to_numpy(float)[lines["product"]] * 12
    quantity = np.maximum(1, np.round(lines["total"] / (listed * (1 - lines["discount"]))))
    unit = np.round(lines["total"] / quantity, 2)
    total = np.round(unit * quantity, 2)
    product_id = products["product_id"].to_numpy(object)[lines["product"]]
    product_ids = pd.Series(product_id, dtype=object)
    name = products["name"].to_numpy(object)[lines["product"]]
    line_number = lines["number"].to_numpy() * 2 + lines["sort"].to_numpy() - 1
    closed = as_datetime64(lines["closed_at"], "s")
    modified = pd.Series(
        np.where(np.isnat(closed), as_datetime64(lines["created_at"], "s"), closed)
    )
    return shape(
        {
            "Id": salesforce_ids(pd.Series([f"oli-{n:09d}" for n in line_number]), "00k"),
            "IsDeleted": "false",
            "OpportunityId": salesforce_ids(lines["opportunity_id"], "006"),
            "Product2Id": salesforce_ids(product_ids, "01t"),
            "PricebookEntryId": salesforce_ids(product_ids, "01u"),
            "ProductCode": pd.Series(_codes(products).to_numpy(object)[lines["product"]]),
            "Name": pd.Series(name, dtype=object),
            "Quantity": sf_number(pd.Series(quantity), 2),
            "ListPrice": sf_number(pd.Series(listed), 2),
            "UnitPrice": sf_number(pd.Series(unit), 2),
            "Discount": "",
            "Subtotal": sf_number(pd.Series(total), 2),
            "TotalPrice": sf_number(pd.Series(total), 2),
            "ServiceDate": sf_date(lines["close_date"]),
            "CurrencyIsoCode": "USD",
            "CreatedDate": sf_datetime(lines["created_at"]),
            "LastModifiedDate": sf_datetime(modified),
            "SystemModstamp": sf_datetime(modified),
        },
        LINE_FIELDS,
        len(lines),
    )


def _lines(
    deals: pd.DataFrame,
    product: npt.NDArray[np.int64],
    total: npt.NDArray[np.float64],
    discount: npt.NDArray[np.float64],
    sort: int,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "number": canonical_number(deals["opportunity_id"]),
            "sort": sort,
            "opportunity_id": deals["opportunity_id"].to_numpy(object),
            "product": product,
            "total": total,
            "discount": discount,
            "created_at": deals["created_at"].to_numpy(),
            "closed_at": deals["closed_at"].to_numpy(),
            "close_date": deals["close_date"].to_numpy(),
        }
    )


def _codes(products: pd.DataFrame) -> pd.Series:
    """Product codes: the name's initials and the catalogue position (`ST-1`)."""
    initials = products["name"].map(lambda name: "".join(w[0] for w in str(name).split()).upper())
    return pd.Series([f"{code}-{n}" for n, code in enumerate(initials, start=1)], dtype=object)
