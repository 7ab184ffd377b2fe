"""Cohort retention as catalog metrics: month 12 of the cohort table, by hand.

Window FY2026-M01 (January 2026; its last month end is 2026-01-31). The month-12 cohort
is January 2025:
- `a` smb, MRR 100 from 2025-01-10, open: 100 at the start, 100 now.
- `b` smb, MRR 80 from 2025-01-20 to 2025-06-30: 80, then nothing.
- `c` enterprise, MRR 300 from 2025-01-05 to 2025-03-31, back at 500 from 2025-10-01:
  300, and 500 now (it came back: it counts).
- `d` enterprise, MRR 200 from 2025-01-15, +50 from 2025-07-01: 200, 250 now.
Not in it: `e` (February 2025, month 11) and `f` (December 2024, month 13).

Month 12: 4 companies, 3 paying (0.75); MRR 680 at the start, 850 now (1.25).
smb: 2, 1 (0.5), 180 → 100. enterprise: 2, 2 (1.0), 500 → 750 (1.5).
"""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld
from revops.metrics.engines.cohorts import retention_curves

NAMES = ["cohort_customers_month_12", "cohort_paying_month_12", "cohort_logo_retention_month_12",
         "cohort_start_mrr_month_12", "cohort_end_mrr_month_12",
         "cohort_revenue_retention_month_12"]  # fmt: skip


def _line(account: str, mrr: float, start: str, end: str | None = None) -> dict[str, object]:
    return {"account_id": account, "mrr": mrr, "start_date": start, "end_date": end,
            "currency": "USD"}  # fmt: skip


def _company(world: MetricWorld) -> None:
    segments = {"a": "smb", "b": "smb", "c": "enterprise", "d": "enterprise", "e": "smb",
                "f": "smb"}  # fmt: skip
    world.add(
        "account",
        *({"account_id": a, "name": a.upper(), "segment": s} for a, s in segments.items()),
    )
    world.add(
        "subscription_line",
        _line("a", 100, "2025-01-10"),
        _line("b", 80, "2025-01-20", "2025-06-30"),
        _line("c", 300, "2025-01-05", "2025-03-31"),
        _line("c", 500, "2025-10-01"),
        _line("d", 200, "2025-01-15"),
        _line("d", 50, "2025-07-01"),
        _line("e", 70, "2025-02-03"),
        _line("f", 20, "2024-12-20"),
    )


def test_month_12_of_the_cohort_table(world: MetricWorld) -> None:
    _company(world)

    result = world.compute(NAMES, "FY2026-M01")

    assert result.value("cohort_customers_month_12") == 4
    assert result.value("cohort_paying_month_12") == 3
    assert result.value("cohort_logo_retention_month_12") == pytest.approx(0.75)
    assert result.value("cohort_start_mrr_month_12") == pytest.approx(680)
    assert result.value("cohort_end_mrr_month_12") == pytest.approx(850)
    assert result.value("cohort_revenue_retention_month_12") == pytest.approx(1.25)


@pytest.mark.spark_scenario
def test_sliced_by_segment(world: MetricWorld) -> None:
    _company(world)

    result = world.compute(NAMES, "FY2026-M01", by=["segment"])

    assert result.value("cohort_logo_retention_month_12", segment="smb") == pytest.approx(0.5)
    assert result.value("cohort_start_mrr_month_12", segment="smb") == pytest.approx(180)
    assert result.value("cohort_end_mrr_month_12", segment="smb") == pytest.approx(100)
    assert result.value("cohort_logo_retention_month_12", segment="enterprise") == 1
    assert result.value("cohort_revenue_retention_month_12", segment="enterprise") == (
        pytest.approx(1.5)
    )


@pytest.mark.spark_scenario
def test_it_is_the_cohort_tables_cell(world: MetricWorld) -> None:
    _company(world)
    day = date(2026, 1, 31)
    ctx = world.metrics().context(day)

    cells = {
        (r["cohort"], r["period"]): r for r in retention_curves(ctx, day).to_pyarrow().to_pylist()
    }
    january = cells[2025 * 12, 12]
    result = world.compute(NAMES, "FY2026-M01", as_of=day)

    assert result.value("cohort_paying_month_12") == january["customers"]
    assert result.value("cohort_end_mrr_month_12") == pytest.approx(january["mrr"])


@pytest.mark.spark_scenario
def test_a_day_inside_a_month_reads_the_month_end_before_it(world: MetricWorld) -> None:
    # As of 2026-01-15 the last month end is 2025-12-31: the month-12 cohort is December
    # 2024 (`f` and `g`), and January 2025 is at month 11. `f`'s upgrade of the 10th is
    # after that month end, and its line of the 20th after the day.
    _company(world)
    world.add(
        "subscription_line",
        _line("g", 90, "2024-12-05"),
        _line("f", 5, "2026-01-10"),
        _line("f", 999, "2026-01-20"),
    )

    result = world.compute(NAMES, "FY2026-M01", as_of=date(2026, 1, 15))

    assert result.value("cohort_customers_month_12") == 2
    assert result.value("cohort_paying_month_12") == 2
    assert result.value("cohort_start_mrr_month_12") == pytest.approx(110)
    assert result.value("cohort_end_mrr_month_12") == pytest.approx(110)
