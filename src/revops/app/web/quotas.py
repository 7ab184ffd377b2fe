"""The quota and capacity pages (plans computed for the year and target in the query);
the quota page's forms apply the plan shown and revert the year's latest version."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.deps import Csrf, StateDep, TerritoryPlanner, TerritoryViewer
from revops.app.views.quotas import apply_quotas, build_capacity, build_quotas, revert_quotas
from revops.app.web.render import render
from revops.errors import PlanError, RevOpsError

router = APIRouter()
Year = Annotated[str, Form(min_length=1, max_length=20)]


@router.get("/quotas")
def quotas_page(request: Request, state: StateDep, principal: TerritoryViewer,
                year: str | None = None, target: float | None = None) -> HTMLResponse:  # fmt: skip
    """Top-down against bottom-up per team, each rep's quarters, the versions."""
    try:
        view = build_quotas(state, principal, year, target)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return render(request, "quotas.html", view, principal)


@router.post("/quotas/apply", dependencies=[Csrf])
def apply(
    state: StateDep,
    principal: TerritoryPlanner,
    year: Year,
    target: Annotated[float, Form(gt=0)],
    plan_sha256: Annotated[str, Form(min_length=64, max_length=64)],
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """ "Apply this plan", then back to the page (409 when the plan is another one now)."""
    try:
        apply_quotas(state, principal, year, target, plan_sha256, note or None)
    except PlanError as exc:
        raise HTTPException(409, str(exc)) from None
    query = urlencode({"year": year, "target": target})
    return RedirectResponse(f"/quotas?{query}#quotas-versions", 303)


@router.post("/quotas/revert", dependencies=[Csrf])
def revert(
    state: StateDep,
    principal: TerritoryPlanner,
    year: Year,
    version: Annotated[int, Form(ge=1)],
    target: Annotated[float | None, Form()] = None,
) -> Response:
    """Revert the year's latest version (the one the page showed), then back."""
    try:
        revert_quotas(state, principal, year, version)
    except PlanError as exc:
        raise HTTPException(409, str(exc)) from None
    query = urlencode({"year": year, **({"target": target} if target else {})})
    return RedirectResponse(f"/quotas?{query}#quotas-versions", 303)


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
