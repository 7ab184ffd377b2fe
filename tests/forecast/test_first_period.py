"""Forecasts early in a history: the learned methods need one completed period first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from revops import Workspace
from revops.errors import ForecastError
from revops.forecast.backtest import completed_periods, run_backtest
from revops.forecast.data import ForecastData, backtest_days

from .conftest import PARAMS


def _first_quarter(demo: Workspace) -> tuple[str, date]:
    """The label of the history's first quarter and a day in it a month after it starts."""
    first = demo.metrics.calendar.period_of(
        demo.metrics.window(None, PARAMS.as_of).start, "quarter"
    )
    first = first.shift(-(4 * PARAMS.years - 1))
    return first.label, first.start + timedelta(days=30)


def test_a_call_before_any_quarter_ended_says_which_methods_can_answer(demo: Workspace) -> None:
    label, day = _first_quarter(demo)
    with pytest.raises(ForecastError, match=rf"no quarter of the history has ended.*{label}"):
        demo.forecast.call(label, as_of=day)
    with pytest.raises(ForecastError, match="--methods rollup,weighted"):
        demo.forecast.call(label, as_of=day, methods=["ml"])
    call = demo.forecast.call(label, as_of=day, methods=["rollup", "weighted"])
    assert [f.method for f in call.forecasts] == ["rollup", "weighted"]
    # The CRM's own numbers are there from the first day: the deals closing in the quarter.
    assert all(f.open_expected > 0 for f in call.forecasts)


def test_a_backtest_skips_for_learned_methods_a_period_with_none_ended_before(
    demo: Workspace,
) -> None:
    # The demo's first deal comes 16 days into its first quarter, so that quarter is not
    # wholly in the history; moved to the quarter's first day, the quarter is. Then the
    # CRM's own method is backtested on all 7 completed quarters, a learned one on the 6
    # with a completed quarter before them to learn from (before, this one crashed).
    metrics = demo.metrics
    chosen = completed_periods(metrics, "quarter", PARAMS.as_of, 7)
    days = [d for p in chosen for d in backtest_days(metrics.calendar, p)]
    data = ForecastData.load(metrics, days, kind="quarter", last_day=PARAMS.as_of)
    assert chosen[0].start < data.first_day < chosen[0].end
    whole = replace(data, first_day=chosen[0].start, _cache={})

    def periods(method: str) -> list[str]:
        result = run_backtest(
            metrics, last_day=PARAMS.as_of, periods=7, methods=[method], data=whole
        )
        return sorted(set(result.runs["period"]))

    assert periods("weighted") == [p.label for p in chosen]
    assert periods("stage_conversion") == [p.label for p in chosen[1:]]
