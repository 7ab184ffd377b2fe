"""The territories page: the version in effect, each rep's book and its comparison, the
pending plan with its balance chart; its forms apply exactly the pending plan shown and
revert the latest version (RevOps and admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.deps import Csrf, StateDep, TerritoryPlanner, TerritoryViewer
from revops.app.views.territories import apply_plan, build_territories, revert_version
from revops.app.web.render import render
from revops.errors import TerritoryError

router = APIRouter()


@router.get("/territories")
def territories_page(request: Request, state: StateDep, principal: TerritoryViewer) -> HTMLResponse:
    """Reps' books of the version in effect, the comparison, the versions, the plan."""
    return render(request, "territories.html", build_territories(state, principal), principal)


@router.post("/territories/apply", dependencies=[Csrf])
def apply(
    state: StateDep,
    principal: TerritoryPlanner,
    plan_sha256: Annotated[str, Form(min_length=64, max_length=64)],
    effective: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """ "Apply this plan", then back to the page (409 with the reason when refused)."""
    try:
        day = date.fromisoformat(effective) if effective else None
        apply_plan(state, principal, plan_sha256, day, note or None)
    except ValueError:
        raise HTTPException(422, f"effective: {effective!r} is not a date") from None
    except TerritoryError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/territories#territories-versions", 303)


@router.post("/territories/revert", dependencies=[Csrf])
def revert(
    state: StateDep, principal: TerritoryPlanner, version: Annotated[int, Form(ge=1)]
) -> Response:
    """Revert the latest version (the one the page showed), then back to the page."""
    try:
        revert_version(state, principal, version)
    except TerritoryError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/territories#territories-versions", 303)
