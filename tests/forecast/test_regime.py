"""The drift check: a step change in a per-period series is found, a stable series is not."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from revops.forecast.regime import THRESHOLD, change_point, check_regime


def test_a_step_down_in_win_rates_is_found_where_it_starts() -> None:
    rng = np.random.default_rng(3)
    values = np.r_[rng.normal(0.0, 0.1, 6), rng.normal(-0.6, 0.1, 3)]
    found = change_point(values.tolist())
    assert found is not None
    assert found.at == 6
    assert found.after - found.before == pytest.approx(values[6:].mean() - values[:6].mean())
    assert found.t <= -THRESHOLD


@pytest.mark.parametrize("periods", [6, 9, 12])
def test_a_stable_series_rarely_has_a_change(periods: int) -> None:
    rng = np.random.default_rng(periods)
    alarms = sum(change_point(rng.normal(0.0, 0.3, periods).tolist()) is not None
                 for _ in range(500))  # fmt: skip
    # Measured: 10-12 % (the largest of several t statistics; see THRESHOLD).
    assert alarms / 500 < 0.15


def test_a_step_of_three_spreads_three_periods_old_is_found_most_times() -> None:
    rng = np.random.default_rng(1)
    found = [change_point(np.r_[rng.normal(0, 0.2, 6), rng.normal(-0.6, 0.2, 3)].tolist())
             for _ in range(200)]  # fmt: skip
    # Measured: 182 of 200 found, 145 of them where it starts.
    assert sum(f is not None for f in found) / 200 > 0.85
    assert sum(f is not None and f.at == 6 for f in found) / 200 > 0.6


def test_the_statistic_is_the_two_sample_t_by_hand() -> None:
    # Runs [0, 1, 0, 1] and [3, 4]: means 0.5 and 3.5; within squares 1 + 0.5 = 1.5 over
    # 4 degrees of freedom → spread √0.375; t = 3 / (√0.375 × √(1/4 + 1/2)) = 5.657.
    found = change_point([0.0, 1.0, 0.0, 1.0, 3.0, 4.0])
    assert found is not None
    assert (found.at, found.before, found.after) == (4, 0.5, 3.5)
    assert found.t == pytest.approx(3 / (0.375**0.5 * 0.75**0.5))


def test_too_short_a_series_has_no_change() -> None:
    assert change_point([0.0, 0.0, -1.0]) is None


def test_the_check_leans_on_the_recent_periods_and_says_so() -> None:
    starts = [date(2024, m, 1) for m in range(1, 10)]
    shifts = dict(zip(starts, [0.1, -0.1, 0.05, 0.0, -0.05, 0.1, -0.6, -0.5, -0.7], strict=True))
    cycles = dict.fromkeys(starts, 60.0)
    found = check_regime(shifts, cycles, lambda d: f"P{d.month}")
    # The recent run's mean (-0.6) less the mean of all nine (-0.1444).
    assert found.win_rate_shift == pytest.approx(-0.6 - np.mean(list(shifts.values())))
    assert found.warning is not None
    assert "win rates since P7 are below" in found.warning
    assert "sales cycles" not in found.warning
    steady = check_regime(dict.fromkeys(starts, 0.0) | {starts[0]: 0.1}, cycles, str)
    assert steady.win_rate_shift == 0.0
    assert steady.warning is None


def test_longer_sales_cycles_are_said() -> None:
    starts = [date(2024, m, 1) for m in range(1, 9)]
    cycles = dict(zip(starts, [60, 62, 58, 61, 59, 90, 95, 92], strict=True))
    found = check_regime({}, {s: float(v) for s, v in cycles.items()}, lambda d: f"P{d.month}")
    assert found.win_rate_shift == 0.0
    assert found.warning is not None
    assert "sales cycles since P6 are longer" in found.warning


def test_a_small_change_of_the_sales_cycle_is_not_said() -> None:
    starts = [date(2024, m, 1) for m in range(1, 9)]
    cycles = dict(zip(starts, [60, 60.5, 59.5, 60, 60, 65, 65.5, 64.5], strict=True))
    assert change_point([np.log(v) for v in cycles.values()]) is not None
    assert check_regime({}, cycles, str).warning is None
