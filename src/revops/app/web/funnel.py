"""The funnel page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.funnel import build_funnel
from revops.app.web.render import render

router = APIRouter()


@router.get("/funnel")
def funnel(
    request: Request, state: StateDep, principal: Viewer, window: Window = None
) -> HTMLResponse:
    """Lifecycle funnel and cohorts; JSON twin /api/v1/funnel."""
    return render(request, "funnel.html", build_funnel(state, principal, window), principal)
