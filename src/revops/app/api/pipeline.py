"""GET /api/v1/pipeline: the pipeline page's view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api.params import Day, FromDay, PipelineBy, ToDay, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.pipeline import PipelineView, build_pipeline

router = APIRouter(tags=["cockpit"])


@router.get("/pipeline")
def pipeline(
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    as_of: Day = None,
    by: PipelineBy = None,
    start: FromDay = None,
    end: ToDay = None,
) -> PipelineView:
    """Open pipeline by stage, coverage, velocity, stalled deals and the waterfall between
    two days (the page `/pipeline`), of the caller's rows."""
    return build_pipeline(state, principal, window, as_of=as_of, by=by, start=start, end=end)
