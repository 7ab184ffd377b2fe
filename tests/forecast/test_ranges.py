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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def test_a_shared_shock_widens_the_range_by_the_spread_of_the_shifted_win_rate() -> None:
    # 2,000 deals of 1 at even odds. Independent: the total's sd is sqrt(2000 / 4) ≈ 22.
    # With a shock z ~ N(0, 0.5²) on every deal's log-odds the total is about
    # 2000 · sigmoid(z) plus the Bernoulli noise: its variance is
    # 2000² · Var(sigmoid(z)) + 2000 · E[sigmoid(z)(1 − sigmoid(z))].
    deals, shock = 2_000, 0.5
    amounts, chances = np.ones(deals), np.full(deals, 0.5)
    alone = simulate(0.0, amounts, chances, seed=4)
    shocked = simulate(0.0, amounts, chances, seed=4, shock=shock)
    grid = np.linspace(-6, 6, 4_001)
    weight = np.exp(-(grid**2) / 2) / np.sqrt(2 * np.pi) * (grid[1] - grid[0])
    rate = _sigmoid(shock * grid)
    variance = deals**2 * (weight @ (rate - 0.5) ** 2) + deals * (weight @ (rate * (1 - rate)))
    expected_width = 2 * 1.2816 * np.sqrt(variance)
    assert abs((shocked.p90 - shocked.p10) - expected_width) < 0.06 * expected_width
    assert abs((alone.p90 - alone.p10) - 2 * 1.2816 * np.sqrt(deals / 4)) < 6
    assert (shocked.p90 - shocked.p10) > 10 * (alone.p90 - alone.p10)
    # Even odds shifted symmetrically: the median stays put.
    assert abs(shocked.p50 - 1_000.0) < 15


def test_the_shock_scales_new_business_and_leaves_certain_deals_alone() -> None:
    shock = 0.4
    spread = simulate(
        50.0, np.array([30.0]), np.array([1.0]), np.array([100.0]), seed=5, shock=shock
    )
    # 80 + 100 · e^z: its P10 and P90 are at z = ∓1.2816 · 0.4.
    assert abs(spread.p10 - (80.0 + 100.0 * np.exp(-1.2816 * shock))) < 3.0
    assert abs(spread.p90 - (80.0 + 100.0 * np.exp(1.2816 * shock))) < 4.0
    # The sample median of z has a standard error of 1.25 · 0.4 / sqrt(4000) ≈ 0.008.
    assert abs(spread.p50 - 180.0) < 3.5
