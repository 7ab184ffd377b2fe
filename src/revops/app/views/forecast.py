"""The forecast page: each method's P10/P50/P90, the deals that move the call, the changes
since last week's call, the stored backtest's accuracy per method and week, and the
people's calls (:mod:`revops.app.views.calls`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.calls import ForecastCalls, build_calls
from revops.app.views.common import Page, number, page
from revops.errors import ForecastError

if TYPE_CHECKING:
    import pandas as pd

    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.metrics import Scope

BACKTEST_HINT = "No backtest is stored yet: run `revops forecast backtest` to measure the methods."
BACKTEST_SCOPED = (
    "The stored backtest measures the methods on the whole company; it is shown to roles "
    "that see every row."
)


class MethodForecast(BaseModel):
    """One method's forecast of the period's bookings."""

    method: str
    p10: float | None
    p50: float | None
    p90: float | None
    booked: float | None = Field(description="Bookings already closed in the period.")
    open_expected: float | None = Field(description="Expected from open deals.")
    new_expected: float | None = Field(description="Expected from deals not created yet.")
    last_week_p50: float | None
    change: float | None = Field(description="P50 now minus P50 of last week's call.")


NUMBERS = ("p10", "p25", "p50", "p75", "p90", "accuracy")
"""The recommendation's fields that are numbers (NaN or infinite: None)."""


class Recommended(BaseModel):
    """The one number to run the period on."""

    method: str
    p10: float | None
    p50: float | None
    p90: float | None
    week: int = Field(description="The week of the period the call is in.")
    accuracy: float | None = Field(
        description="The method's median accuracy at that week in the stored backtest."
    )
    periods: int | None = Field(description="Periods that accuracy is measured over.")
    reason: str = Field(description="Why this method was chosen.")
    p25: float | None = Field(default=None, description="Calibrated P25 (None: too few runs).")
    p75: float | None = Field(default=None, description="Calibrated P75 (None: too few runs).")
    range_note: str | None = Field(
        default=None, description="How P10-P90 was calibrated on the stored backtest, or why not."
    )


class DealReason(BaseModel):
    """One feature's contribution to a deal's win probability."""

    feature: str
    value: str = Field(description="The deal's own value of the feature.")
    effect: float = Field(
        description="Probability points the feature adds against a typical deal's value."
    )


class ForecastDeal(BaseModel):
    """An open deal that moves the call most (probability × amount)."""

    opportunity_id: str
    name: str | None
    owner_id: str | None = None
    owner_name: str | None = None
    stage: str | None
    amount: float | None
    close_date: str | None
    probability: float | None
    expected: float | None
    reasons: list[DealReason] = Field(default_factory=list)
    why: str | None = Field(default=None, description="The reasons as one line.")


class DealChange(BaseModel):
    """A deal whose expected value changed since last week's call."""

    opportunity_id: str
    name: str | None
    owner_id: str | None = None
    owner_name: str | None = None
    change: str = Field(description="new, won, lost or pushed, changed.")
    expected_before: float | None
    expected_now: float | None
    delta: float | None


class BacktestWeek(BaseModel):
    """The stored backtest of one method at one week of the period."""

    method: str
    week: int
    periods: int | None
    median_accuracy: float | None
    wape: float | None
    coverage: float | None = Field(description="Share of actuals inside P10-P90.")
    brier: float | None


class ForecastView(Page):
    """The forecast page."""

    period: str
    problem: str | None = Field(description="Why there is no forecast, when there is none.")
    warning: str | None = Field(
        default=None, description="What to know before trusting the numbers (stale data)."
    )
    recommended: Recommended | None = Field(
        default=None, description="The number to run the period on, and why."
    )
    methods: list[MethodForecast]
    ranked_by: str | None = Field(description="The method whose probabilities rank the deals.")
    top_deals: list[ForecastDeal]
    changes: list[DealChange]
    backtest: list[BacktestWeek]
    backtest_note: str | None = Field(description="Why no backtest is shown, when none is.")
    calls: ForecastCalls | None = Field(
        default=None,
        description="The period's calls per person: rep, manager, model, target, accuracy.",
    )


