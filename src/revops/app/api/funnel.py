"""GET /api/v1/funnel: the funnel page's view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api.params import Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.funnel import FunnelView, build_funnel

router = APIRouter(tags=["cockpit"])


@router.get("/funnel")
def funnel(state: StateDep, principal: Viewer, window: Window = None) -> FunnelView:
    """Lifecycle stages with conversion and time between, and cohorts (the page `/funnel`)."""
    return build_funnel(state, principal, window)
