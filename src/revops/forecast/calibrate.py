"""Calibrated ranges: a forecast's range widened by what the backtest missed.

A split-conformal adjustment, per method and week of the period. For a forecast at week w
of period P, the calibration set is the backtest's forecasts of the same method at weeks
w - 1, w and w + 1 of the periods that ended before P started (never P itself, nor a
period whose actual was not known yet), each scored by how far its actual fell outside its
range, in units of its P50:

- P10-P90: score = max(P10 - actual, actual - P90) / P50 (conformalised quantiles: negative
  inside the range), and the calibrated range is P10 - q × P50 to P90 + q × P50;
- P25-P75: score = |actual - P50| / P50, and the range is P50 ± q × P50;

with q the ⌈(n + 1) × coverage⌉-th smallest of the n scores (coverage 0.8 and 0.5), which
holds the actual with probability at least the coverage when periods are exchangeable
(weeks of one period are not independent, so this is a guide, not a guarantee).
With too few scores for that rank (fewer than 4 at 80 %) the range is left as it is. A
range never goes below what is already booked.

Two choices, made on the fitting seeds of docs/forecast.md:

- A range is only widened, never narrowed (q below 0 counts as 0): a handful of earlier
  periods can say the model's range was too narrow, not that it was too wide.
- Periods forecast with fewer than :data:`MIN_HISTORY` completed periods before them are
  no calibration data: a forecast from a history's first one or two periods misses by
  far more (+152 % and -43 % on fitting seed 1) than any later one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period

MIN_HISTORY = 3
"""Completed periods a period needs before it for its forecasts to calibrate later ones."""
NEIGHBOURS = 1
"""Weeks either side pooled into a week's calibration set (more scores; late weeks alike)."""
LEVELS = {"80": 0.8, "50": 0.5}
CALIBRATED = ("p10_cal", "p90_cal", "p25_cal", "p75_cal")


def conformal_margin(scores: Sequence[float], coverage: float) -> float | None:
    """The split-conformal quantile of `scores`: the ⌈(n + 1) × coverage⌉-th smallest.

    None when that rank is above n (too few scores for the coverage).

    Examples:
        >>> conformal_margin([0.5, 0.1, 0.4, 0.2, 0.3], 0.8)  # rank ⌈6 × 0.8⌉ = 5
        0.5
        >>> conformal_margin([0.5, 0.1, 0.4, 0.2, 0.3], 0.5)  # rank 3
        0.3
        >>> conformal_margin([0.1, 0.2, 0.3], 0.8) is None  # rank 4 of 3
        True
    """
    values = sorted(float(s) for s in scores if not math.isnan(float(s)))
    rank = math.ceil((len(values) + 1) * coverage - 1e-9)
    if rank < 1 or rank > len(values):
        return None
    return values[rank - 1]


def range_scores(runs: pd.DataFrame) -> pd.DataFrame:
    """Each run's conformity scores: `score_80` (P10-P90) and `score_50` (about the P50).

    Runs with a P50 of 0 or no actual score NaN (no scale to measure them in).
    """
    import numpy as np

    scale = runs["p50"].astype(float).where(runs["p50"].astype(float) > 0)
    actual = runs["actual"].astype(float)
    outside = np.maximum(runs["p10"].astype(float) - actual, actual - runs["p90"].astype(float))
    return runs.assign(
        score_80=outside / scale,
        score_50=(actual - runs["p50"].astype(float)).abs() / scale,
    )


def calibration_set(
    runs: pd.DataFrame, week: int, before: date | None = None, since: date | None = None
) -> pd.DataFrame:
    """The runs of `runs` (one method's) a forecast at `week` is calibrated on, scored.

    Weeks `week` ± :data:`NEIGHBOURS` of the periods that start on or after `since` (the
    first period with :data:`MIN_HISTORY` completed ones before it) and before `before`
    (the forecast period's start).
    """
    import pandas as pd

    scored = range_scores(runs)
    # Dates from the backtest, timestamps from the stored table: compared as timestamps.
    days = pd.to_datetime(scored["as_of_date"])
    starts = days.groupby(scored["period"]).transform("min")
    keep = (scored["week"] - week).abs() <= NEIGHBOURS
    if before is not None:
        keep &= starts < pd.Timestamp(before)
    if since is not None:
        keep &= starts >= pd.Timestamp(since)
    return scored[keep]


def margins_for(
    runs: pd.DataFrame, week: int, before: date | None = None, since: date | None = None
) -> dict[str, float | None]:
    """The margins (`80`, `50`) for a forecast at `week` from `runs` (one method's), never
    below 0; see :func:`calibration_set` for which runs.

    `runs` are backtest runs with `period`, `week`, `as_of_date`, `p10`, `p50`, `p90` and
    `actual`.
    """
    near = calibration_set(runs, week, before, since)
    margins = {
        level: conformal_margin(near[f"score_{level}"].tolist(), coverage)
        for level, coverage in LEVELS.items()
    }
    return {level: None if m is None else max(m, 0.0) for level, m in margins.items()}


