"""The leads page: the queue by score with reasons, and the latest evaluation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import LeadsViewer, StateDep
from revops.app.views.leads import build_leads
from revops.app.web.render import render

router = APIRouter()


@router.get("/leads")
def leads_page(request: Request, state: StateDep, principal: LeadsViewer) -> HTMLResponse:
    """The lead queue; JSON twin /api/v1/leads."""
    return render(request, "leads.html", build_leads(state, principal), principal)
