"""Which selling methodology works: win rate and cycle length of each group of deals (a
sales play, or a type of enablement content used), each with its sample size and a
confidence interval, compared with the rest of the deals by an interval for the
difference rather than two bare rates.

Counts, means and standard deviations per group are catalog metrics computed in the
warehouse; the rest of the deals is the window's total minus the group (counts, sums and
sums of squares add up), so no deal row leaves the warehouse.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from revops.coaching.result import CoachingTable
from revops.stats.intervals import mean_difference, mean_interval, rate_difference, wilson

if TYPE_CHECKING:
    import pandas as pd

    from revops.metrics import Metrics, Scope

Grouping = Literal["sales_play", "content_type"]
MEASURES = ("won", "closed", "cycle_mean", "cycle_std")
"""Per group: deals won, deals closed, mean and standard deviation of the won deals' cycle."""
GROUP_METRICS: dict[Grouping, tuple[str, str, str, str]] = {
    "sales_play": ("won_deals", "closed_deals", "sales_cycle_days", "sales_cycle_days_stddev"),
    "content_type": (
        "content_won_deals",
        "content_closed_deals",
        "content_cycle_days",
        "content_cycle_days_stddev",
    ),
}
"""The catalog metrics giving :data:`MEASURES` for each grouping, sliced by it."""
NO_GROUP = "(none)"
"""The group of the deals without a value (no sales play recorded)."""
TOTAL_METRICS = GROUP_METRICS["sales_play"]
"""The same measures over every deal of the window, once each."""


def compare_plays(
    metrics: Metrics,
    window: str | None,
    *,
    by: Grouping = "sales_play",
    as_of: date,
    scope: Scope | None = None,
    confidence: float = 0.95,
) -> CoachingTable:
    """A row per group of `by`: its deals, win rate and mean cycle with `confidence`
    intervals, and the differences from the rest of the window's deals with theirs."""
    period = metrics.window(window, as_of)
    sliced = metrics.compute(
        list(GROUP_METRICS[by]), period.label, by=(by,), as_of=as_of, scope=scope
    )
    total = metrics.compute(list(TOTAL_METRICS), period.label, as_of=as_of, scope=scope)
    overall = {m: total.value(n) for m, n in zip(MEASURES, TOTAL_METRICS, strict=True)}
    groups = _measures(sliced.frame, by, GROUP_METRICS[by])
    rows = [_compare(name, group, overall, confidence) for name, group in groups.items()]
    frame = _frame(rows)
    parameters = {"by": by, "confidence": confidence}
    return CoachingTable("plays", period.label, as_of, frame, parameters)


def _measures(frame: pd.DataFrame, by: str, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per group value of `by`: its :data:`MEASURES`."""
    groups: dict[str, dict[str, Any]] = {}
    for measure, name in zip(MEASURES, names, strict=True):
        for row in frame[frame["metric"] == name].itertuples():
            key = getattr(row, by)
            group = NO_GROUP if _missing(key) or key == "" else str(key)
            value: Any = row.value
            groups.setdefault(group, {})[measure] = None if _missing(value) else float(value)
    return groups


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _compare(
    group: str, own: dict[str, Any], total: dict[str, Any], confidence: float
) -> dict[str, Any]:
    won, closed = int(own.get("won") or 0), int(own.get("closed") or 0)
    rest_won = int(total["won"] or 0) - won
    rest_closed = int(total["closed"] or 0) - closed
    mean, std = own.get("cycle_mean"), own.get("cycle_std")
    rest_mean, rest_std = _rest_moments(won, mean, std, total)
    low, high = wilson(won, closed, confidence)
    diff_low, diff_high = rate_difference(won, closed, rest_won, rest_closed, confidence)
    cycle_low, cycle_high = mean_interval(mean, std, won, confidence)
    gap_low, gap_high = mean_difference(
        (mean, std, won), (rest_mean, rest_std, rest_won), confidence
    )
    rate = won / closed if closed else None
    rest_rate = rest_won / rest_closed if rest_closed else None
    return {
        "group": group,
        "closed": closed,
        "won": won,
        "win_rate": rate,
        "win_rate_low": low,
        "win_rate_high": high,
        "rest_closed": rest_closed,
        "rest_win_rate": rest_rate,
        "win_rate_diff": None if rate is None or rest_rate is None else rate - rest_rate,
        "win_rate_diff_low": diff_low,
        "win_rate_diff_high": diff_high,
        "cycle_days": mean,
        "cycle_days_low": cycle_low,
        "cycle_days_high": cycle_high,
        "rest_cycle_days": rest_mean,
        "cycle_days_diff": None if mean is None or rest_mean is None else mean - rest_mean,
        "cycle_days_diff_low": gap_low,
        "cycle_days_diff_high": gap_high,
        "win_rate_differs": _excludes_zero(diff_low, diff_high),
        "cycle_differs": _excludes_zero(gap_low, gap_high),
    }


def _rest_moments(
    n: int, mean: float | None, std: float | None, total: dict[str, Any]
) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation of the won deals outside the group, from the
    totals' and the group's sums and sums of squares."""
    n_all, mean_all, std_all = int(total["won"] or 0), total["cycle_mean"], total["cycle_std"]
    rest = n_all - n
    if rest <= 0 or mean_all is None:
        return (None, None)
    sum_all = n_all * mean_all
    squares_all = (n_all - 1) * (std_all or 0.0) ** 2 + n_all * mean_all**2
    own_sum = n * (mean or 0.0)
    own_squares = (n - 1) * (std or 0.0) ** 2 + n * (mean or 0.0) ** 2 if n else 0.0
    rest_mean = (sum_all - own_sum) / rest
    if rest < 2:
        return (rest_mean, None)
    variance = (squares_all - own_squares - rest * rest_mean**2) / (rest - 1)
    return (rest_mean, math.sqrt(max(variance, 0.0)))


def _excludes_zero(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and (low > 0 or high < 0)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["closed", "group"], ascending=[False, True]).reset_index(drop=True)
