"""The shared period shock's spread, estimated from periods known by the as-of day, by hand."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.forecast.data import ForecastData

CALENDAR = FiscalCalendar(start_month=1)
DEALS = 400


def _period(start: date, wins: int) -> pd.DataFrame:
    """`DEALS` deals open on the period's first day, `wins` of them won ten days later."""
    won = np.arange(DEALS) < wins
    closed = pd.Timestamp(start + timedelta(days=10), tz="UTC")
    return pd.DataFrame(
        {
            "opportunity_id": [f"{start}-{k}" for k in range(DEALS)],
            "as_of_date": start,
            "stage": "Proposal",
            "close_date": start + timedelta(days=30),
            "is_won": won,
            "closed_at": [closed if w else pd.NaT for w in won],
        }
    )


def _data(wins: list[int]) -> ForecastData:
    starts = [CALENDAR.period_of(date(2024, 1, 1), "quarter").shift(k).start for k in range(7)]
    snapshots = pd.concat(
        [_period(s, w) for s, w in zip(starts, wins, strict=True)], ignore_index=True
    )
    snapshots["closed_at"] = pd.to_datetime(snapshots["closed_at"], utc=True)
    won = pd.DataFrame(columns=["opportunity_id", "amount", "created_at", "closed_at"])
    return ForecastData(CALENDAR, "quarter", snapshots, won, date(2024, 1, 1), date(2025, 12, 31))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_the_shock_is_the_spread_of_period_shifts_less_chance() -> None:
    # Six completed quarters win 249 or 151 of 400 deals in turn: pooled, 50 %. Each
    # quarter's log-odds shift is ±logit(249/400); chance alone moves a quarter's shift
    # with variance about 1 / (400 · 0.25).
    data = _data([249, 151, 249, 151, 249, 151, 400])
    shift = _logit(249 / 400)
    expected = np.sqrt(np.var([shift, -shift] * 3, ddof=1) - 1 / (DEALS * 0.25))
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
