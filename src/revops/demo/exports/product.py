"""Export of the product-analytics tool: monthly usage per customer account.

The shape of a product-analytics account report (Pendo, Amplitude, Mixpanel group
analytics) whose CRM sync names each account by its Salesforce id: one row per account and
month, the month's distinct active users and tracked events.
"""

from __future__ import annotations

import pandas as pd

from revops.demo.ids import salesforce_ids


def build_product_usage(usage: pd.DataFrame) -> pd.DataFrame:
    """`product/usage.csv`: active users and events per account and month."""
    return pd.DataFrame(
        {
            "CRM Account ID": salesforce_ids(usage["account_id"], "001").to_numpy(),
            "Month": pd.to_datetime(usage["month"]).dt.strftime("%Y-%m").to_numpy(),
            "Active Users": usage["active_users"].to_numpy(),
            "Events": usage["events"].to_numpy(),
        }
    )