def build_forecast(
    state: AppState,
    principal: Principal,
    period: str | None,
    as_of: date | None = None,
    methods: str | None = None,
    model_calls: bool = False,
) -> ForecastView:
    """The forecast call of `period` (default the fiscal quarter of the as-of day) fitted on
    this user's rows, cached per scope, period and day: the methods fit models, so a
    repeated page must not refit them.

    `methods` (comma-separated names) limits the call to those methods; `model_calls`
    fits the model's call of every person's line in the calls (:func:`build_calls`).

    Raises:
        ForecastError: an as-of day after today, an unknown method.
        MetricError: an unreadable period label.
    """
    today = state.today
    day = as_of or today
    if day > today:
        raise ForecastError(f"no forecast as of {day}: today is {today}")
    label = state.workspace.metrics.window(period, day).label
    scope = principal.scope
    chosen = _method_names(state, methods)
    call = scoped_call(state, scope, label, day, chosen)
    if not scope.sees("forecast_backtest"):
        backtest: list[BacktestWeek] = []
        note: str | None = BACKTEST_SCOPED
    else:
        backtest = state.memo(("forecast-backtest",), lambda: _backtest(state))
        note = None if backtest else BACKTEST_HINT
    common = {**page(state, principal), "as_of": day.isoformat()}
    return ForecastView(
        **common, period=label, backtest=backtest, backtest_note=note,
        calls=build_calls(state, principal, label, day, model_calls), **call,
    )  # fmt: skip


def _method_names(state: AppState, methods: str | None) -> tuple[str, ...] | None:
    """The methods asked for, checked (None: all).

    Raises:
        ForecastError: an unknown method.
    """
    if not methods:
        return None
    names = tuple(m.strip() for m in methods.split(",") if m.strip())
    known = state.workspace.forecast.methods()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ForecastError(
            f"unknown forecast method(s) {', '.join(unknown)}; one of {', '.join(known)}"
        )
    return names or None


def scoped_call(
    state: AppState,
    scope: Scope,
    label: str,
    day: date,
    names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The fields of the call of `label` fitted on the rows of `scope`, cached per scope,
    period and day (a person's call on the forecast calls is the same as their page's)."""
    return state.memo(
        ("forecast", label, day, scope, names), lambda: _call(state, scope, label, day, names)
    )


def _call(
    state: AppState,
    scope: Scope,
    label: str,
    day: date,
    names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    try:
        with state.reading():
            call = state.workspace.forecast.call(label, as_of=day, methods=names, scope=scope)
    except ForecastError as exc:
        # A period already booked, or a scope with no deals: the page says why.
        return {"problem": str(exc), "methods": [], "ranked_by": None, "top_deals": [],
                "changes": [], "warning": None, "recommended": None}  # fmt: skip
    methods = [
        MethodForecast(**{k: (v if k == "method" else number(v)) for k, v in row.items()
                          if k in MethodForecast.model_fields})
        for row in call.methods()
    ]  # fmt: skip
    chosen = call.recommended
    recommended = (
        Recommended(**{k: (number(v) if k in NUMBERS else v)
                       for k, v in chosen.as_dict().items()})
        if chosen is not None
        else None
    )  # fmt: skip
    return {
        "problem": None,
        "warning": call.warning,
        "recommended": recommended,
        "methods": methods,
        "ranked_by": call.ranked_by,
        "top_deals": [_deal(r) for r in _records(call.top_deals)],
        "changes": [DealChange(**_clean(r, DealChange)) for r in _records(call.changes)],
    }


def _deal(row: dict[str, Any]) -> ForecastDeal:
    reasons = [
        DealReason(feature=str(r["feature"]), value=str(r["value"]), effect=float(r["effect"]))
        for r in (row.get("reasons") or [])
    ]
    fields = _clean(row, ForecastDeal)
    fields["reasons"] = reasons
    return ForecastDeal(**fields)


def _backtest(state: AppState) -> list[BacktestWeek]:
    with state.reading():
        frame = state.workspace.forecast.stored_backtest()
    if frame is None:
        return []
    return [BacktestWeek(**_clean(r, BacktestWeek)) for r in _records(frame)]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return (
        [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]
        if len(frame)
        else []
    )


def _clean(row: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The fields of `model` from a frame's row: numbers JSON-safe, the rest text."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = row.get(name)
        if info.annotation in (float, float | None):
            out[name] = number(value)
        elif info.annotation in (int, int | None):
            found = number(value)
            out[name] = None if found is None else int(found)
        elif value is None or (isinstance(value, float) and value != value):
            out[name] = None
        elif hasattr(value, "isoformat"):
            out[name] = str(value.isoformat())[:10]
        else:
            out[name] = str(value)
    return out
