"""Forecast accuracy and revenue predictability from a stored backtest worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from metrics.conftest import MetricWorld
from revops.forecast.backtest import RUN_COLUMNS, BacktestResult, reliability, summarise
from revops.forecast.store import (
    NAMESPACE,
    RELIABILITY_TABLE,
    RUNS_TABLE,
    SUMMARY_TABLE,
    save_backtest,
)

WINDOW = "FY2027"
# method, period, week, p50, actual. Errors / actual: weighted -0.2, -0.1, +0.25, +0.15;
# ensemble +0.1, 0, -0.1, 0; rollup forecast a period with no bookings (no relative error).
FORECASTS = [
    ("weighted", "FY2026-Q1", 1, 80.0, 100.0),
    ("weighted", "FY2026-Q1", 2, 90.0, 100.0),
    ("weighted", "FY2026-Q2", 1, 250.0, 200.0),
    ("weighted", "FY2026-Q2", 2, 230.0, 200.0),
    ("ensemble", "FY2026-Q1", 1, 110.0, 100.0),
    ("ensemble", "FY2026-Q1", 2, 100.0, 100.0),
    ("ensemble", "FY2026-Q2", 1, 180.0, 200.0),
    ("ensemble", "FY2026-Q2", 2, 200.0, 200.0),
    ("rollup", "FY2026-Q3", 1, 10.0, 0.0),
]


def _result() -> BacktestResult:
    rows = []
    for method, period, week, p50, actual in FORECASTS:
        error = p50 - actual
        rows.append(
            {
                "method": method,
                "period": period,
                "week": week,
                "as_of_date": date(2025, 2, 1),
                "p10": p50 * 0.8,
                "p50": p50,
                "p90": p50 * 1.2,
                "booked": 0.0,
                "actual": actual,
                "error": error,
                "accuracy": 1 - abs(error) / actual if actual else None,
                "in_range": p50 * 0.8 <= actual <= p50 * 1.2,
            }
        )
    runs = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    deals = pd.DataFrame(
        {"opportunity_id": ["d1"], "probability": [0.5], "won": [True], "method": ["weighted"],
         "period": ["FY2026-Q1"], "week": [1]}
    )  # fmt: skip
    return BacktestResult(runs, deals, summarise(runs, deals), reliability(deals))


@pytest.fixture
def stored(world: MetricWorld) -> Iterator[MetricWorld]:
    """`world` with the hand-built backtest stored; the tables are dropped afterwards
    (the Spark world is shared by the session)."""
    save_backtest(world.warehouse, _result())
    yield world
    # Spark keeps each table as a view over its current version.
    kind = "VIEW" if world.warehouse.backend == "spark" else "TABLE"
    for table in (RUNS_TABLE, SUMMARY_TABLE, RELIABILITY_TABLE):
        world.warehouse.execute(
            f"DROP {kind} IF EXISTS {world.warehouse.qualified(table, NAMESPACE)}"
        )


def test_forecast_accuracy_is_the_median_per_method_and_week(stored: MetricWorld) -> None:
    by_method = stored.compute(["forecast_accuracy"], WINDOW, by=["method"])
    # weighted: accuracies 0.8, 0.9, 0.75, 0.85 -> median (0.8 + 0.85) / 2.
    assert by_method.value("forecast_accuracy", method="weighted") == pytest.approx(0.825)
    # ensemble: 0.9, 1.0, 0.9, 1.0 -> 0.95; rollup's only period had no bookings.
    assert by_method.value("forecast_accuracy", method="ensemble") == pytest.approx(0.95)
    assert by_method.value("forecast_accuracy", method="rollup") is None
    by_week = stored.compute(["forecast_accuracy"], WINDOW, by=["method", "forecast_week"])
    assert by_week.value("forecast_accuracy", method="weighted", forecast_week=1) == (
        pytest.approx(0.775)
    )
    assert by_week.value("forecast_accuracy", method="weighted", forecast_week=2) == (
        pytest.approx(0.875)
    )


def test_wape_is_absolute_error_over_actuals_across_periods(stored: MetricWorld) -> None:
    result = stored.compute(["forecast_wape"], WINDOW, by=["method"])
    # weighted: (20 + 10 + 50 + 30) / (100 + 100 + 200 + 200).
    assert result.value("forecast_wape", method="weighted") == pytest.approx(110 / 600)
    assert result.value("forecast_wape", method="ensemble") == pytest.approx(30 / 600)
    assert result.value("forecast_wape", method="rollup") is None  # no actual to divide by


def test_revenue_predictability_is_the_spread_of_signed_error(stored: MetricWorld) -> None:
    result = stored.compute(["revenue_predictability", "forecast_bias"], WINDOW, by=["method"])
    # weighted: mean 0.025; squared deviations 0.050625 + 0.015625 + 0.050625 + 0.015625.
    assert result.value("forecast_bias", method="weighted") == pytest.approx(0.025)
    assert result.value("revenue_predictability", method="weighted") == pytest.approx(
        (0.1325 / 3) ** 0.5
    )
    assert result.value("forecast_bias", method="ensemble") == pytest.approx(0.0)
    assert result.value("revenue_predictability", method="ensemble") == pytest.approx(
        (0.02 / 3) ** 0.5
    )


def test_without_a_stored_backtest_the_metrics_are_undefined_and_say_why(
    world: MetricWorld,
) -> None:
    result = world.compute(["forecast_accuracy", "revenue_predictability"], WINDOW)
    assert result.value("forecast_accuracy") is None
    assert result.value("revenue_predictability") is None
    assert any("revops forecast backtest" in w for w in result.warnings)
