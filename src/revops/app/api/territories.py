"""GET /api/v1/territories (the version in effect, its comparison, history and the pending
plan), POST /api/v1/territories/plan (a design run now, kept as the pending plan),
/apply (exactly the pending plan reviewed) and /revert, for RevOps and admins, audited;
GET /api/v1/territories/export (the pending plan's assignment, CSV or XLSX)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from revops.app.api.errors import CONFLICT
from revops.app.api.metrics import DOWNLOAD
from revops.app.deps import Csrf, StateDep, TerritoryPlanner, TerritoryViewer
from revops.app.export import XLSX, table_response
from revops.app.views.territories import (
    Applied,
    PlanResult,
    TerritoriesView,
    apply_plan,
    build_territories,
    export_plan,
    revert_version,
    run_plan,
)
from revops.errors import RevOpsError, TerritoryError
from revops.territories.component import ASSIGNMENT_COLUMNS

router = APIRouter(tags=["territories"])


class ApplyIn(BaseModel):
    """Apply the pending plan: the hash of the plan reviewed, when it takes effect."""

    plan_sha256: str = Field(
        min_length=64,
        max_length=64,
        description="`pending.plan_sha256` of GET /api/v1/territories.",
    )
    effective: date | None = Field(default=None, description="Default: the plan's as-of day.")
    note: str | None = Field(default=None, max_length=300)


class RevertIn(BaseModel):
    """Revert the latest version, which must be `version`."""

    version: int = Field(ge=1)


@router.get("/territories")
def territories(state: StateDep, principal: TerritoryViewer) -> TerritoriesView:
    """The territory version in effect, each rep's book, its comparison, every version."""
    return build_territories(state, principal)


@router.post("/territories/plan", dependencies=[Csrf])
def plan(state: StateDep, principal: TerritoryPlanner) -> PlanResult:
    """Design territories now by `plans/territories.yaml` and keep the design as the
    pending plan (422 with the reason when it cannot be made)."""
    try:
        return run_plan(state)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None


@router.post("/territories/apply", dependencies=[Csrf], responses=CONFLICT)
def apply(state: StateDep, principal: TerritoryPlanner, body: ApplyIn) -> Applied:
    """Store exactly the pending plan whose hash is sent (409 with the reason when it is
    another plan, none is pending, or its inputs changed since it was planned)."""
    try:
        return apply_plan(state, principal, body.plan_sha256, body.effective, body.note)
    except TerritoryError as exc:
        raise HTTPException(409, str(exc)) from None


@router.post("/territories/revert", dependencies=[Csrf], responses=CONFLICT)
def revert(state: StateDep, principal: TerritoryPlanner, body: RevertIn) -> Applied:
    """Revert the latest version; the one before it is in effect again, exactly."""
    try:
        return revert_version(state, principal, body.version)
    except TerritoryError as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("/territories/export", response_class=Response, responses=DOWNLOAD)
def export(state: StateDep, principal: TerritoryViewer, format: str = "xlsx") -> Response:
    """The pending plan: every account's current and proposed owner (names beside ids),
    territory, potential and workload, as CSV, or XLSX with the reps and comparison."""
    if format not in ("csv", "xlsx"):
        raise HTTPException(422, "format is csv or xlsx")
    try:
        rows, workbook = export_plan(state)
    except TerritoryError as exc:
        raise HTTPException(404, str(exc)) from None
    if format == "xlsx":
        return Response(workbook, media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="territory_plan.xlsx"'})  # fmt: skip
    return table_response("territory_plan", ASSIGNMENT_COLUMNS,
                          [[r[c] for c in ASSIGNMENT_COLUMNS] for r in rows], "csv")  # fmt: skip
