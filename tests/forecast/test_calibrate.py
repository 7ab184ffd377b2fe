"""Calibrated ranges: split-conformal margins from earlier periods only, checked by hand."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from revops.core import FiscalCalendar
from revops.forecast.calibrate import (
    calibrate_runs,
    conformal_margin,
    range_reliability,
)
from revops.forecast.data import backtest_days

# Six quarters, one week each: P10 90, P50 100, P90 110. Actuals 115, 95, 130, 80, 104, 200:
# P10-P90 scores max(90 - y, y - 110) / 100 = 0.05, -0.05, 0.20, 0.10, -0.06, 0.90;
# P50 scores |y - 100| / 100 = 0.15, 0.05, 0.30, 0.20, 0.04, 1.00.
ACTUALS = [115.0, 95.0, 130.0, 80.0, 104.0, 200.0]


def runs(actuals: list[float]) -> pd.DataFrame:
    rows = []
    for k, actual in enumerate(actuals):
        rows.append(
            {"method": "ensemble", "period": f"FY{2025 + k // 4}-Q{k % 4 + 1}",
             "week": 1, "as_of_date": date(2024, 2, 1) + timedelta(days=91 * k), "p10": 90.0,
             "p50": 100.0, "p90": 110.0, "booked": 0.0, "actual": actual,
             "in_range": 90.0 <= actual <= 110.0}
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_the_margin_is_the_conformal_rank_of_the_scores() -> None:
    scores = [0.05, -0.05, 0.20, 0.10, -0.06]
    assert conformal_margin(scores, 0.8) == 0.20  # rank ⌈6 × 0.8⌉ = 5: the largest
    assert conformal_margin(scores[:4], 0.8) == 0.20  # rank ⌈5 × 0.8⌉ = 4 of 4
    assert conformal_margin(scores[:3], 0.8) is None  # rank 4 of 3: too few
    assert conformal_margin([0.15, 0.05, 0.30, 0.20], 0.5) == 0.20  # rank ⌈2.5⌉ = 3 of 4
    assert conformal_margin([], 0.5) is None


def test_each_period_is_calibrated_on_the_periods_before_it_only() -> None:
    out = calibrate_runs(runs(ACTUALS)).set_index("period")
    # The first three quarters have 0-2 earlier ones: too few for 80 %, left as forecast.
    assert out.loc[["FY2025-Q1", "FY2025-Q2", "FY2025-Q3"], "p10_cal"].isna().all()
    # FY2025-Q2 has one earlier score, enough for 50 %: rank ⌈2 × 0.5⌉ = 1, 0.15.
    assert out.loc["FY2025-Q2", "p25_cal"] == pytest.approx(100 - 15)
    # FY2026-Q1: four earlier scores 0.05, -0.05, 0.20, 0.10 → rank 4: 0.20.
    assert out.loc["FY2026-Q1", "p10_cal"] == pytest.approx(90 - 20)
    assert out.loc["FY2026-Q1", "p90_cal"] == pytest.approx(110 + 20)
    # 50 %: 0.15, 0.05, 0.30, 0.20 → rank ⌈2.5⌉ = 3: 0.20.
    assert out.loc["FY2026-Q1", "p25_cal"] == pytest.approx(80)
    assert out.loc["FY2026-Q1", "p75_cal"] == pytest.approx(120)
    # FY2026-Q2: five earlier, 0.05, -0.05, 0.20, 0.10, -0.06 → rank 5: 0.20; its own
    # actual (200, score 0.90) is not among them.
    assert out.loc["FY2026-Q2", "p90_cal"] == pytest.approx(130)
    assert not out.loc["FY2026-Q2", "in_range_cal"]
    assert out.loc["FY2026-Q1", "in_range_cal"]  # 104 in 70-130


def test_the_period_forecast_never_moves_its_own_range() -> None:
    calm = calibrate_runs(runs([*ACTUALS[:-1], 100.0]))
    wild = calibrate_runs(runs([*ACTUALS[:-1], 1000.0]))
    columns = ["p10_cal", "p90_cal", "p25_cal", "p75_cal"]
    pd.testing.assert_frame_equal(calm[columns], wild[columns])


def test_a_range_too_wide_is_kept_and_never_below_booked() -> None:
    frame = runs([100.0] * 6).assign(p10=10.0, p90=190.0, booked=60.0)
    out = calibrate_runs(frame)
    last = out.iloc[-1]
    # Every score is max(10 - 100, 100 - 190) / 100 = -0.9: a margin below 0 counts as 0,
    # so the range stays 10-190, its low end lifted to the 60 booked.
    assert (last["p10_cal"], last["p90_cal"]) == pytest.approx((60.0, 190.0))
    frame = runs([100.0] * 6).assign(booked=95.0)
    assert calibrate_runs(frame).iloc[-1]["p10_cal"] >= 95.0


def test_periods_forecast_with_too_little_history_calibrate_nothing() -> None:
    # From the third quarter on only: FY2026-Q2's set is FY2025-Q3 to FY2026-Q1, scores
    # 0.20, 0.10, -0.06 → three, too few for 80 %.
    since = date(2024, 2, 1) + timedelta(days=91 * 2)
    out = calibrate_runs(runs(ACTUALS), since=since).set_index("period")
    assert out["p10_cal"].isna().all()
    # 50 %: P50 scores 0.30, 0.20, 0.04 → rank 2: 0.20.
    assert out.loc["FY2026-Q2", "p75_cal"] == pytest.approx(120.0)


def test_the_reliability_table_counts_coverage_by_week_quarter_and_all() -> None:
    table = range_reliability(calibrate_runs(runs(ACTUALS)))
    every = table[table["by"] == "all"].iloc[0]
    assert every["forecasts"] == 6
    assert every["calibrated"] == 2
    assert every["raw_80"] == pytest.approx(2 / 6)  # 95 and 104 in 90-110
    # Calibrated: FY2026-Q1 in, FY2026-Q2 out; the four raw ones: 95 in, 115/130/80 out.
    assert every["cal_80"] == pytest.approx(2 / 6)
    quarters = table[table["by"] == "quarter"].set_index("group")
    assert quarters.loc["Q1", "forecasts"] == 2
    # Q1: FY2025-Q1 uncalibrated, 115 outside 90-110; FY2026-Q1 calibrated, 104 inside.
    assert quarters.loc["Q1", "cal_80"] == pytest.approx(0.5)


@pytest.mark.parametrize("kind", ["quarter", "month"])
def test_the_backtest_measures_every_week_of_every_period_the_last_included(kind: str) -> None:
    calendar = FiscalCalendar(2)
    for period in calendar.periods_between(date(2023, 2, 1), date(2027, 1, 31), kind):
        days = backtest_days(calendar, period)
        last = period.end - timedelta(days=1)
        assert days[0] == period.start
        assert all(0 < (b - a).days <= 7 for a, b in itertools.pairwise(days))
        # A call on any day of the period has a measured day at most 6 days before it.
        gaps = [(d - max(x for x in days if x <= d)).days for d in
                (period.start + timedelta(days=k) for k in range(period.days))]  # fmt: skip
        assert max(gaps) <= 6
        assert days[-1] < last
        assert np.all(np.diff([d.toordinal() for d in days]) > 0)


def test_the_calls_range_is_calibrated_on_every_stored_period_near_its_week() -> None:
    from revops.forecast.choice import Recommendation, calibrate

    chosen = Recommendation("ensemble", 90.0, 100.0, 110.0, 1, 0.9, 6, "best")
    stored = runs(ACTUALS)
    # All six stored quarters: 0.05, -0.05, 0.20, 0.10, -0.06, 0.90 → rank ⌈7 × 0.8⌉ = 6:
    # 0.90; P50 scores 0.15, 0.05, 0.30, 0.20, 0.04, 1.00 → rank ⌈3.5⌉ = 4: 0.20.
    out = calibrate(chosen, 0.0, stored)
    assert (out.p10, out.p90, out.p25, out.p75) == pytest.approx((0.0, 200.0, 80.0, 120.0))
    assert out.range_note is not None
    assert "6 forecasts" in out.range_note
    assert "90-110" in out.range_note
    # Another method's runs, or none: the method's own range, said so.
    other = calibrate(chosen, 0.0, stored.assign(method="ml"))
    assert (other.p10, other.p90, other.p25) == (90.0, 110.0, None)
    assert other.range_note is not None
    assert "too few" in other.range_note
    assert calibrate(chosen, 0.0, None).range_note == "the method's own range: no stored backtest"


def test_stored_runs_with_timestamps_calibrate_as_dates_do() -> None:
    from revops.forecast.calibrate import margins_for

    stored = runs(ACTUALS).assign(as_of_date=lambda f: pd.to_datetime(f["as_of_date"]))
    since = date(2024, 2, 1)
    assert margins_for(stored, 1, since=since) == margins_for(runs(ACTUALS), 1, since=since)
    assert margins_for(stored, 1, before=date(2025, 1, 1))["80"] == pytest.approx(0.20)
