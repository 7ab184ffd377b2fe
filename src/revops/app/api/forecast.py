"""GET /api/v1/forecast: the forecast page's view model; the forecast calls' history and
submissions (/api/v1/forecast/submissions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from revops.app.api.params import Day, MethodList, ModelCalls, Window
from revops.app.calls import CallInput
from revops.app.deps import CallSubmitter, Csrf, StateDep, Viewer
from revops.app.views.calls import SubmittedCall, call_history, submit_call
from revops.app.views.forecast import ForecastView, build_forecast

router = APIRouter(tags=["cockpit"])


@router.get("/forecast")
def forecast(
    state: StateDep,
    principal: Viewer,
    period: Window = None,
    as_of: Day = None,
    methods: MethodList = None,
    model_calls: ModelCalls = False,
) -> ForecastView:
    """Each method's P10/P50/P90, top deals, changes since last week, the stored backtest
    (the page `/forecast`), fitted on the caller's rows; the people's calls of the period
    beside the model's call and the target."""
    return build_forecast(state, principal, period, as_of, methods, model_calls)


@router.get("/forecast/submissions", tags=["forecast calls"])
def submissions(
    state: StateDep,
    principal: Viewer,
    period: Annotated[
        str | None, Query(max_length=40, description="Only this period's calls: FY2027-Q4.")
    ] = None,
    owner: Annotated[
        str | None, Query(max_length=320, description="CRM user id or e-mail.")
    ] = None,
) -> list[SubmittedCall]:
    """Every stored call within the caller's rows, newest first (a rep: their own; a
    manager: the team's); the latest per person and period is the call."""
    return call_history(state, principal, period, owner)


@router.post("/forecast/submissions", status_code=201, dependencies=[Csrf], tags=["forecast calls"])
def submit(state: StateDep, principal: CallSubmitter, body: CallInput) -> SubmittedCall:
    """Submit a call for an open period: a rep's commit, best case and pipeline; a
    manager's adjustments to the team's calls summed. Audited. 403 for someone outside
    the caller's rows, 422 for amounts or a period that cannot be stored."""
    return submit_call(state, principal, body)
