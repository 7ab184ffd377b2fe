"""A market regime of the demo company: win chances × the factor from its first day, and the
same company as before when nothing changes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from revops.demo import DemoParams, Regime
from revops.demo.world.sales import simulate_sales

BASE = DemoParams(accounts=2_000, years=2, seed=11, as_of=date(2026, 11, 22))
DAY = date(2025, 11, 1)


def win_rates(params: DemoParams) -> tuple[float, float]:
    """Share of closed deals won, among those closed before `DAY` and from it."""
    deals = simulate_sales(params)[0].opportunities
    closed = deals[deals["is_closed"]]
    after = pd.to_datetime(closed["closed_at"]) >= pd.Timestamp(DAY)
    return float(closed.loc[~after, "is_won"].mean()), float(closed.loc[after, "is_won"].mean())


def test_a_slowdown_scales_the_win_rate_of_deals_closing_from_its_day_by_its_factor() -> None:
    before, after = win_rates(BASE)
    slow = BASE.model_copy(update={"regimes": (Regime(start=DAY, win_rate=0.5),)})
    slow_before, slow_after = win_rates(slow)
    assert slow_after / after == pytest.approx(0.5, abs=0.08)
    assert slow_before / before == pytest.approx(1.0, abs=0.08)


def test_a_recovery_brings_the_win_rate_back() -> None:
    regimes = (Regime(start=date(2025, 5, 1), win_rate=0.5), Regime(start=DAY, win_rate=1.0))
    _, after = win_rates(BASE)
    _, recovered = win_rates(BASE.model_copy(update={"regimes": regimes}))
    assert recovered / after == pytest.approx(1.0, abs=0.08)


def test_a_regime_of_factor_one_leaves_the_company_as_it_was() -> None:
    same = BASE.model_copy(update={"regimes": (Regime(start=DAY, win_rate=1.0),)})
    pd.testing.assert_frame_equal(
        simulate_sales(same)[0].opportunities, simulate_sales(BASE)[0].opportunities
    )


def test_regimes_must_start_in_order() -> None:
    with pytest.raises(ValueError, match="in order"):
        DemoParams(
            as_of=date(2026, 11, 22),
            regimes=[Regime(start=DAY, win_rate=0.8), Regime(start=date(2025, 1, 1), win_rate=1)],
        )
