"""Finance and efficiency KPIs against hand-built costs, customers and invoices."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld


def _cost(world: MetricWorld, month: str, department: str, amount: float, **more: object) -> None:
    world.add(
        "gtm_cost",
        {"month_start_date": month, "department": department, "amount": amount,
         "currency": "USD", **more},
    )  # fmt: skip


def _company(world: MetricWorld) -> None:
    # Q4 2024: 9,000 of sales and marketing cost. Q1 2025: 30,000 of it (6,000 on
    # marketing programs) and 5,000 of success.
    _cost(world, "2024-12-01", "sales", 9_000)
    _cost(world, "2025-01-01", "sales", 20_000)
    _cost(world, "2025-02-01", "marketing", 4_000, category="headcount")
    _cost(world, "2025-03-01", "marketing", 6_000, category="programs", channel="events")
    _cost(world, "2025-03-01", "success", 5_000)
    # Three customers new in Q1 2025, 100 + 200 + 300 MRR; none churns.
    for account, mrr in (("n1", 100), ("n2", 200), ("n3", 300)):
        world.add(
            "subscription_line",
            {"account_id": account, "mrr": mrr, "start_date": "2025-01-15", "currency": "USD"},
        )


def test_cost_cac_payback_and_magic_number(world: MetricWorld) -> None:
    _company(world)
    result = world.compute(
        ["gtm_cost", "sales_marketing_cost", "marketing_program_spend", "new_customers",
         "cac_blended", "cac_paid", "cac_payback_months", "magic_number"],
        "FY2025-Q1",
    )  # fmt: skip
    assert result.value("gtm_cost") == 35_000
    assert result.value("sales_marketing_cost") == 30_000
    assert result.value("marketing_program_spend") == 6_000
    assert result.value("new_customers") == 3
    assert result.value("cac_blended") == pytest.approx(10_000)  # 30,000 / 3
    assert result.value("cac_paid") == pytest.approx(2_000)  # 6,000 / 3
    # New-customer ARPA 600 / 3 = 200 a month, at 80 % margin 160: 10,000 / 160 months.
    assert result.value("cac_payback_months") == pytest.approx(10_000 / 160)
    # Net new ARR 12 x 600 = 7,200 over Q4's 9,000 of sales and marketing cost.
    assert result.value("magic_number") == pytest.approx(7_200 / 9_000)


def test_cost_slices_by_department_and_channel(world: MetricWorld) -> None:
    _company(world)
    by_department = world.compute(["gtm_cost"], "FY2025-Q1", by=["department"])
    assert by_department.value("gtm_cost", department="marketing") == 10_000
    by_channel = world.compute(["marketing_program_spend"], "FY2025-Q1", by=["channel"])
    assert by_channel.value("marketing_program_spend", channel="events") == 6_000


@pytest.mark.spark_scenario
def test_ltv_to_cac_is_undefined_without_churn(world: MetricWorld) -> None:
    _company(world)
    # No revenue churn in the window: lifetime value, and so LTV:CAC, is undefined.
    assert world.value("clv", "FY2025-Q1") is None
    assert world.value("ltv_to_cac", "FY2025-Q1") is None


@pytest.mark.spark_scenario
def test_ltv_to_cac_with_churn(world: MetricWorld) -> None:
    _company(world)
    world.add(
        "subscription_line",
        {"account_id": "old", "mrr": 400, "start_date": "2024-01-01", "end_date": "2025-02-10",
         "currency": "USD"},
    )  # fmt: skip
    result = world.compute(["clv", "cac_blended", "ltv_to_cac"], "FY2025-Q1")
    arpa = 600 / 3  # n1..n3 pay at the end of March; "old" churned
    monthly_churn = 400 / 400 / 3  # all opening MRR lost, over three months
    clv = arpa * 0.8 / monthly_churn
    assert result.value("clv") == pytest.approx(clv)
    assert result.value("ltv_to_cac") == pytest.approx(clv / 10_000)


def test_dso_counts_what_is_still_owed_at_the_window_end(world: MetricWorld) -> None:
    world.add(
        "invoice",
        # Issued and paid in the window.
        {"account_id": "a", "issue_date": "2025-01-10", "due_date": "2025-02-09",
         "paid_date": "2025-02-01", "amount": 1_000, "amount_paid": 1_000, "status": "paid"},
        # Issued in the window, paid after it: owed at its end.
        {"account_id": "a", "issue_date": "2025-03-10", "due_date": "2025-04-09",
         "paid_date": "2025-04-05", "amount": 500, "amount_paid": 500, "status": "paid"},
        # Issued before the window, never paid: owed, not revenue of the window.
        {"account_id": "b", "issue_date": "2024-12-01", "due_date": "2024-12-31",
         "amount": 250},  # no status: an issued invoice all the same
        # Void: neither.
        {"account_id": "b", "issue_date": "2025-02-01", "amount": 999, "status": "void"},
    )  # fmt: skip
    result = world.compute(["receivables", "invoiced_revenue", "dso"], "FY2025-Q1")
    assert result.value("receivables") == 750
    assert result.value("invoiced_revenue") == 1_500
    assert result.value("dso") == pytest.approx(750 / 1_500 * 90)  # Q1 2025 has 90 days
