"""Subscription revenue KPIs: the worked example of shared/KPIS.md and its conventions."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

MOVEMENTS = ["opening_mrr", "mrr_new", "mrr_expansion", "mrr_reactivation",
             "mrr_contraction", "mrr_churn", "closing_mrr"]  # fmt: skip


def _line(account: str, mrr: float, start: str, end: str | None = None, **more: object) -> dict:
    return {"account_id": account, "mrr": mrr, "start_date": start, "end_date": end,
            "currency": "USD", **more}  # fmt: skip


def _worked_example(world: MetricWorld) -> None:
    """KPIS.md: Gold $500/year x 4, then Silver $30/month x 2, cancel Silver, cancel Gold,
    then Gold $50/month x 3."""
    world.add(
        "subscription_line",
        # 1. 4 x Gold yearly, billed $2,000 on 2024-01-01: 2000 / 12 = 166.67 a month.
        _line("c1", 166.67, "2024-01-01", "2024-12-31", canceled_at="2024-06-15"),
        # 2. 2 x Silver monthly from 2024-02-10; 3. cancelled on 2024-03-20, paid to 04-09.
        _line("c1", 60, "2024-02-10", "2024-04-09", canceled_at="2024-03-20"),
        # 5. 3 x Gold monthly from 2025-03-05.
        _line("c1", 150, "2025-03-05"),
    )


def _months(world: MetricWorld, window: str) -> dict[str, dict[str, float]]:
    frame = world.compute(MOVEMENTS, window, grain="month").frame
    table = frame.pivot_table(index="period", columns="metric", values="value")
    return {str(period): row.to_dict() for period, row in table.iterrows()}


def test_the_worked_example_month_by_month(world: MetricWorld) -> None:
    _worked_example(world)
    year = _months(world, "FY2024")
    assert year["FY2024-M01"]["mrr_new"] == pytest.approx(166.67)
    assert year["FY2024-M02"]["mrr_expansion"] == pytest.approx(60)
    # Silver was paid to 2024-04-09: it stops counting in April.
    assert year["FY2024-M04"]["mrr_contraction"] == pytest.approx(60)
    # Gold was cancelled in June but paid for the year: churn when the year ends.
    assert year["FY2024-M12"]["mrr_churn"] == 0
    nxt = _months(world, "FY2025")
    assert nxt["FY2025-M01"]["mrr_churn"] == pytest.approx(166.67)
    assert nxt["FY2025-M03"]["mrr_reactivation"] == pytest.approx(150)
    assert nxt["FY2025-M03"]["mrr_new"] == 0
    for months in (year, nxt):
        for period, row in months.items():
            moved = (row["mrr_new"] + row["mrr_expansion"] + row["mrr_reactivation"]
                     - row["mrr_contraction"] - row["mrr_churn"])  # fmt: skip
            assert row["opening_mrr"] + moved == pytest.approx(row["closing_mrr"]), period


def test_churn_dated_at_cancellation_moves_the_losses(duckdb_world: MetricWorld) -> None:
    _worked_example(duckdb_world)
    duckdb_world.settings["churn_dated_at"] = "cancellation"
    year = _months(duckdb_world, "FY2024")
    assert year["FY2024-M03"]["mrr_contraction"] == pytest.approx(60)  # cancelled 03-20
    assert year["FY2024-M06"]["mrr_churn"] == pytest.approx(166.67)  # cancelled 06-15


def test_a_window_balances_and_arr_is_twelve_times_mrr(world: MetricWorld) -> None:
    _worked_example(world)
    result = world.compute(["opening_mrr", "net_new_mrr", "closing_mrr", "mrr", "arr"], "FY2025")
    assert result.value("opening_mrr") == pytest.approx(166.67)
    assert result.value("net_new_mrr") == pytest.approx(150 - 166.67)
    assert result.value("closing_mrr") == pytest.approx(150)
    assert result.value("mrr") == pytest.approx(150)
    assert result.value("arr") == pytest.approx(1800)


def _churn_arithmetic(world: MetricWorld) -> None:
    """Opening MRR 100 over three customers: churn 10, contraction 10, expansion 10; and a
    customer new in the window."""
    world.add(
        "subscription_line",
        _line("a", 10, "2023-01-01", "2024-02-15"),  # churns 10
        _line("b", 40, "2023-01-01", "2024-02-15"),
        _line("b", 30, "2024-02-16"),  # contracts 10
        _line("c", 50, "2023-01-01"),
        _line("c", 10, "2024-03-01"),  # expands 10
        _line("d", 100, "2024-02-01"),  # new in the window
    )


def test_churn_rates_and_quick_ratio(world: MetricWorld) -> None:
    _churn_arithmetic(world)
    result = world.compute(
        ["opening_mrr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "quick_ratio"],
        "FY2024-Q1",
    )
    assert result.value("opening_mrr") == 100
    assert result.value("gross_mrr_churn_rate") == pytest.approx(0.20)
    assert result.value("net_mrr_churn_rate") == pytest.approx(0.10)
    assert result.value("quick_ratio") == pytest.approx((100 + 10) / (10 + 10))


def test_nrr_excludes_customers_acquired_in_the_window(duckdb_world: MetricWorld) -> None:
    _churn_arithmetic(duckdb_world)
    result = duckdb_world.compute(
        ["nrr", "grr", "logo_churn_rate", "customers", "new_customers"], "FY2024-Q1"
    )
    assert result.value("nrr") == pytest.approx((0 + 30 + 60) / 100)
    assert result.value("grr") == pytest.approx((0 + 30 + 50) / 100)
    assert result.value("logo_churn_rate") == pytest.approx(1 / 3)
    assert result.value("customers") == 3  # b, c, d
    assert result.value("new_customers") == 1


def test_a_short_gap_is_a_continuation_within_the_grace_days(duckdb_world: MetricWorld) -> None:
    duckdb_world.add(
        "subscription_line",
        _line("g", 100, "2024-01-01", "2024-03-25"),
        _line("g", 100, "2024-04-05"),
    )
    strict = _months(duckdb_world, "FY2024-Q2")  # the April return
    march = _months(duckdb_world, "FY2024-Q1")["FY2024-M03"]
    assert (march["mrr_churn"], strict["FY2024-M04"]["mrr_reactivation"]) == (100, 100)
    duckdb_world.settings["reactivation_grace_days"] = 15
    march = _months(duckdb_world, "FY2024-Q1")["FY2024-M03"]
    april = _months(duckdb_world, "FY2024-Q2")["FY2024-M04"]
    assert (march["mrr_churn"], april["mrr_reactivation"]) == (0, 0)
    assert march["closing_mrr"] == 100


def test_clv_is_arpa_times_margin_over_monthly_churn(duckdb_world: MetricWorld) -> None:
    _churn_arithmetic(duckdb_world)
    result = duckdb_world.compute(["arpa", "revenue_churn_rate", "clv"], "FY2024-Q1")
    arpa = (30 + 60 + 100) / 3
    monthly_churn = (10 + 10) / 100 / 3
    assert result.value("arpa") == pytest.approx(arpa)
    assert result.value("revenue_churn_rate") == pytest.approx(monthly_churn)
    assert result.value("clv") == pytest.approx(arpa * 0.8 / monthly_churn)
