"""The quota and capacity pages (plans computed for the year and target in the query)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import StateDep, TerritoryViewer
from revops.app.views.quotas import build_capacity, build_quotas
from revops.app.web.render import render
from revops.errors import RevOpsError

router = APIRouter()


@router.get("/quotas")
def quotas_page(request: Request, state: StateDep, principal: TerritoryViewer,
                year: str | None = None, target: float | None = None) -> HTMLResponse:  # fmt: skip
    """Top-down against bottom-up per team, each rep's quarters, the versions."""
    try:
        view = build_quotas(state, principal, year, target)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return render(request, "quotas.html", view, principal)


@router.get("/capacity")
def capacity_page(request: Request, state: StateDep, principal: TerritoryViewer,
                  year: str | None = None, target: float | None = None,
                  productivity: float = 0.0, attrition: float = 0.0) -> HTMLResponse:  # fmt: skip
    """Hires, heads, ramped capacity and expected bookings month by month."""
    try:
        view = build_capacity(state, principal, year, target, productivity, attrition)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return render(request, "capacity.html", view, principal)
