"""Reps against their team: how far each rep's value of a metric sits from the rest of
the team (standard deviations of the others, leaving the rep out so one rep cannot hide
their own gap) and whether it falls outside the team's Tukey fences (quartiles -/+ k IQR).

Works on the per-rep values the warehouse computed, a row per rep and metric: a few
dozen rows, never deal rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

GROUP = ("team", "metric", "stage")
"""The rows a rep is compared with: their team's, for the same metric (and stage)."""
COMPANY = ("metric", "stage")
"""The rows a rep is compared with against the whole company: every rep's."""
MIN_OTHERS = 3
"""Reps besides the one judged needed for a standard deviation worth measuring against."""


def flag_outliers(
    values: pd.DataFrame,
    *,
    threshold: float = 2.0,
    fence: float = 1.5,
    min_sample: int = 3,
    group: tuple[str, ...] = GROUP,
) -> pd.DataFrame:
    """`values` (`team`, `metric`, `stage`, `value`, `sample`, ...) with the team benchmark
    and the verdict on each rep.

    Only reps whose value rests on at least `min_sample` deals are judged and count in
    the benchmark, of the rows sharing the columns of `group` (the team's, or with
    :data:`COMPANY` every rep's). Adds `team_reps` (reps judged), `team_median`,
    `others_mean`, `others_std` (the rest of the team; a z-score needs
    :data:`MIN_OTHERS` of them), `z_score`, `fence_low`, `fence_high` (needs four reps),
    `is_outlier` (|z| > `threshold` or outside the fences), `direction` (above / below)
    and `explanation`.

    Examples:
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"team": "t", "metric": "win_rate", "stage": None,
        ...     "owner": list("abcde"), "value": [0.5, 0.5, 0.6, 0.4, 0.05], "sample": 10})
        >>> flagged = flag_outliers(rows)
        >>> flagged.loc[flagged.is_outlier, "owner"].tolist()
        ['e']
    """
    frame = values.copy()
    judged = frame["value"].notna() & (frame["sample"].fillna(0) >= min_sample)
    keys = [frame[c].fillna("") for c in group]
    value = frame["value"].where(judged).astype("float64")
    grouped = value.groupby(keys)
    count = grouped.transform("count")
    total = grouped.transform("sum")
    squares = (value**2).groupby(keys).transform("sum")
    others = count - 1
    others_mean = (total - value) / others.where(others > 0)
    spread = squares - value**2 - others * others_mean**2
    others_std = (spread / (others - 1).where(others >= MIN_OTHERS)).clip(lower=0) ** 0.5
    z_score = (value - others_mean) / others_std.where(others_std > 0)
    q1, q3 = (
        grouped.transform(lambda s: s.quantile(0.25)),
        grouped.transform(lambda s: s.quantile(0.75)),
    )
    wide = count >= 4
    fence_low = (q1 - fence * (q3 - q1)).where(wide)
    fence_high = (q3 + fence * (q3 - q1)).where(wide)
    far = z_score.abs() > threshold
    outside = (value < fence_low) | (value > fence_high)
    frame["team_reps"] = count.where(judged)
    frame["team_median"] = grouped.transform("median").where(judged)
    frame["others_mean"] = others_mean
    frame["others_std"] = others_std
    frame["z_score"] = z_score
    frame["fence_low"] = fence_low
    frame["fence_high"] = fence_high
    frame["is_outlier"] = (far.fillna(False) | outside.fillna(False)) & judged
    high = value > frame["team_median"]
    frame["direction"] = high.map({True: "above", False: "below"}).where(frame["is_outlier"])
    frame["explanation"] = [_explain(dict(row)) for row in frame.to_dict(orient="records")]
    return frame


def _explain(row: dict[Hashable, object]) -> str | None:
    """What puts a flagged rep apart, in words: the metric, their value, the others'."""
    if not row["is_outlier"]:
        return None
    stage = f" at {row['stage']}" if isinstance(row["stage"], str) else ""
    said = f"{row['metric']}{stage} {_number(row['value'])} {row['direction']} the rest's "
    said += f"{_number(row['others_mean'])}"
    z = row["z_score"]
    if isinstance(z, float) and z == z:
        said += f" (z {z:+.1f})"
    low, high = row["fence_low"], row["fence_high"]
    if isinstance(low, float) and low == low and isinstance(high, float):
        said += f"; fences {_number(low)} to {_number(high)}"
    return said


def _number(value: object) -> str:
    return f"{value:,.3g}" if isinstance(value, float) and value == value else "-"
