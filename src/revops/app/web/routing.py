"""The lead routing page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, Viewer
from revops.app.views.routing import build_routing
from revops.app.web.render import render

router = APIRouter()


@router.get("/leads/routing")
def routing(
    request: Request,
    state: StateDep,
    principal: Viewer,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> HTMLResponse:
    """Routing log, SLA breaches, simulation; JSON twin /api/v1/leads/routing."""
    return render(request, "routing.html", build_routing(state, principal, days), principal)