def calibration_start(first_day: date, period_of: Callable[[date], Period]) -> date:
    """The first day of the first period with :data:`MIN_HISTORY` completed periods before
    it, for a history starting on `first_day` (a partial first period does not count)."""
    first = period_of(first_day)
    skip = MIN_HISTORY if first.start == first_day else MIN_HISTORY + 1
    return first.shift(skip).start


def calibrated_range(
    p10: float, p50: float, p90: float, booked: float, margins: dict[str, float | None]
) -> tuple[float | None, float | None, float | None, float | None]:
    """The calibrated P10, P90, P25 and P75 (None where its margin is None).

    Never below `booked`, and P50 stays inside the calibrated range.

    Examples:
        >>> calibrated_range(90.0, 100.0, 110.0, 0.0, {"80": 0.2, "50": 0.05})
        (70.0, 130.0, 95.0, 105.0)
        >>> calibrated_range(90.0, 100.0, 110.0, 95.0, {"80": 0.2, "50": None})
        (95.0, 130.0, None, None)
    """
    low = high = quarter_low = quarter_high = None
    if margins.get("80") is not None:
        margin = float(margins["80"] or 0.0)
        low = min(max(p10 - margin * p50, booked), p50)
        high = max(p90 + margin * p50, p50)
    if margins.get("50") is not None:
        margin = float(margins["50"] or 0.0)
        quarter_low = max(p50 - margin * p50, booked)
        quarter_high = p50 + margin * p50
    return low, high, quarter_low, quarter_high


def calibrate_runs(runs: pd.DataFrame, since: date | None = None) -> pd.DataFrame:
    """`runs` with calibrated ranges, each from the periods before its own (and from
    `since` on, see :func:`calibration_set`).

    Adds `p10_cal`, `p90_cal`, `p25_cal`, `p75_cal` (NaN where too few earlier periods),
    `in_range_cal` (P10-P90 calibrated, else the raw range) and `in_50` (P25-P75
    calibrated; NaN where not calibrated).
    """
    import numpy as np

    out = runs.copy()
    for column in CALIBRATED:
        out[column] = np.nan
    if out.empty:
        out["in_range_cal"] = out.get("in_range", False)
        out["in_50"] = np.nan
        return out
    starts = out.groupby("period")["as_of_date"].transform("min")
    for key, rows in out.groupby(["method", starts, "week"]).groups.items():
        method, period_start, week = cast("tuple[str, date, int]", key)
        method_runs = out[out["method"] == method]
        margins = margins_for(method_runs, int(week), before=period_start, since=since)
        for index in rows:
            row = out.loc[index]
            found = calibrated_range(
                float(row["p10"]),
                float(row["p50"]),
                float(row["p90"]),
                float(row["booked"]) if "booked" in out else 0.0,
                margins,
            )
            for column, value in zip(CALIBRATED, found, strict=True):
                out.loc[index, column] = np.nan if value is None else value
    actual = out["actual"].astype(float)
    calibrated = out["p10_cal"].notna()
    inside = (out["p10_cal"] <= actual) & (actual <= out["p90_cal"])
    out["in_range_cal"] = np.where(calibrated, inside, out["in_range"].astype(bool))
    inside_50 = (out["p25_cal"] <= actual) & (actual <= out["p75_cal"])
    out["in_50"] = np.where(out["p25_cal"].notna(), inside_50.astype(float), np.nan)
    return out


def range_reliability(runs: pd.DataFrame) -> pd.DataFrame:
    """Coverage of the ranges per method, by week of period and by fiscal quarter.

    `runs` as :func:`calibrate_runs` returns them. One row per method and group (`by` is
    ``week`` or ``quarter``, `group` the week number or the quarter of the fiscal year,
    ``all`` over every run): `forecasts`, `calibrated` (how many had earlier periods enough
    to be calibrated), `raw_80` (P10-P90 as forecast), `cal_80` (calibrated P10-P90, the
    raw range where not calibrated) and `cal_50` (calibrated P25-P75, over those
    calibrated).
    """
    import pandas as pd

    columns = ["method", "by", "group", "forecasts", "calibrated", "raw_80", "cal_80", "cal_50"]
    if runs.empty:
        return pd.DataFrame(columns=columns)
    frame = runs.assign(
        quarter=runs["period"].astype(str).str.extract(r"-(Q\d|M\d+)$")[0].fillna(""),
        all="all",
        raw=runs["in_range"].astype(float),
        cal=runs["in_range_cal"].astype(float),
        is_cal=runs["p10_cal"].notna().astype(int),
    )
    rows = []
    for by in ("week", "quarter", "all"):
        for (method, group), cell in frame.groupby(["method", by], sort=True):
            rows.append(
                {
                    "method": method,
                    "by": by,
                    "group": str(group),
                    "forecasts": len(cell),
                    "calibrated": int(cell["is_cal"].sum()),
                    "raw_80": float(cell["raw"].mean()),
                    "cal_80": float(cell["cal"].mean()),
                    "cal_50": float(cell["in_50"].mean()) if cell["in_50"].notna().any() else None,
                }
            )
    return pd.DataFrame(rows, columns=columns)
