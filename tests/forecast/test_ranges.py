"""The Monte Carlo of Bernoulli deals and new business."""

from __future__ import annotations

import numpy as np

from revops.forecast.ranges import seed_for, simulate


def test_certain_deals_give_a_range_of_one_value() -> None:
    spread = simulate(5.0, np.array([10.0, 20.0, 40.0]), np.array([1.0, 0.0, 1.0]), seed=3)
    assert (spread.p10, spread.p50, spread.p90) == (55.0, 55.0, 55.0)


def test_the_mean_is_booked_plus_probability_times_amount() -> None:
    amounts = np.full(200, 100.0)
    spread = simulate(1_000.0, amounts, np.full(200, 0.3), seed=1, simulations=8_000)
    expected = 1_000.0 + 200 * 0.3 * 100.0
    # Standard error of the mean: 100 * sqrt(200 * 0.21) / sqrt(8000) ≈ 7.
    assert abs(spread.mean - expected) < 30
    sigma = 100.0 * np.sqrt(200 * 0.3 * 0.7)
    assert abs((spread.p90 - spread.p10) - 2 * 1.2816 * sigma) < 0.15 * 2 * 1.2816 * sigma


def test_new_business_is_drawn_from_its_samples() -> None:
    spread = simulate(0.0, np.array([]), np.array([]), np.array([10.0, 20.0]), seed=2)
    assert spread.p10 == 10.0
    assert spread.p90 == 20.0
    assert 14.0 < spread.mean < 16.0


def test_the_same_seed_gives_the_same_range_and_another_seed_may_not() -> None:
    amounts, chances = np.arange(1.0, 51.0), np.full(50, 0.5)
    first = simulate(0.0, amounts, chances, seed=seed_for("ml", "FY2026-Q1", "2025-02-01"))
    again = simulate(0.0, amounts, chances, seed=seed_for("ml", "FY2026-Q1", "2025-02-01"))
    other = simulate(0.0, amounts, chances, seed=seed_for("ml", "FY2026-Q1", "2025-02-08"))
    assert first == again
    assert first.mean != other.mean
