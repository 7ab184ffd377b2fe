"""The pipeline page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import Day, FromDay, PipelineBy, ToDay, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.pipeline import build_pipeline
from revops.app.web.render import render

router = APIRouter()


@router.get("/pipeline")
def pipeline(
    request: Request,
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    as_of: Day = None,
    by: PipelineBy = None,
    start: FromDay = None,
    end: ToDay = None,
) -> HTMLResponse:
    """Pipeline by stage, stalled deals, waterfall; JSON twin /api/v1/pipeline."""
    view = build_pipeline(state, principal, window, as_of=as_of, by=by, start=start, end=end)
    return render(request, "pipeline.html", view, principal)
