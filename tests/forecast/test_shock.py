"""The shared period shock's spread, estimated from periods known by the as-of day, by hand."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.forecast.data import ForecastData

CALENDAR = FiscalCalendar(start_month=1)
DEALS = 400


def _period(start: date, wins: int, deals: int = DEALS) -> pd.DataFrame:
    """`deals` deals open on the period's first day, `wins` of them won ten days later."""
    won = np.arange(deals) < wins
    closed = pd.Timestamp(start + timedelta(days=10), tz="UTC")
    return pd.DataFrame(
        {
            "opportunity_id": [f"{start}-{k}" for k in range(deals)],
            "as_of_date": start,
            "stage": "Proposal",
            "close_date": start + timedelta(days=30),
            "is_won": won,
            "closed_at": [closed if w else pd.NaT for w in won],
        }
    )


def _data(wins: list[int], deals: list[int] | None = None) -> ForecastData:
    first = CALENDAR.period_of(date(2024, 1, 1), "quarter")
    starts = [first.shift(k - len(wins) + 7).start for k in range(len(wins))]
    sizes = deals or [DEALS] * len(wins)
    snapshots = pd.concat(
        [_period(s, w, n) for s, w, n in zip(starts, wins, sizes, strict=True)],
        ignore_index=True,
    )
    snapshots["closed_at"] = pd.to_datetime(snapshots["closed_at"], utc=True)
    won = pd.DataFrame(columns=["opportunity_id", "amount", "created_at", "closed_at"])
    return ForecastData(CALENDAR, "quarter", snapshots, won, date(2024, 1, 1), date(2025, 12, 31))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_the_shock_is_the_spread_of_period_shifts_less_chance() -> None:
    # Six completed quarters win 249 or 151 of 400 deals in turn. A quarter is measured
    # against the other five: a 249-quarter against (2 · 249 + 3 · 151) / 2000, a
    # 151-quarter against (3 · 249 + 2 · 151) / 2000; its shift is the log-odds gap.
    # Chance alone moves a shift with variance 1 / Σ p(1 − p) at the rate measured against.
    data = _data([249, 151, 249, 151, 249, 151, 400])
    strong_base, weak_base = (2 * 249 + 3 * 151) / 2000, (3 * 249 + 2 * 151) / 2000
    strong = _logit(249 / 400) - _logit(strong_base)
    weak = _logit(151 / 400) - _logit(weak_base)
    noise = np.mean([1 / (DEALS * p * (1 - p)) for p in (strong_base, weak_base)])
    expected = np.sqrt(np.var([strong, weak] * 3, ddof=1) - noise)
    as_of = date(2025, 8, 1)  # in the seventh quarter, which has not ended
    assert abs(data.period_shock(as_of) - expected) < 1e-3


def test_the_shock_ignores_periods_not_ended_and_chance_alone_gives_none() -> None:
    as_of = date(2025, 8, 1)
    # The seventh quarter (not ended by the as-of day) may win anything.
    assert _data([249, 151, 249, 151, 249, 151, 0]).period_shock(as_of) == _data(
        [249, 151, 249, 151, 249, 151, 400]
    ).period_shock(as_of)
    # Quarters as alike as chance allows (sd of wins 10 = sqrt(400 · 0.25)): no shock.
    assert _data([205, 195, 200, 205, 195, 200, 0]).period_shock(as_of) == 0.0
    # Fewer than four completed quarters: no estimate.
    assert _data([249, 151, 249, 151, 249, 151, 0]).period_shock(date(2024, 10, 15)) == 0.0


def test_a_period_with_a_handful_of_deals_barely_moves_the_shock() -> None:
    # A first, partial quarter of 6 deals and no win (its shift is clamped at -4) before
    # the six quarters above: weighted by its information (6 deals against 400) it moves
    # the estimate by about 5 %; in a plain variance of the shifts it would give σ ≈ 1.6
    # against 0.65.
    as_of = date(2025, 8, 1)
    without = _data([249, 151, 249, 151, 249, 151, 0]).period_shock(as_of)
    with_tiny = _data([0, 249, 151, 249, 151, 249, 151, 0], [6, *[DEALS] * 7]).period_shock(as_of)
    assert abs(with_tiny - without) < 0.1 * without


def _one_way(values: list[float], seasons: list[int], own: int) -> float:
    """The empirical-Bayes season effect of `own`, from the one-way random-effects sums."""
    z, s = np.array(values), np.array(seasons)
    groups = sorted(set(seasons))
    means = {g: z[s == g].mean() for g in groups}
    sizes = {g: int((s == g).sum()) for g in groups}
    within = sum(((z[s == g] - means[g]) ** 2).sum() for g in groups) / (len(z) - len(groups))
    between = sum(sizes[g] * (means[g] - z.mean()) ** 2 for g in groups) / (len(groups) - 1)
    typical = (len(z) - sum(n * n for n in sizes.values()) / len(z)) / (len(groups) - 1)
    spread = max((between - within) / typical, 0.0)
    return (means[own] - z.mean()) * spread / (spread + within / sizes[own])


def test_a_season_is_its_mean_shift_shrunk_by_how_much_seasons_differ_beyond_periods() -> None:
    # Completed quarters 2023-Q2 .. 2025-Q2 (2023-Q1, the history's first, is left out
    # whatever it won): Q2s win about 300 of 400, the other quarters about 200.
    wins = [0, 310, 200, 190, 205, 290, 195, 210, 200, 300, 0]
    data = _data(wins)
    data = ForecastData(
        CALENDAR, "quarter", data.snapshots, data.won, date(2023, 1, 1), date(2025, 12, 31)
    )
    as_of = date(2025, 8, 1)
    by_period = data.period_shifts(as_of).groupby("period_start")["shift"].mean()
    settled = by_period[by_period.index >= date(2023, 4, 1)]
    seasons = [CALENDAR.period_of(d, "quarter").index or 0 for d in settled.index]
    q2 = data.period_of(as_of).shift(3)
    expected = _one_way(list(settled), seasons, 2)
    q2_mean = settled[[season == 2 for season in seasons]].mean()
    assert 0.3 < expected < q2_mean - settled.mean()  # shrunk, not wiped out
    assert abs(data.season_shift(q2, as_of) - expected) < 1e-9
    # Quarters that differ no more than chance and the shock let them: no season.
    alike = _data([0, 200, 210, 190, 205, 195, 200, 210, 190, 205, 0])
    alike = ForecastData(
        CALENDAR, "quarter", alike.snapshots, alike.won, date(2023, 1, 1), date(2025, 12, 31)
    )
    assert alike.season_shift(q2, as_of) == 0.0
