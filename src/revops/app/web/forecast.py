"""The forecast page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import Day, MethodList, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.forecast import build_forecast
from revops.app.web.render import render

router = APIRouter()


@router.get("/forecast")
def forecast(
    request: Request,
    state: StateDep,
    principal: Viewer,
    period: Window = None,
    as_of: Day = None,
    methods: MethodList = None,
) -> HTMLResponse:
    """The forecast call and the stored backtest; JSON twin /api/v1/forecast."""
    view = build_forecast(state, principal, period, as_of, methods)
    return render(request, "forecast.html", view, principal)
