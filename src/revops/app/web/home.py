"""The cockpit home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import CompareParam, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.home import build_home
from revops.app.web.render import render

router = APIRouter()


@router.get("/")
def home(
    request: Request,
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    compare: CompareParam = "previous",
) -> HTMLResponse:
    """Headline KPIs with comparison and sparkline; JSON twin /api/v1/home."""
    return render(request, "home.html", build_home(state, principal, window, compare), principal)
