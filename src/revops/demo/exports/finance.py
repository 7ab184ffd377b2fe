"""The finance team's GTM cost ledger, shaped like a general-ledger detail export.

One row per month, GL account, department and class (the marketing channel, for program
spend), as an ERP such as NetSuite exports a GL detail report: `Period` as `Mar 2024`,
`Account` as `6110 Salaries & Wages`, amounts with two decimals, an occasional credit
(negative amount) where a vendor refunded part of a month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Fully loaded monthly cost of one person in each role, USD.
MONTHLY_COST = {
    "AE": 12_500.0,
    "SDR": 7_000.0,
    "CSM": 9_000.0,
    "manager": 16_000.0,
    "marketing": 10_000.0,
    "revops": 11_000.0,
    "executive": 25_000.0,
}
SOFTWARE_PER_HEAD = 450.0
COMMISSION_RATE = 0.10
DEPARTMENT_NAMES = {
    "sales": "Sales",
    "marketing": "Marketing",
    "success": "Customer Success",
    "revops": "Revenue Operations",
}
CHANNEL_CLASSES = {
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
    "organic": "Content & SEO",
    "events": "Events",
    "outbound": "Outbound",
    "partner": "Partner Marketing",
    "referral": "Referral Program",
}
ACCOUNTS = {
    "salaries": "6110 Salaries & Wages",
    "commissions": "6120 Commissions",
    "programs": "6210 Marketing Programs",
    "software": "6310 Software Subscriptions",
}
COLUMNS = ["Period", "Account", "Department", "Class", "Amount", "Currency", "Memo"]


def build_gtm_ledger(
    users: pd.DataFrame,
    teams: pd.DataFrame,
    opportunities: pd.DataFrame,
    channel_spend: pd.DataFrame,
    months: pd.DatetimeIndex,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ledger rows for `months` (first days of month), sorted by period and account.

    Salaries and software follow head count by department; commissions follow bookings
    won in the month; marketing programs follow the channel spend.
    """
    department = users["team_id"].map(teams.set_index("team_id")["department"]).fillna("sales")
    monthly = users["role"].map(MONTHLY_COST).fillna(8_000.0).to_numpy()
    hired = users["hire_date"].to_numpy("datetime64[D]")
    left = users["termination_date"].to_numpy("datetime64[D]")
    columns = ["month", "category", "department", "channel", "amount", "memo"]
    staffing = []
    for month in months:
        start = np.datetime64(month.date(), "D")
        end = np.datetime64((month + pd.offsets.MonthEnd(0)).date(), "D")
        employed = (hired <= end) & (np.isnat(left) | (left >= start))
        staff = pd.DataFrame({"department": department[employed], "cost": monthly[employed]})
        cost = staff.groupby("department", sort=True)["cost"].agg(["sum", "size"]).reset_index()
        staffing.append(
            pd.DataFrame(
                {
                    "month": month,
                    "category": np.repeat(["salaries", "software"], len(cost)),
                    "department": np.tile(cost["department"].to_numpy(), 2),
                    "channel": "",
                    "amount": np.concatenate(
                        [cost["sum"].to_numpy(), cost["size"].to_numpy() * SOFTWARE_PER_HEAD]
                    ),
                    "memo": np.repeat(["Payroll", "Licences"], len(cost)),
                }
            )
        )
    won = opportunities[opportunities["is_won"].astype(bool)]
    booked = won.groupby(won["closed_at"].dt.to_period("M").dt.to_timestamp())["amount"].sum()
    booked = booked[booked.index.isin(months)]
    commissions = pd.DataFrame(
        {
            "month": booked.index,
            "category": "commissions",
            "department": "sales",
            "channel": "",
            "amount": booked.to_numpy() * COMMISSION_RATE,
            "memo": "Accrual",
        }
    )
    programs = pd.DataFrame(
        {
            "month": pd.to_datetime(channel_spend["month"]),
            "category": "programs",
            "department": "marketing",
            "channel": channel_spend["channel"],
            "amount": channel_spend["amount"],
            "memo": "Program spend",
        }
    )
    ledger = pd.concat([*staffing, commissions, programs], ignore_index=True)[columns]
    return _shape(_add_credits(ledger, rng))


def _add_credits(ledger: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few program lines get a vendor credit in the same month, as real ledgers do."""
    programs = ledger.index[ledger["category"] == "programs"].to_numpy()
    chosen = programs[rng.random(programs.size) < 0.03]
    credits = ledger.loc[chosen].copy()
    credits["amount"] = -(credits["amount"] * rng.uniform(0.05, 0.2, chosen.size)).round(2)
    credits["memo"] = "Vendor credit"
    return pd.concat([ledger, credits], ignore_index=True)


def _shape(ledger: pd.DataFrame) -> pd.DataFrame:
    ledger = ledger.sort_values(
        ["month", "category", "department", "channel", "memo"], kind="stable"
    )
    return pd.DataFrame(
        {
            "Period": ledger["month"].dt.strftime("%b %Y"),
            "Account": ledger["category"].map(ACCOUNTS),
            "Department": ledger["department"].map(DEPARTMENT_NAMES),
            "Class": ledger["channel"].map(CHANNEL_CLASSES).fillna(""),
            "Amount": ledger["amount"].round(2).map("{:.2f}".format),
            "Currency": "USD",
            "Memo": ledger["memo"],
        },
        columns=COLUMNS,
    ).reset_index(drop=True)
