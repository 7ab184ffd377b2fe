"""The pack page: the meeting-pack templates with their download links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.params import Window
from revops.app.deps import PackViewer, StateDep
from revops.app.views.pack import build_pack_page
from revops.app.web.render import render

router = APIRouter()


@router.get("/pack")
def pack_page(
    request: Request, state: StateDep, principal: PackViewer, period: Window = None
) -> HTMLResponse:
    """The templates with HTML, PDF and JSON links; the pack itself is /api/v1/pack."""
    return render(request, "pack.html", build_pack_page(state, principal, period), principal)
