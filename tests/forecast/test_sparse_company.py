"""Every method runs on any company that loads: no activities, no amounts, no forecast
categories or CRM probabilities (scikit-learn 1.9 refuses a feature with no value)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from revops import Workspace
from revops.forecast.methods import METHODS
from revops.forecast.methods.ml import usable

from .conftest import copy_company

AS_OF = date(2026, 11, 15)
PERIOD = "FY2027-Q4"


def _checked(ws: Workspace) -> None:
    call = ws.forecast.call(PERIOD, as_of=AS_OF)
    assert [f.method for f in call.forecasts] == list(METHODS)
    for forecast in call.forecasts:
        assert np.isfinite([forecast.p10, forecast.p50, forecast.p90]).all()
        assert forecast.p10 <= forecast.p50 <= forecast.p90
    assert call.recommended is not None


def test_a_feature_with_no_value_is_dropped() -> None:
    frame = pd.DataFrame(
        {
            "days_since_activity": [np.nan] * 4,
            "same": [1.0] * 4,
            "amount": [1.0, 2.0, 3.0, 4.0],
            "gaps": [1.0, np.nan, 1.0, np.nan],
        }
    )
    assert usable(frame) == ["amount", "gaps"]


def test_every_method_forecasts_a_company_without_activities(no_activities: Workspace) -> None:
    assert no_activities.warehouse.table("activity", "core").count().execute() == 0
    _checked(no_activities)


def test_the_backtest_runs_every_method_without_activities(no_activities: Workspace) -> None:
    result = no_activities.forecast.backtest(periods=1, as_of=date(2026, 11, 22), store=False)
    assert sorted(result.runs["method"].unique()) == sorted(METHODS)
    assert result.runs["p50"].notna().all()


def test_every_method_forecasts_without_amounts_categories_or_probabilities(
    no_activities: Workspace, tmp_path: Path
) -> None:
    def blank(entity: str, table: ibis.Table) -> ibis.Table:
        if entity not in ("opportunity", "opportunity_history"):
            return table
        nulls = {
            name: ibis.null(table[name].type())
            for name in ("amount", "forecast_category", "probability")
            if name in table.columns
        }
        return table.mutate(**nulls)

    bare = copy_company(no_activities, tmp_path / "bare", blank)
    try:
        _checked(bare)
        call = bare.forecast.call(PERIOD, as_of=AS_OF, methods=["rollup", "weighted"])
        assert all(f.p50 == f.booked for f in call.forecasts)  # nothing to weigh
    finally:
        bare.close()


def test_with_a_stored_backtest_the_call_leads_with_its_most_accurate_method(
    no_activities: Workspace,
) -> None:
    methods = ["weighted", "rollup"]
    result = no_activities.forecast.backtest(periods=1, methods=methods, as_of=date(2026, 11, 22))
    call = no_activities.forecast.call(PERIOD, as_of=AS_OF, methods=methods)
    chosen = call.recommended
    assert chosen is not None
    assert chosen.week == 3  # 1 November + 14 days: the third weekly as-of day
    cell = result.summary[result.summary["week"] == chosen.week]
    assert chosen.accuracy == cell["median_accuracy"].max()
    mine = cell[cell["method"] == chosen.method]["median_accuracy"].iloc[0]
    assert mine == chosen.accuracy
    assert "stored backtest" in chosen.reason
    assert chosen.p50 == next(f.p50 for f in call.forecasts if f.method == chosen.method)
    # A rep's call does not choose by the company's backtest.
    scope = no_activities.metrics.scope_for("john.hernandez@revops-demo.com", team=False)
    assert scope is not None
    rep = no_activities.forecast.call(PERIOD, as_of=AS_OF, methods=methods, scope=scope)
    assert rep.recommended is not None
    assert "whole company" in rep.recommended.reason
