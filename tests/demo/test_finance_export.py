"""The GTM cost ledger, shaped like a general-ledger detail export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from revops.demo.exports.files import write_csv
from revops.demo.exports.finance import COLUMNS, MONTHLY_COST, build_gtm_ledger

MONTHS = pd.date_range("2024-02-01", "2024-04-01", freq="MS")
USERS = pd.DataFrame(
    {
        "user_id": ["u1", "u2", "u3"],
        "role": ["AE", "marketing", "AE"],
        "team_id": ["t-sales", "t-mkt", "t-sales"],
        "hire_date": pd.to_datetime(["2023-01-01", "2024-03-10", "2023-06-01"]),
        "termination_date": pd.to_datetime([None, None, "2024-02-20"]),
    }
)
TEAMS = pd.DataFrame({"team_id": ["t-sales", "t-mkt"], "department": ["sales", "marketing"]})
OPPORTUNITIES = pd.DataFrame(
    {
        "is_won": [True, True, False],
        "closed_at": pd.to_datetime(["2024-02-10", "2024-03-05", "2024-03-06"]),
        "amount": [10_000.0, 30_000.0, 99_000.0],
    }
)
SPEND = pd.DataFrame(
    {
        "month": pd.to_datetime(["2024-02-01", "2024-03-01"]),
        "channel": ["paid_search", "events"],
        "amount": [5_000.0, 8_000.0],
    }
)


def ledger(seed: int = 1) -> pd.DataFrame:
    return build_gtm_ledger(USERS, TEAMS, OPPORTUNITIES, SPEND, MONTHS, np.random.default_rng(seed))


def amounts(frame: pd.DataFrame, account: str, period: str) -> float:
    rows = frame[(frame["Account"] == account) & (frame["Period"] == period)]
    return float(rows["Amount"].astype(float).sum())


def test_salaries_follow_head_count_by_month() -> None:
    frame = ledger()
    assert list(frame.columns) == COLUMNS
    # February: two AEs (one leaves on the 20th, still paid that month); March adds marketing.
    assert amounts(frame, "6110 Salaries & Wages", "Feb 2024") == 2 * MONTHLY_COST["AE"]
    assert amounts(frame, "6110 Salaries & Wages", "Mar 2024") == (
        MONTHLY_COST["AE"] + MONTHLY_COST["marketing"]
    )


def test_commissions_accrue_on_bookings_won_in_the_month() -> None:
    frame = ledger()
    assert amounts(frame, "6120 Commissions", "Feb 2024") == 1_000.0
    assert amounts(frame, "6120 Commissions", "Mar 2024") == 3_000.0


def test_program_spend_is_the_channel_spend_less_vendor_credits() -> None:
    frame = ledger()
    programs = frame[frame["Account"] == "6210 Marketing Programs"]
    debits = programs[programs["Memo"] == "Program spend"]
    assert debits["Amount"].astype(float).sum() == 13_000.0
    assert set(debits["Class"]) == {"Paid Search", "Events"}
    credits = programs[programs["Memo"] == "Vendor credit"]["Amount"].astype(float)
    assert (credits < 0).all()


def test_lines_are_entered_at_the_months_close_or_by_the_as_of_day() -> None:
    frame = build_gtm_ledger(
        USERS, TEAMS, OPPORTUNITIES, SPEND, MONTHS, np.random.default_rng(1), date(2024, 4, 20)
    )
    entered = frame.groupby("Period")["Date Created"].unique().map(list).to_dict()
    assert entered == {
        "Feb 2024": ["3/3/2024 10:00 am"],
        "Mar 2024": ["4/3/2024 10:00 am"],
        "Apr 2024": ["4/20/2024 10:00 am"],  # not closed by the as-of day
    }


def test_the_ledger_is_written_identically_for_the_same_seed(tmp_path: Path) -> None:
    write_csv(ledger(), tmp_path / "a", "finance/gtm_costs.csv")
    write_csv(ledger(), tmp_path / "b", "finance/gtm_costs.csv")
    first = (tmp_path / "a" / "finance" / "gtm_costs.csv").read_bytes()
    assert first == (tmp_path / "b" / "finance" / "gtm_costs.csv").read_bytes()
    assert first.startswith(b"Period,Account,Department,Class,Amount,Currency,Memo,Date Created\n")


def test_the_budget_plans_each_fiscal_year_from_the_year_before() -> None:

    from revops.core import FiscalCalendar
    from revops.demo.exports.finance import BUDGET_COLUMNS, build_budget

    # Sales salaries of 10,000 a month through 2024, then 12,000 in January 2025.
    months = [f"{m} 2024" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                     "Sep", "Oct", "Nov", "Dec")] + ["Jan 2025"]  # fmt: skip
    spend = pd.DataFrame(
        {
            "Period": months,
            "Account": "6110 Salaries & Wages",
            "Department": "Sales",
            "Amount": ["10000.00"] * 12 + ["12000.00"],
        }
    )
    users = pd.DataFrame({"user_id": ["m1"], "email": ["max.boss@example.com"]})
    teams = pd.DataFrame({"team_id": ["t1"], "department": ["sales"], "manager_id": ["m1"]})
    budget = build_budget(
        spend, users, teams, FiscalCalendar(1), date(2025, 1, 20), np.random.default_rng(1)
    )
    assert list(budget.columns) == BUDGET_COLUMNS
    amounts = budget["Budget"].str.replace(",", "").astype(float)
    budget = budget.assign(amount=amounts, year=budget["Month"].str[:4])
    assert budget.groupby("year")["Month"].nunique().to_dict() == {"2024": 12, "2025": 12}
    # Flat over each year, in round 500s; 2024 has no year before: its own months +-10 %,
    # 2025 grows 2024's 10,000 a month by 5-25 %.
    per_year = budget.groupby("year")["amount"].agg(["min", "max"])
    assert (per_year["min"] == per_year["max"]).all()
    assert (amounts % 500 == 0).all()
    assert 9_000 <= per_year.loc["2024", "min"] <= 11_000
    assert 10_500 <= per_year.loc["2025", "min"] <= 12_500
    assert set(budget["Category"]) == {"Headcount"}
    assert set(budget["Owner Email"]) == {"max.boss@example.com"}
    assert set(budget["Cost Center"]) == {"SLS-100"}
    # Each year approved 15 days before it starts.
    assert budget.groupby("year")["Revised At"].unique().map(list).to_dict() == {
        "2024": ["2023-12-17T09:00:00Z"], "2025": ["2024-12-17T09:00:00Z"]
    }  # fmt: skip
