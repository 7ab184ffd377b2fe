"""The data-quality page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, Viewer
from revops.app.views.quality import build_quality
from revops.app.web.render import render

router = APIRouter()


@router.get("/quality")
def quality(request: Request, state: StateDep, principal: Viewer) -> HTMLResponse:
    """Quality scores, worst rules, offenders by owner; JSON twin /api/v1/quality."""
    return render(request, "quality.html", build_quality(state, principal), principal)
