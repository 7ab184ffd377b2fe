"""The customer-success page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, Viewer
from revops.app.views.success import build_success
from revops.app.web.render import render

router = APIRouter()


@router.get("/success")
def success(
    request: Request,
    state: StateDep,
    principal: Viewer,
    threshold: Annotated[float, Query(ge=0, le=1)] = 0.1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HTMLResponse:
    """Accounts at risk and renewals; JSON twin /api/v1/success."""
    view = build_success(state, principal, threshold, limit)
    return render(request, "success.html", view, principal)
