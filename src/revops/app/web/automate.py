"""The automation page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, Viewer
from revops.app.views.automate import build_automate
from revops.app.web.render import render

router = APIRouter()


@router.get("/automate")
def automate(request: Request, state: StateDep, principal: Viewer) -> HTMLResponse:
    """Workflows, last runs, tasks, the viewer's subscriptions; JSON twin /api/v1/automate."""
    return render(request, "automate.html", build_automate(state, principal), principal)
