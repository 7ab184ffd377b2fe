"""GET /api/v1/forecast: the forecast page's view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api.params import Day, MethodList, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.forecast import ForecastView, build_forecast

router = APIRouter(tags=["cockpit"])


@router.get("/forecast")
def forecast(
    state: StateDep,
    principal: Viewer,
    period: Window = None,
    as_of: Day = None,
    methods: MethodList = None,
) -> ForecastView:
    """Each method's P10/P50/P90, top deals, changes since last week, the stored backtest
    (the page `/forecast`), fitted on the caller's rows."""
    return build_forecast(state, principal, period, as_of, methods)
