"""The backtest on the small demo company: errors as defined, calibration, stored results."""

from __future__ import annotations

import csv
import itertools
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from revops import Workspace
from revops.forecast.backtest import BacktestResult
from revops.forecast.methods import METHODS

from .conftest import PARAMS

AS_OF = PARAMS.as_of


@pytest.fixture(scope="module")
def result(demo: Workspace) -> BacktestResult:
    return demo.forecast.backtest(periods=1, as_of=AS_OF)


def test_every_method_is_run_at_every_week_of_the_period_the_last_included(
    demo: Workspace, result: BacktestResult
) -> None:
    runs = result.runs
    assert sorted(runs["method"].unique()) == sorted(METHODS)
    assert runs["period"].nunique() == 1
    period = demo.metrics.window(runs["period"].iloc[0])
    days = sorted(runs["as_of_date"].unique())
    last_day = period.end - timedelta(days=1)
    # One as-of day in every week: from the first day, no gap over 7 days, and one in the
    # final seven days (FY2027-Q3 has 92: days 0, 7, ..., 84 and the eve of its last, 90).
    assert days[0] == period.start
    assert all((b - a).days <= 7 for a, b in itertools.pairwise(days))
    assert (last_day - days[-1]).days < 7
    assert days[-1] < last_day
    weeks = len(days)
    assert weeks == (14 if period.days == 92 else 13)
    assert runs.groupby("method")["week"].apply(lambda w: sorted(w)).map(len).eq(weeks).all()


def test_errors_are_against_the_catalogs_bookings(demo: Workspace, result: BacktestResult) -> None:
    runs = result.runs
    period = runs["period"].iloc[0]
    actual = demo.metrics.compute("bookings", period, as_of=AS_OF).value("bookings")
    assert actual is not None
    assert actual > 0
    assert (runs["actual"] == actual).all()
    np.testing.assert_allclose(runs["error"], runs["p50"] - actual)
    np.testing.assert_allclose(runs["accuracy"], 1 - (runs["p50"] - actual).abs() / actual)
    inside = (runs["p10"] <= actual) & (actual <= runs["p90"])
    assert (runs["in_range"] == inside).all()
    assert (runs["p10"] <= runs["p50"]).all()
    assert (runs["p50"] <= runs["p90"]).all()
    # Bookings to date never fall, and never pass the period's bookings.
    for _, group in runs.groupby("method"):
        booked = group.sort_values("week")["booked"].to_numpy()
        assert (np.diff(booked) >= 0).all()
        assert booked[-1] <= actual


def test_summary_recomputes_from_the_runs(result: BacktestResult) -> None:
    summary = result.summary.set_index(["method", "week"])
    runs = result.runs
    for (method, week), group in runs.groupby(["method", "week"]):
        row = summary.loc[(method, week)]
        assert row["median_accuracy"] == pytest.approx(group["accuracy"].median())
        wape = group["error"].abs().sum() / group["actual"].sum()
        assert row["wape"] == pytest.approx(wape)
        assert row["coverage"] == pytest.approx(group["in_range"].mean())


def test_learned_probabilities_are_calibrated_and_beat_the_base_rate(
    result: BacktestResult,
) -> None:
    deals = result.deals[result.deals["method"] == "ensemble"]
    assert len(deals) > 200
    won = deals["won"].astype(float)
    assert abs(deals["probability"].mean() - won.mean()) < 0.05
    brier = ((deals["probability"] - won) ** 2).mean()
    base = ((won.mean() - won) ** 2).mean()
    assert brier < base


def test_higher_probabilities_go_to_deals_truly_likelier_to_win(
    result: BacktestResult, company: Path
) -> None:
    with (company / "truth" / "opportunity_win_probability.csv").open() as handle:
        truth = {
            f"salesforce:{row['salesforce_id']}": float(row["win_probability"])
            for row in csv.DictReader(handle)
        }
    deals = result.deals[(result.deals["method"] == "ml") & (result.deals["week"] == 1)]
    true_chance = deals["opportunity_id"].map(truth)
    assert true_chance.notna().all()
    high = deals["probability"] >= deals["probability"].median()
    assert true_chance[high].mean() > true_chance[~high].mean()


def test_the_backtest_is_stored_for_the_cockpit(demo: Workspace, result: BacktestResult) -> None:
    stored = demo.forecast.stored_backtest()
    assert stored is not None
    assert len(stored) == len(result.summary)
    mine = result.summary.sort_values(["method", "week"]).reset_index(drop=True)
    np.testing.assert_allclose(stored["median_accuracy"], mine["median_accuracy"])
    runs = demo.warehouse.table("forecast_backtest", "core").count().execute()
    assert runs == len(result.runs)


def test_the_backtest_reports_its_ranges_and_the_call_says_how_its_range_was_made(
    demo: Workspace, result: BacktestResult
) -> None:
    ranges = result.ranges
    assert ranges is not None
    every = ranges[ranges["by"] == "all"].set_index("method")
    assert sorted(every.index) == sorted(METHODS)
    runs = result.runs
    for method, row in every.iterrows():
        own = runs[runs["method"] == method]
        assert row["forecasts"] == len(own)
        assert row["raw_80"] == pytest.approx(own["in_range"].mean())
    # One period backtested: nothing before it to calibrate on.
    assert (every["calibrated"] == 0).all()
    call = demo.forecast.call("FY2027-Q4", as_of=AS_OF, methods=["weighted"])
    chosen = call.recommended
    assert chosen is not None
    assert chosen.range_note is not None
    assert "too few to calibrate" in chosen.range_note
    assert (chosen.p10, chosen.p90) == (call.forecasts[0].p10, call.forecasts[0].p90)


def test_bad_backtest_requests_fail_clearly(demo: Workspace) -> None:
    from revops.errors import ForecastError

    with pytest.raises(ForecastError, match="at least 1"):
        demo.forecast.backtest(periods=0, as_of=AS_OF, store=False)
    with pytest.raises(ForecastError, match="unknown forecast method"):
        demo.forecast.backtest(periods=1, methods=["crystal_ball"], as_of=AS_OF, store=False)
