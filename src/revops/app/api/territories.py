"""GET /api/v1/territories (the version in effect, its comparison and history) and POST
/api/v1/territories/plan (a design run now, for RevOps and admins; never applied)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from revops.app.deps import Csrf, StateDep, TerritoryPlanner, TerritoryViewer
from revops.app.views.territories import PlanResult, TerritoriesView, build_territories, run_plan
from revops.errors import RevOpsError

router = APIRouter(tags=["territories"])


@router.get("/territories")
def territories(state: StateDep, principal: TerritoryViewer) -> TerritoriesView:
    """The territory version in effect, each rep's book, its comparison, every version."""
    return build_territories(state, principal)


@router.post("/territories/plan", dependencies=[Csrf])
def plan(state: StateDep, principal: TerritoryPlanner) -> PlanResult:
    """Design territories now by `plans/territories.yaml` (422 with the reason when it
    cannot be made); `revops plan territories --apply` stores one."""
    try:
        return run_plan(state)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
