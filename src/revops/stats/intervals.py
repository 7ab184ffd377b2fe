"""Confidence intervals for group comparisons: a rate (Wilson), the difference of two
rates (Newcombe's hybrid score), a mean and the difference of two means (Welch's t), all
from the small counts and moments the warehouse returns, never from rows.

Examples:
    >>> low, high = wilson(8, 10)
    >>> round(low, 4), round(high, 4)
    (0.4902, 0.9433)
    >>> low, high = rate_difference(8, 10, 2, 10)
    >>> round(low, 4), round(high, 4)
    (0.1618, 0.8027)
"""

from __future__ import annotations

import math

Interval = tuple[float | None, float | None]
"""Lower and upper bound; None where the sample is too small to say."""


def wilson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval of the rate `successes` / `trials`."""
    from statsmodels.stats.proportion import proportion_confint

    if trials <= 0:
        return (None, None)
    low, high = proportion_confint(successes, trials, alpha=1 - confidence, method="wilson")
    return (float(low), float(high))


def rate_difference(
    successes: int, trials: int, other_successes: int, other_trials: int, confidence: float = 0.95
) -> Interval:
    """Newcombe's hybrid score interval of the difference of two independent rates
    (`successes / trials` minus `other_successes / other_trials`)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    if trials <= 0 or other_trials <= 0:
        return (None, None)
    low, high = confint_proportions_2indep(
        successes,
        trials,
        other_successes,
        other_trials,
        method="newcomb",
        compare="diff",
        alpha=1 - confidence,
    )
    return (float(low), float(high))


def mean_interval(
    mean: float | None, std: float | None, n: int, confidence: float = 0.95
) -> Interval:
    """Student's t interval of a mean from its sample's mean, standard deviation and size."""
    from scipy.stats import t

    if mean is None or std is None or n < 2 or math.isnan(std):
        return (None, None)
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return (mean - half, mean + half)


def mean_difference(
    first: tuple[float | None, float | None, int],
    second: tuple[float | None, float | None, int],
    confidence: float = 0.95,
) -> Interval:
    """Welch's t interval of the difference of two means, each given as (mean, standard
    deviation, size); the degrees of freedom by Welch-Satterthwaite."""
    from scipy.stats import t

    (m1, s1, n1), (m2, s2, n2) = first, second
    if m1 is None or m2 is None or s1 is None or s2 is None or n1 < 2 or n2 < 2:
        return (None, None)
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    if v1 + v2 == 0:
        return (m1 - m2, m1 - m2)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = float(t.ppf(0.5 + confidence / 2, df)) * math.sqrt(v1 + v2)
    return (m1 - m2 - half, m1 - m2 + half)
