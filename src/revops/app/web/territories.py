"""The territories page: the version in effect, each rep's book and its comparison."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, TerritoryViewer
from revops.app.views.territories import build_territories
from revops.app.web.render import render

router = APIRouter()


@router.get("/territories")
def territories_page(request: Request, state: StateDep, principal: TerritoryViewer) -> HTMLResponse:
    """Reps' books of the version in effect, the comparison, the versions."""
    return render(request, "territories.html", build_territories(state, principal), principal)
