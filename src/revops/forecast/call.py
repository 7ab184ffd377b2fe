"""The forecast call: each method's number and range, the deals that move it, the week's change.

Every method is fitted as of the call's day and as of the same day a week earlier, from
one pull of snapshots, so "what changed since last week's call" compares like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from revops.errors import ForecastError
from revops.forecast.calibrate import calibration_start
from revops.forecast.choice import Recommendation, calibrate, recommend
from revops.forecast.data import ForecastData, stale_warning, week_of
from revops.forecast.methods import make_methods
from revops.forecast.regime import RegimeCheck

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period
    from revops.forecast.protocol import Forecast, Forecaster
    from revops.metrics import Metrics, Scope

TOP_DEALS = 10
PREFERRED = ("ensemble", "ml", "stage_conversion", "weighted", "rollup")
"""The method whose deal probabilities rank the deals, first one present."""


@dataclass(frozen=True)
class ForecastCall:
    """A forecast call for a period.

    Attributes:
        period: the period label.
        as_of: the call's day.
        forecasts: each method's forecast as of the call's day.
        last_week: each method's forecast as of seven days earlier (empty when there was
            no history yet).
        ranked_by: the method whose probabilities rank :attr:`top_deals` (the recommended
            one when it counts deals).
        top_deals: the open deals with the largest probability × amount, with `owner_id`,
            `owner_name`, and `reasons` (the method's top feature contributions, see
            :mod:`revops.forecast.reasons`) and `why` (them as one line).
        changes: deals whose expected value changed most since last week: `change`
            (new, won, lost or pushed, changed), `expected_before`, `expected_now`, `delta`
            (a won deal: now its booked amount, a positive move).
        recommended: the number to run the period on, and why (see
            :mod:`revops.forecast.choice`).
        warning: what the reader must know before trusting the numbers (an as-of day
            after the data's last change; recent periods that disagree with the longer
            history, see :mod:`revops.forecast.regime`), or None.
        drift: the drift check's sentences alone (win rates or sales cycles that changed).
    """

    period: str
    as_of: date
    forecasts: list[Forecast]
    last_week: list[Forecast]
    ranked_by: str | None
    top_deals: pd.DataFrame
    changes: pd.DataFrame
    recommended: Recommendation | None = None
    warning: str | None = None
    drift: tuple[str, ...] = ()

    def methods(self) -> list[dict[str, object]]:
        """One row per method: number, range, parts, and the change since last week."""
        before = {f.method: f for f in self.last_week}
        rows = []
        for forecast in self.forecasts:
            row = forecast.as_dict()
            previous = before.get(forecast.method)
            row["last_week_p50"] = previous.p50 if previous else None
            row["change"] = forecast.p50 - previous.p50 if previous else None
            rows.append(row)
        return rows


def check_period(period: Period, as_of: date) -> None:
    """Refuse periods a forecast cannot be made for.

    Raises:
        ForecastError: a year or custom span, or a period that ended by the as-of day.
    """
    if period.kind not in ("quarter", "month"):
        raise ForecastError(f"forecast a fiscal quarter or month, not {period.label}")
    if period.end <= as_of + timedelta(days=1):
        raise ForecastError(
            f"{period.label} ended by {as_of}: its bookings are known "
            "(see `revops metrics show bookings`)"
        )


def _check_history(data: ForecastData, forecasters: Sequence[Forecaster], as_of: date) -> None:
    """Refuse learned methods before any period of the history has ended.

    Raises:
        ForecastError: a learned method asked for with nothing to learn from yet.
    """
    learned = [f.name for f in forecasters if f.learns]
    if learned and data.training(as_of).empty:
        first = data.period_of(data.first_day)
        plain = [f.name for f in forecasters if not f.learns] or [
            f.name for f in make_methods() if not f.learns
        ]
        raise ForecastError(
            f"as of {as_of} no {data.kind} of the history has ended (the first, {first.label}, "
            f"ends {first.end - timedelta(days=1)}): {', '.join(learned)} learn from completed "
            f"{data.kind}s; until then ask for --methods {','.join(plain)}"
        )


def forecast_call(
    metrics: Metrics,
    period: Period,
    as_of: date,
    methods: Sequence[str] | None = None,
    top: int = TOP_DEALS,
    *,
    scope: Scope | None = None,
    summary: pd.DataFrame | None = None,
    why_none: str = "no backtest is stored",
    runs: pd.DataFrame | None = None,
) -> ForecastCall:
    """Each method's forecast of `period` as of `as_of`, the recommended one, the top deals
    with their reasons and the week's changes, from the rows of `scope` (default every row).

    `summary` is the stored backtest's summary for this period kind (None: none to choose
    by, for the reason `why_none`), and `runs` its runs, which the recommended range is
    calibrated on (:func:`revops.forecast.choice.calibrate`).

    Raises:
        ForecastError: a period that cannot be forecast, an unknown method, no history.
    """
    check_period(period, as_of)
    before = as_of - timedelta(days=7)
    data = ForecastData.load(
        metrics, [before, as_of], kind=period.kind, last_day=as_of, scope=scope
    )
    forecasters = make_methods(list(methods) if methods else None)
    _check_history(data, forecasters, as_of)
    now: list[Forecast] = []
    then: list[Forecast] = []
    for forecaster in forecasters:
        forecaster.fit(data, as_of)
        now.append(forecaster.predict(period))
    if before >= data.first_day:
        # The same forecasters: a fit that saw the same closed periods is reused.
        for forecaster in forecasters:
            forecaster.fit(data, before)
            then.append(forecaster.predict(period))
    drift = data.regime(as_of) if any(f.learns for f in forecasters) else RegimeCheck()
    chosen = recommend(now, week_of(data.calendar, period, as_of), summary, why_none)
    if chosen is not None:
        booked = next(f.booked for f in now if f.method == chosen.method)
        since = calibration_start(data.first_day, data.period_of)
        chosen = calibrate(chosen, booked, runs if summary is not None else None, since)
    counts_deals = {f.method for f in now if f.method in PREFERRED}
    order = ([chosen.method] if chosen and chosen.method in counts_deals else []) + list(PREFERRED)
    ranked = next((f for name in order for f in now if f.method == name), None)
    ranked_before = next(
        (f for f in then if ranked is not None and f.method == ranked.method), None
    )
    top_deals = ranked.deals.head(top) if ranked is not None else _no_deals()
    if ranked is not None and len(top_deals):
        forecaster = next(f for f in forecasters if f.name == ranked.method)
        # The ranked method was fitted last at the week before: back to the call's day.
        forecaster.fit(data, as_of)
        top_deals = _explained(metrics, data, forecaster, as_of, period, top_deals, scope)
    changes = (
        _owned(
            metrics, data, [before, as_of], _changes(data, ranked, ranked_before, as_of, top), scope
        )
        if ranked is not None and ranked_before is not None
        else _no_deals()
    )
    return ForecastCall(
        period.label,
        as_of,
        now,
        then,
        ranked.method if ranked else None,
        top_deals.reset_index(drop=True),
        changes,
        chosen,
        "; ".join(w for w in (stale_warning(data.last_change, as_of), drift.warning) if w) or None,
        drift.notes,
    )


def _owned(
    metrics: Metrics, data: ForecastData, days: list[date], deals: pd.DataFrame, scope: Scope | None
) -> pd.DataFrame:
    """`deals` with `owner_id` and `owner_name` (from the latest of `days` they were open)."""
    import pandas as pd

    from revops.metrics.labels import lookup

    if deals.empty:
        return deals
    seen = pd.concat([data.open_at(day)[["opportunity_id", "owner_id"]] for day in days])
    owners = seen.drop_duplicates("opportunity_id", keep="last").set_index("opportunity_id")
    out = deals.copy()
    out.insert(2, "owner_id", out["opportunity_id"].map(owners["owner_id"]))
    names = lookup(metrics.context(days[-1], scope), "user", out["owner_id"].dropna())
    out.insert(3, "owner_name", out["owner_id"].map(names))
    return out


def _explained(
    metrics: Metrics,
    data: ForecastData,
    forecaster: Forecaster,
    as_of: date,
    period: Period,
    deals: pd.DataFrame,
    scope: Scope | None,
) -> pd.DataFrame:
    """`deals` with their owner's id and name and the method's reasons for each."""
    import pandas as pd

    from revops.forecast.methods.base import DealMethod
    from revops.forecast.reasons import deal_reasons, reasons_text

    out = _owned(metrics, data, [as_of], deals.reset_index(drop=True), scope)
    found = (
        deal_reasons(forecaster, data, as_of, period, out)
        if isinstance(forecaster, DealMethod)
        else []
    )
    reasons = found if len(found) == len(out) else [[] for _ in range(len(out))]
    out["reasons"] = pd.Series(reasons, index=out.index, dtype=object)
    out["why"] = [reasons_text(r) for r in reasons]
    return out


def _no_deals() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


def _changes(
    data: ForecastData, now: Forecast, before: Forecast, as_of: date, top: int
) -> pd.DataFrame:
    """Deals whose probability × amount moved most between last week's call and this one."""
    import pandas as pd

    old = before.deals[["opportunity_id", "name", "expected"]].rename(
        columns={"expected": "expected_before", "name": "name_before"}
    )
    new = now.deals[["opportunity_id", "name", "stage", "expected"]].rename(
        columns={"expected": "expected_now"}
    )
    both = old.merge(new, on="opportunity_id", how="outer")
    both["name"] = both["name"].fillna(both["name_before"])
    # As floats first: with no deal on either side the columns are empty objects.
    both["expected_before"] = both["expected_before"].astype(float).fillna(0.0)
    both["expected_now"] = both["expected_now"].astype(float).fillna(0.0)
    both["delta"] = both["expected_now"] - both["expected_before"]
    won = data.won_by(as_of)
    since = (won["closed_at"] >= pd.Timestamp(as_of - timedelta(days=6), tz="UTC")) & (
        won["closed_at"] < pd.Timestamp(as_of + timedelta(days=1), tz="UTC")
    )
    won_ids = set(won.loc[since, "opportunity_id"])
    was_open = both["opportunity_id"].isin(old["opportunity_id"])
    is_open = both["opportunity_id"].isin(new["opportunity_id"])
    both["change"] = "changed"
    both.loc[~was_open, "change"] = "new"
    gone = was_open & ~is_open
    both.loc[gone, "change"] = "lost or pushed"
    both.loc[gone & both["opportunity_id"].isin(won_ids), "change"] = "won"
    # A won deal moved to closed: its expected value now is what it booked.
    booked = won.drop_duplicates("opportunity_id").set_index("opportunity_id")["amount"]
    is_won = both["change"] == "won"
    both.loc[is_won, "expected_now"] = both.loc[is_won, "opportunity_id"].map(booked)
    both["delta"] = both["expected_now"] - both["expected_before"]
    both = both[both["delta"].abs() > 0]
    ordered = both.reindex(both["delta"].abs().sort_values(ascending=False).index)
    columns = ["opportunity_id", "name", "change", "expected_before", "expected_now", "delta"]
    return ordered[columns].head(top).reset_index(drop=True)
