"""The finance team's GTM cost ledger, shaped like a general-ledger detail export, and its
GTM budget, shaped like a planning sheet's flat export.

One row per month, GL account, department and class (the marketing channel, for program
spend), as an ERP such as NetSuite exports a GL detail report: `Period` as `Mar 2024`,
`Account` as `6110 Salaries & Wages`, amounts with two decimals, an occasional credit
(negative amount) where a vendor refunded part of a month.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar

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
COLUMNS = [
    "Period", "Account", "Department", "Class", "Amount", "Currency", "Memo", "Date Created"
]  # fmt: skip
CLOSE_DAY = 3
"""A month's lines are entered at its close, on this day of the next month."""


def build_gtm_ledger(
    users: pd.DataFrame,
    teams: pd.DataFrame,
    opportunities: pd.DataFrame,
    channel_spend: pd.DataFrame,
    months: pd.DatetimeIndex,
    rng: np.random.Generator,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The ledger rows for `months` (first days of month), sorted by period and account.

    Salaries and software follow head count by department; commissions follow bookings
    won in the month; marketing programs follow the channel spend. Each line is entered
    (`Date Created`, as NetSuite writes it) at its month's close, or on `as_of` for a
    month not closed by then.
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
    return _shape(_add_credits(ledger, rng), as_of)


def _add_credits(ledger: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few program lines get a vendor credit in the same month, as real ledgers do."""
    programs = ledger.index[ledger["category"] == "programs"].to_numpy()
    chosen = programs[rng.random(programs.size) < 0.03]
    credits = ledger.loc[chosen].copy()
    credits["amount"] = -(credits["amount"] * rng.uniform(0.05, 0.2, chosen.size)).round(2)
    credits["memo"] = "Vendor credit"
    return pd.concat([ledger, credits], ignore_index=True)


def _shape(ledger: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    ledger = ledger.sort_values(
        ["month", "category", "department", "channel", "memo"], kind="stable"
    )
    entered = ledger["month"] + pd.offsets.MonthBegin(1) + pd.Timedelta(days=CLOSE_DAY - 1)
    if as_of is not None:
        entered = entered.where(entered <= pd.Timestamp(as_of), pd.Timestamp(as_of))
    # NetSuite's date and time: month/day/year without leading zeros, 12-hour clock.
    created = (
        entered.dt.month.astype(str) + "/" + entered.dt.day.astype(str) + "/"
        + entered.dt.year.astype(str) + " 10:00 am"
    )  # fmt: skip
    return pd.DataFrame(
        {
            "Period": ledger["month"].dt.strftime("%b %Y"),
            "Account": ledger["category"].map(ACCOUNTS),
            "Department": ledger["department"].map(DEPARTMENT_NAMES),
            "Class": ledger["channel"].map(CHANNEL_CLASSES).fillna(""),
            "Amount": ledger["amount"].round(2).map("{:.2f}".format),
            "Currency": "USD",
            "Memo": ledger["memo"],
            "Date Created": created,
        },
        columns=COLUMNS,
    ).reset_index(drop=True)


# The budget's lines, named as a planning sheet names them: the ledger's accounts rolled up.
BUDGET_CATEGORIES = {
    "6110 Salaries & Wages": "Headcount",
    "6120 Commissions": "Headcount",
    "6210 Marketing Programs": "Programs",
    "6310 Software Subscriptions": "Software",
}
COST_CENTERS = {
    "Sales": "SLS",
    "Marketing": "MKT",
    "Customer Success": "CS",
    "Revenue Operations": "REV",
}
CATEGORY_CODES = {"Headcount": 100, "Programs": 200, "Software": 300}
BUDGET_COLUMNS = [
    "Department",
    "Category",
    "Month",
    "Budget",
    "Currency",
    "Cost Center",
    "Owner Email",
    "Revised At",
]
APPROVED_DAYS_BEFORE = 15
"""Each year's budget is approved this many days before the fiscal year starts."""


def build_budget(
    ledger: pd.DataFrame,
    users: pd.DataFrame,
    teams: pd.DataFrame,
    calendar: FiscalCalendar,
    as_of: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Finance's GTM budget for every fiscal year of the ledger, as a planning sheet
    exports it flat: one row per department, category and month of the whole year.

    Each year plans a flat monthly amount per department and category: the previous
    year's monthly average grown by 5-25 % (the first year, its own months so far give or
    take 10 %), rounded to 500, so actual spend runs over some lines and under others.
    Each year's lines are dated (`Revised At`) the day the budget was approved, shortly
    before the year starts, so the budget is known as of any day of the year.
    """
    spend = pd.DataFrame(
        {
            "month": pd.to_datetime(ledger["Period"], format="%b %Y"),
            "Department": ledger["Department"],
            "Category": ledger["Account"].map(BUDGET_CATEGORIES),
            "amount": ledger["Amount"].astype(float),
        }
    )
    monthly = spend.groupby(["Department", "Category", "month"], sort=True)["amount"].sum()
    owners = _budget_owners(users, teams)
    first, last = spend["month"].min().date(), min(spend["month"].max().date(), as_of)
    years = range(calendar.fiscal_year_of(first), calendar.fiscal_year_of(last) + 1)
    rows: list[dict[str, str]] = []
    for key, history in monthly.groupby(level=[0, 1], sort=True):
        department, category = str(key[0]), str(key[1])  # type: ignore[index]
        history = history.droplevel([0, 1])
        for fiscal_year in years:
            year = calendar.year(fiscal_year)
            before = history[
                (history.index >= pd.Timestamp(year.shift(-1).start))
                & (history.index < pd.Timestamp(year.start))
            ]
            if len(before) >= 3:
                base = before.mean() * rng.uniform(1.05, 1.25)
            else:
                own = history[history.index >= pd.Timestamp(year.start)]
                own = own[own.index < pd.Timestamp(year.end)]
                if own.empty:
                    continue
                base = own.mean() * rng.uniform(0.9, 1.1)
            amount = max(round(base / 500) * 500, 500)
            months = pd.date_range(pd.Timestamp(year.start), periods=12, freq="MS")
            code = COST_CENTERS.get(str(department), "GTM")
            approved = year.start - timedelta(days=APPROVED_DAYS_BEFORE)
            rows.extend(
                {
                    "Department": department,
                    "Category": category,
                    "Month": month.strftime("%Y-%m"),
                    "Budget": f"{amount:,.2f}",
                    "Currency": "USD",
                    "Cost Center": f"{code}-{CATEGORY_CODES.get(str(category), 900)}",
                    "Owner Email": owners.get(str(department), ""),
                    "Revised At": f"{approved.isoformat()}T09:00:00Z",
                }
                for month in months
            )
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)


def _budget_owners(users: pd.DataFrame, teams: pd.DataFrame) -> dict[str, str]:
    """Department name → e-mail of the manager of its first team (the budget's owner)."""
    emails = users.set_index("user_id")["email"]
    owners: dict[str, str] = {}
    for team in teams.sort_values("team_id").itertuples():
        name = DEPARTMENT_NAMES.get(str(team.department), "")
        manager = team.manager_id
        if name and name not in owners and isinstance(manager, str) and manager in emails:
            owners[name] = str(emails[manager])
    return owners
