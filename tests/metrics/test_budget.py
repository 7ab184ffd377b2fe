"""GTM budget against actual, and the run-rate to year end, against hand-built lines."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"
NAMES = ["budget_amount", "budget_actual", "budget_variance", "budget_variance_pct"]
YEAR = ["budget_actual_year_to_date", "budget_year", "budget_run_rate_year_end",
        "budget_run_rate_variance", "budget_run_rate_variance_pct"]  # fmt: skip


def _budget(world: MetricWorld) -> None:
    # Fiscal 2025 (the calendar year): marketing programs 5,000 a month, sales headcount
    # 20,000 a month - 60,000 + 240,000 = 300,000 for the year. December 2024 is the
    # year before.
    lines = [{"month_start_date": "2024-12-01", "department": "marketing",
              "category": "programs", "amount": 9_999, "currency": "USD"}]  # fmt: skip
    for month in range(1, 13):
        start = f"2025-{month:02d}-01"
        lines.append({"month_start_date": start, "department": "marketing",
                      "category": "programs", "amount": 5_000, "currency": "USD"})  # fmt: skip
        lines.append({"month_start_date": start, "department": "sales",
                      "category": "headcount", "amount": 20_000, "currency": "USD"})  # fmt: skip
    world.add("budget_line", *lines)


def _actual(world: MetricWorld) -> None:
    # Q1 2025: marketing 4,000 + 6,500 + 5,500 = 16,000; sales 19,000 + 19,000 + 21,000 =
    # 59,000. April: sales 22,000. December 2024: sales 18,000 (the year before).
    costs = [("2024-12-01", "sales", "headcount", 18_000),
             ("2025-01-01", "marketing", "programs", 4_000),
             ("2025-02-01", "marketing", "programs", 6_500),
             ("2025-03-01", "marketing", "programs", 5_500),
             ("2025-01-01", "sales", "headcount", 19_000),
             ("2025-02-01", "sales", "headcount", 19_000),
             ("2025-03-01", "sales", "headcount", 21_000),
             ("2025-04-01", "sales", "headcount", 22_000)]  # fmt: skip
    world.add(
        "gtm_cost",
        *[{"month_start_date": month, "department": department, "category": category,
           "amount": amount, "currency": "USD"}
          for month, department, category, amount in costs],
    )  # fmt: skip


def test_budget_against_actual_of_a_quarter(world: MetricWorld) -> None:
    _budget(world)
    _actual(world)
    result = world.compute(NAMES, Q1)
    assert result.value("budget_amount") == 75_000  # 3 x (5,000 + 20,000)
    assert result.value("budget_actual") == 75_000  # 16,000 + 59,000
    assert result.value("budget_variance") == 0
    assert result.value("budget_variance_pct") == 0
    by_department = world.compute(NAMES, Q1, by=["department"])
    assert by_department.value("budget_variance", department="marketing") == 1_000
    assert by_department.value("budget_variance_pct", department="marketing") == pytest.approx(
        1_000 / 15_000
    )
    assert by_department.value("budget_variance", department="sales") == -1_000
    by_category = world.compute(["budget_amount", "budget_actual"], "FY2025-Q2", by=["category"])
    assert by_category.value("budget_amount", category="headcount") == 60_000
    assert by_category.value("budget_actual", category="headcount") == 22_000
    assert by_category.value("budget_actual", category="programs") == 0


def test_budget_actual_is_the_gtm_cost_metric(world: MetricWorld) -> None:
    _budget(world)
    _actual(world)
    for window in ("FY2024-Q4", Q1, "FY2025-Q2", "FY2025-M02"):
        result = world.compute(["budget_actual", "gtm_cost"], window)
        assert result.value("budget_actual") == result.value("gtm_cost"), window


def test_run_rate_to_year_end_and_its_variance_to_the_years_budget(world: MetricWorld) -> None:
    _budget(world)
    _actual(world)
    q1 = world.compute(YEAR, Q1)
    assert q1.value("budget_actual_year_to_date") == 75_000  # December 2024 left out
    assert q1.value("budget_year") == 300_000
    assert q1.value("budget_run_rate_year_end") == pytest.approx(300_000)  # 75,000 / 3 x 12
    assert q1.value("budget_run_rate_variance") == pytest.approx(0)
    # By the end of Q2, six months elapsed and only April had a cost: 97,000 / 6 x 12.
    q2 = world.compute(YEAR, "FY2025-Q2")
    assert q2.value("budget_actual_year_to_date") == 97_000
    assert q2.value("budget_run_rate_year_end") == pytest.approx(194_000)
    assert q2.value("budget_run_rate_variance") == pytest.approx(-106_000)
    assert q2.value("budget_run_rate_variance_pct") == pytest.approx(-106_000 / 300_000)
    by_department = world.compute(YEAR, Q1, by=["department"])
    # Marketing 16,000 / 3 x 12 = 64,000 against 60,000; sales 236,000 against 240,000.
    assert by_department.value("budget_run_rate_year_end", department="marketing") == (
        pytest.approx(64_000)
    )
    assert by_department.value("budget_run_rate_variance", department="marketing") == (
        pytest.approx(4_000)
    )
    assert by_department.value("budget_run_rate_variance", department="sales") == (
        pytest.approx(-4_000)
    )


def test_budget_and_run_rate_as_of_a_day_inside_the_quarter(world: MetricWorld) -> None:
    _budget(world)
    _actual(world)
    result = world.compute([*NAMES, *YEAR], Q1, as_of=date(2025, 2, 10))
    # January and February have begun: budget 50,000, actual 10,500 + 38,000 = 48,500.
    assert result.value("budget_amount") == 50_000
    assert result.value("budget_actual") == 48_500
    assert result.value("budget_variance") == -1_500
    # Two months elapsed: 48,500 / 2 x 12 = 291,000 against the year's 300,000.
    assert result.value("budget_run_rate_year_end") == pytest.approx(291_000)
    assert result.value("budget_run_rate_variance") == pytest.approx(-9_000)


def test_without_a_budget_the_budget_and_its_variances_are_unknown(world: MetricWorld) -> None:
    _actual(world)
    result = world.compute([*NAMES, *YEAR], Q1)
    assert result.value("budget_actual") == 75_000
    assert result.value("budget_run_rate_year_end") == pytest.approx(300_000)
    for name in ("budget_amount", "budget_variance", "budget_variance_pct", "budget_year",
                 "budget_run_rate_variance", "budget_run_rate_variance_pct"):  # fmt: skip
        assert result.value(name) is None, name


def _revised_budget(world: MetricWorld) -> None:
    # Marketing programs, Q1 2025: 5,000 a month as first loaded on 2024-12-15; on 2025-02-15
    # March was revised to 8,000 and a travel line of 1,000 for March was added. The rows
    # hold the latest revision; the history keeps each.
    world.add(
        "budget_line",
        *[{"budget_line_id": f"b{month}", "month_start_date": f"2025-0{month}-01",
           "department": "marketing", "category": "programs",
           "amount": 8_000 if month == 3 else 5_000, "currency": "USD"}
          for month in (1, 2, 3)],
        {"budget_line_id": "t3", "month_start_date": "2025-03-01", "department": "marketing",
         "category": "travel", "amount": 1_000, "currency": "USD"},
    )  # fmt: skip
    world.add(
        "budget_line_history",
        *[{"budget_line_id": f"b{month}", "valid_from": "2024-12-15T09:00:00",
           "amount": 5_000, "currency": "USD"} for month in (1, 2, 3)],
        {"budget_line_id": "b3", "valid_from": "2025-02-15T09:00:00", "amount": 8_000,
         "currency": "USD"},
        {"budget_line_id": "t3", "valid_from": "2025-02-15T09:00:00", "amount": 1_000,
         "currency": "USD"},
    )  # fmt: skip


def test_the_budget_as_of_a_day_is_the_revision_that_stood_then(world: MetricWorld) -> None:
    _revised_budget(world)
    march = "FY2025-M03"
    # Before the revision: March as first budgeted, the travel line not planned yet.
    before = world.compute(["budget_amount", "budget_year"], march, as_of=date(2025, 2, 14))
    assert before.value("budget_amount") == 5_000
    assert before.value("budget_year") == 15_000
    by_category = world.compute(["budget_amount"], march, as_of=date(2025, 2, 14), by=["category"])
    assert by_category.value("budget_amount", category="programs") == 5_000
    assert by_category.value("budget_amount", category="travel") is None
    # From the revision's day on: 8,000 + 1,000 for March; 19,000 for the year.
    after = world.compute(["budget_amount", "budget_year"], march, as_of=date(2025, 2, 15))
    assert after.value("budget_amount") == 9_000
    assert after.value("budget_year") == 19_000
    # Before the first load, nothing was budgeted.
    assert world.value("budget_amount", march, as_of=date(2024, 12, 14)) is None


def test_a_cost_entered_after_the_as_of_day_changes_no_figure_of_it(world: MetricWorld) -> None:
    _actual(world)
    # A March adjustment of 2,000 entered on 2025-04-10, after Q1 closed.
    world.add("gtm_cost", {"month_start_date": "2025-03-01", "department": "sales",
                           "category": "headcount", "amount": 2_000, "currency": "USD",
                           "created_at": "2025-04-10T10:00:00"})  # fmt: skip
    names = ["gtm_cost", "budget_actual", "budget_actual_year_to_date"]
    at_close = world.compute(names, Q1, as_of=date(2025, 3, 31))
    assert [at_close.value(name) for name in names] == [75_000, 75_000, 75_000]
    later = world.compute(names, Q1, as_of=date(2025, 4, 10))
    assert [later.value(name) for name in names] == [77_000, 77_000, 77_000]
