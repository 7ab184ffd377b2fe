"""Sales plays compared with the rest of the deals, intervals worked out by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from scipy.stats import t

from metrics.conftest import MetricWorld
from revops.coaching import compare_plays

Q1 = "FY2025-Q1"
Z = 1.959963984540054  # the normal quantile of a 95 % two-sided interval


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def _deals(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    # (play, won, cycle days): A wins 3 of 4 (10, 20, 30 days), B 1 of 4 (40 days), and
    # the deals without a play 1 of 2 (50 days).
    plays = [("A", True, 10), ("A", True, 20), ("A", True, 30), ("A", False, 5),
             ("B", True, 40), ("B", False, 5), ("B", False, 5), ("B", False, 5),
             (None, True, 50), (None, False, 5)]  # fmt: skip
    world.add(
        "opportunity",
        *[
            {"account_id": "a1", "amount": 100, "sales_play": play, "is_closed": True,
             "is_won": won, "stage": "Closed Won" if won else "Closed Lost",
             "created_at": "2025-01-01",
             "closed_at": (date(2025, 1, 1) + timedelta(days=days)).isoformat()}
            for play, won, days in plays
        ],
    )  # fmt: skip


def test_each_play_has_its_win_rate_interval_and_its_difference_from_the_rest(
    world: MetricWorld,
) -> None:
    _deals(world)
    result = compare_plays(world.metrics(), Q1, as_of=date(2030, 1, 1))
    rows = {r["group"]: r for r in result.rows}
    assert set(rows) == {"A", "B", "(none)"}
    a = rows["A"]
    assert (a["closed"], a["won"], a["rest_closed"]) == (4, 3, 6)
    assert a["win_rate"] == pytest.approx(0.75)
    low, high = _wilson(3, 4)
    assert (a["win_rate_low"], a["win_rate_high"]) == pytest.approx((low, high))
    # Newcombe: A's 3/4 against the rest's 2/6, each with its Wilson bounds.
    rest_low, rest_high = _wilson(2, 6)
    diff = 0.75 - 2 / 6
    assert a["win_rate_diff"] == pytest.approx(diff)
    assert a["win_rate_diff_low"] == pytest.approx(
        diff - math.sqrt((0.75 - low) ** 2 + (rest_high - 2 / 6) ** 2)
    )
    assert a["win_rate_diff_high"] == pytest.approx(
        diff + math.sqrt((high - 0.75) ** 2 + (2 / 6 - rest_low) ** 2)
    )
    assert not a["win_rate_differs"]  # the interval of the difference holds 0


def test_each_play_has_its_cycle_interval_and_its_difference_from_the_rest(
    world: MetricWorld,
) -> None:
    _deals(world)
    rows = {r["group"]: r for r in compare_plays(world.metrics(), Q1, as_of=date(2030, 1, 1)).rows}
    a = rows["A"]
    # A's won deals: 10, 20, 30 days (mean 20, deviation 10); the rest's: 40 and 50.
    assert a["cycle_days"] == pytest.approx(20)
    half = t.ppf(0.975, 2) * 10 / math.sqrt(3)
    assert (a["cycle_days_low"], a["cycle_days_high"]) == pytest.approx((20 - half, 20 + half))
    assert a["rest_cycle_days"] == pytest.approx(45)
    # Welch: variances of the means 100/3 and 50/2.
    v1, v2 = 100 / 3, 25.0
    df = (v1 + v2) ** 2 / (v1**2 / 2 + v2**2 / 1)
    gap = t.ppf(0.975, df) * math.sqrt(v1 + v2)
    assert a["cycle_days_diff"] == pytest.approx(-25)
    assert a["cycle_days_diff_low"] == pytest.approx(-25 - gap)
    assert a["cycle_days_diff_high"] == pytest.approx(-25 + gap)
    assert gap < 25  # the interval stops short of 0: A closes faster than the rest
    assert a["cycle_differs"] is True
    # B won once: no spread to measure, no interval.
    assert rows["B"]["cycle_days_low"] is None
    assert rows["B"]["win_rate"] == pytest.approx(0.25)
