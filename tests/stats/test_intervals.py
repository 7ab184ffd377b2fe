"""Intervals of rates and means, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from revops.stats.intervals import mean_difference, mean_interval, rate_difference, wilson


def test_wilson_interval_of_eight_in_ten() -> None:
    z = 1.959963984540054
    centre = (0.8 + z * z / 20) / (1 + z * z / 10)
    half = z * math.sqrt(0.8 * 0.2 / 10 + z * z / 400) / (1 + z * z / 10)
    assert wilson(8, 10) == pytest.approx((centre - half, centre + half))


def test_intervals_are_unknown_without_a_sample() -> None:
    assert wilson(0, 0) == (None, None)
    assert rate_difference(1, 2, 0, 0) == (None, None)
    assert mean_interval(10.0, None, 1) == (None, None)
    assert mean_difference((1.0, 1.0, 1), (2.0, 1.0, 5)) == (None, None)


def test_newcombe_difference_of_two_rates_is_not_just_two_rates() -> None:
    low, high = rate_difference(8, 10, 2, 10)
    (l1, u1), (l2, u2) = wilson(8, 10), wilson(2, 10)
    assert low == pytest.approx(0.6 - math.sqrt((0.8 - l1) ** 2 + (u2 - 0.2) ** 2))
    assert high == pytest.approx(0.6 + math.sqrt((u1 - 0.8) ** 2 + (0.2 - l2) ** 2))
