"""The activation plan page, and the form that adds a note on a metric's chart."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from revops.app.api.params import Day
from revops.app.deps import Annotator, Csrf, StateDep, Viewer
from revops.app.views.plan import NewAnnotation, add_annotation, build_plan
from revops.app.web.render import render

router = APIRouter()


@router.get("/plan")
def plan(request: Request, state: StateDep, principal: Viewer, as_of: Day = None) -> HTMLResponse:
    """Each target against the measured value month by month; JSON twin /api/v1/plan/status."""
    return render(request, "plan.html", build_plan(state, principal, as_of), principal)


@router.post("/annotations", dependencies=[Csrf])
def annotate(
    state: StateDep,
    principal: Annotator,
    day: Annotated[date, Form(alias="date")],
    text: Annotated[str, Form(min_length=1, max_length=500)],
    metric: Annotated[str, Form(max_length=100)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """Add a note on a metric from its chart, then show the chart again."""
    body = NewAnnotation(date=day, text=text, metric=metric or None)
    add_annotation(state, principal, body)
    # Only a path of this site: never an address elsewhere.
    target = (
        back
        if back.startswith("/") and not back.startswith("//")
        else "/metrics?" + (urlencode({"metric": metric}) if metric else "")
    )
    return RedirectResponse(target, 303)
