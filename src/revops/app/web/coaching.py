"""The coaching page."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import Window
from revops.app.deps import CoachingViewer, StateDep
from revops.app.views.coaching import build_coaching
from revops.app.web.render import render

router = APIRouter()


@router.get("/coaching")
def coaching(
    request: Request,
    state: StateDep,
    principal: CoachingViewer,
    window: Window = None,
    against: Literal["team", "company"] = "team",
) -> HTMLResponse:
    """Reps against team benchmarks and sales plays; JSON twin /api/v1/coaching."""
    view = build_coaching(state, principal, window, against)
    return render(request, "coaching.html", view, principal)
