"""The backtest: every past period, every week of it, each method fitted with what was known.

For each completed period and each weekly as-of day in it, every method is fitted at that
day and asked for the period; its number is compared with the period's actual bookings
(the catalog's `bookings`). Deal probabilities are compared with what happened to the
deals (Brier score, reliability table), and the P10-P90 range with the actual (coverage),
as forecast and as calibrated on the earlier periods' misses (:mod:`revops.forecast.calibrate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from revops.errors import ForecastError
from revops.forecast.calibrate import calibrate_runs, calibration_start, range_reliability
from revops.forecast.data import ForecastData, backtest_days, stale_warning
from revops.forecast.methods import make_methods

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period, PeriodKind
    from revops.metrics import Metrics

RUN_COLUMNS = ("method", "period", "week", "as_of_date", "p10", "p50", "p90", "booked",
               "actual", "error", "accuracy", "in_range")  # fmt: skip
SUMMARY_COLUMNS = ("method", "week", "periods", "median_accuracy", "wape", "coverage", "brier",
                   "mean_error", "error_std")  # fmt: skip
RELIABILITY_BINS = 10


@dataclass(frozen=True)
class BacktestResult:
    """What a backtest measured.

    Attributes:
        runs: one row per method, period and week: the forecast, the actual, the error
            (forecast − actual), accuracy (1 − |error| / actual) and whether the actual fell
            in the P10-P90 range.
        deals: one row per method, period, week and counted deal: `probability`, `won`.
        summary: per method and week of period: periods backtested, median accuracy, WAPE
            (Σ|error| / Σ actual), P10-P90 coverage, Brier score of deal probabilities, and
            revenue predictability (mean and standard deviation of error / actual).
        reliability: per method and probability bin: deals, mean probability, win share.
        warning: a last day of data after the data's last change (the periods since look
            empty), or None.
        ranges: coverage of the ranges per method, by week of period, by fiscal quarter and
            over all (see :func:`revops.forecast.calibrate.range_reliability`): P10-P90 as
            forecast, P10-P90 and P25-P75 calibrated on earlier periods. The runs carry
            the calibrated ranges (`p10_cal`, `p90_cal`, `p25_cal`, `p75_cal`).
    """

    runs: pd.DataFrame
    deals: pd.DataFrame
    summary: pd.DataFrame
    reliability: pd.DataFrame
    warning: str | None = None
    ranges: pd.DataFrame | None = None


def completed_periods(
    metrics: Metrics, kind: PeriodKind, last_day: date, count: int
) -> list[Period]:
    """The last `count` periods of `kind` that ended by `last_day`."""
    current = metrics.calendar.period_of(last_day + timedelta(days=1), kind)
    return [current.shift(-k) for k in range(count, 0, -1)]


def run_backtest(
    metrics: Metrics,
    *,
    last_day: date,
    periods: int = 8,
    methods: Sequence[str] | None = None,
    kind: PeriodKind = "quarter",
    data: ForecastData | None = None,
    on_period: Callable[[Period], None] | None = None,
) -> BacktestResult:
    """Backtest `methods` weekly over the last `periods` completed periods.

    Args:
        metrics: the metric layer (bookings and the warehouse behind it).
        last_day: the last day of data; periods that end after it are not backtested.
        periods: how many completed periods.
        methods: method names (default all).
        kind: ``quarter`` or ``month``.
        data: snapshots already pulled (from :meth:`ForecastData.load`), to reuse.
        on_period: called after each period is backtested (progress of a long run).

    Raises:
        ForecastError: `periods` below 1, an unknown method, or no history.
    """
    import pandas as pd

    if periods < 1:
        raise ForecastError(f"--periods must be at least 1, not {periods}")
    forecasters = make_methods(list(methods) if methods else None)
    chosen = completed_periods(metrics, kind, last_day, periods)
    days = [d for p in chosen for d in backtest_days(metrics.calendar, p)]
    if data is None:
        data = ForecastData.load(metrics, days, kind=kind, last_day=last_day)
    learned = any(f.learns for f in forecasters)
    runs: list[dict[str, object]] = []
    deal_frames: list[pd.DataFrame] = []
    for period in chosen:
        # A period needs the whole of it in the history and, for the learned methods, one
        # completed period before it.
        if period.start < data.first_day or (learned and data.training(period.start).empty):
            continue
        actual = metrics.compute("bookings", period.label, as_of=last_day).value("bookings")
        actual = float(actual or 0.0)
        for week, day in enumerate(backtest_days(metrics.calendar, period), start=1):
            outcome = _outcomes(data, day, period)
            for forecaster in forecasters:
                forecaster.fit(data, day)
                forecast = forecaster.predict(period)
                error = forecast.p50 - actual
                runs.append(
                    {
                        "method": forecaster.name,
                        "period": period.label,
                        "week": week,
                        "as_of_date": day,
                        "p10": forecast.p10,
                        "p50": forecast.p50,
                        "p90": forecast.p90,
                        "booked": forecast.booked,
                        "actual": actual,
                        "error": error,
                        "accuracy": 1 - abs(error) / actual if actual else None,
                        "in_range": forecast.p10 <= actual <= forecast.p90,
                    }
                )
                if len(forecast.deals):
                    scored = forecast.deals[["opportunity_id", "probability"]].merge(
                        outcome, on="opportunity_id", how="left"
                    )
                    deal_frames.append(
                        scored.assign(method=forecaster.name, period=period.label, week=week)
                    )
        if on_period is not None:
            on_period(period)
    since = calibration_start(data.first_day, data.period_of)
    run_frame = calibrate_runs(pd.DataFrame(runs, columns=list(RUN_COLUMNS)), since)
    deal_frame = (
        pd.concat(deal_frames, ignore_index=True)
        if deal_frames
        else pd.DataFrame(
            columns=["opportunity_id", "probability", "won", "method", "period", "week"]
        )
    )
    deal_frame["won"] = deal_frame["won"].fillna(False).astype(bool)
    return BacktestResult(
        run_frame,
        deal_frame,
        summarise(run_frame, deal_frame),
        reliability(deal_frame),
        stale_warning(data.last_change, last_day),
        range_reliability(run_frame),
    )


def _outcomes(data: ForecastData, day: date, period: Period) -> pd.DataFrame:
    """Whether each deal open at the end of `day` was won before `period` ended."""
    import pandas as pd

    at = data.snapshot_at(day)
    start = pd.Timestamp(day + timedelta(days=1), tz="UTC")
    end = pd.Timestamp(period.end, tz="UTC")
    won = at["is_won"] & (at["closed_at"] >= start) & (at["closed_at"] < end)
    return pd.DataFrame({"opportunity_id": at["opportunity_id"], "won": won.to_numpy()})


def summarise(runs: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Accuracy, WAPE, coverage, Brier and error spread per method and week of period."""
    import pandas as pd

    rows = []
    for (method, week), group in runs.groupby(["method", "week"], sort=False):
        actual = group["actual"].astype(float)
        relative = group["error"].astype(float) / actual.where(actual != 0)
        scored = deals[(deals["method"] == method) & (deals["week"] == week)]
        brier = (
            float(((scored["probability"] - scored["won"].astype(float)) ** 2).mean())
            if len(scored)
            else None
        )
        # Periods with no bookings have no accuracy or relative error: left out, and a cell
        # with none of them has no value (rather than numpy's empty-slice warning).
        accuracy = group["accuracy"].astype(float).dropna()
        relative = relative.dropna()
        rows.append(
            {
                "method": method,
                "week": int(str(week)),
                "periods": len(group),
                "median_accuracy": float(accuracy.median()) if len(accuracy) else None,
                "wape": float(group["error"].abs().sum() / actual.sum()) if actual.sum() else None,
                "coverage": float(group["in_range"].astype(float).mean()),
                "brier": brier,
                "mean_error": float(relative.mean()) if len(relative) else None,
                "error_std": float(relative.std(ddof=1)) if len(relative) > 1 else None,
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def reliability(deals: pd.DataFrame) -> pd.DataFrame:
    """Per method and tenth of probability: deals, mean probability, share won."""
    import numpy as np
    import pandas as pd

    columns = ["method", "bin", "deals", "mean_probability", "win_share"]
    if deals.empty:
        return pd.DataFrame(columns=columns)
    bins = np.minimum((deals["probability"].astype(float) * RELIABILITY_BINS).astype(int),
                      RELIABILITY_BINS - 1)  # fmt: skip
    grouped = deals.assign(bin=bins).groupby(["method", "bin"])
    table = grouped.agg(
        deals=("won", "size"),
        mean_probability=("probability", "mean"),
        win_share=("won", "mean"),
    ).reset_index()
    return table[columns]
