"""The forecast page and its call form."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.api.params import Day, MethodList, ModelCalls, Window
from revops.app.calls import parse_input
from revops.app.deps import CallSubmitter, Csrf, StateDep, Viewer
from revops.app.views.calls import submit_call
from revops.app.views.forecast import build_forecast
from revops.app.web.render import render

router = APIRouter()
Amount = Annotated[str, Form(max_length=40)]


@router.get("/forecast")
def forecast(
    request: Request,
    state: StateDep,
    principal: Viewer,
    period: Window = None,
    as_of: Day = None,
    methods: MethodList = None,
    model_calls: ModelCalls = False,
) -> HTMLResponse:
    """The forecast call, the people's calls and the stored backtest; JSON twin
    /api/v1/forecast."""
    view = build_forecast(state, principal, period, as_of, methods, model_calls)
    return render(request, "forecast.html", view, principal)


@router.post("/forecast/submissions", dependencies=[Csrf])
def submit(
    state: StateDep,
    principal: CallSubmitter,
    period: Annotated[str, Form(min_length=1, max_length=40)],
    owner: Annotated[str, Form(max_length=320)] = "",
    commit: Amount = "",
    best_case: Amount = "",
    pipeline: Amount = "",
    commit_adjustment: Amount = "",
    best_case_adjustment: Amount = "",
    pipeline_adjustment: Amount = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Submit a call from the form, then back to the period's calls."""
    body = parse_input(
        period=period, owner=owner.strip() or None, commit=_blank(commit),
        best_case=_blank(best_case), pipeline=_blank(pipeline),
        commit_adjustment=_blank(commit_adjustment),
        best_case_adjustment=_blank(best_case_adjustment),
        pipeline_adjustment=_blank(pipeline_adjustment), note=note,
    )  # fmt: skip
    found = submit_call(state, principal, body)
    return RedirectResponse(f"/forecast?{urlencode({'period': found.period})}#calls", 303)


def _blank(value: str) -> str | None:
    """A form's empty field is no value; amounts may be typed with thousands separators."""
    cleaned = value.replace(",", "").replace("_", "").strip()
    return cleaned or None
