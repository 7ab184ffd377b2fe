"""Stage conversion's groups and shrinkage, by hand."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from revops.forecast.methods.base import with_period_features
from revops.forecast.methods.stage_conversion import PRIOR_WEIGHT, StageConversion

PERIOD_END = date(2024, 4, 1)


def _snapshots(days_left: int, count: int, won: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "as_of_date": PERIOD_END - timedelta(days=days_left),
            "period_end": PERIOD_END,
            "close_date": date(2024, 3, 31),
            "stage": "Proposal",
            "segment": "smb",
            "days_open": 10.0,
            "won": won,
        },
        index=range(count),
    )


def test_ten_and_thirty_days_left_are_learned_apart() -> None:
    # Twenty Proposal deals with 10 days left, none won; twenty with 30 days left, all won.
    # Overall 1/2. Each of the three levels (stage · in period · days left, then segment,
    # then age) holds the same 20 deals, each shrunk toward the level above with weight 10.
    training = pd.concat(
        [_snapshots(10, 20, won=False), _snapshots(30, 20, won=True)], ignore_index=True
    )
    method = StageConversion()
    rates = method.learn(training)
    deals = with_period_features(training.iloc[[0, 20]].drop(columns="won"), PERIOD_END)
    assert PRIOR_WEIGHT == 10.0
    # 10 days left: 1/2 → (0 + 10·1/2)/30 = 1/6 → (10/6)/30 = 1/18 → (10/18)/30 = 1/54.
    # 30 days left: (20 + 5)/30 = 5/6 → (20 + 50/6)/30 = 17/18 → (20 + 170/18)/30 = 53/54.
    assert method.chances(deals, rates) == pytest.approx(np.array([1 / 54, 53 / 54]))


def test_with_nothing_learned_every_deal_gets_the_overall_rate() -> None:
    method = StageConversion()
    rates = method.learn(_snapshots(10, 0, won=False))
    deals = with_period_features(_snapshots(10, 3, won=False), PERIOD_END)
    assert method.chances(deals, rates).tolist() == [0.0, 0.0, 0.0]
