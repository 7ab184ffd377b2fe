"""GET /api/v1/quotas (a quota plan for ?year=&target=, and the applied versions) and
GET /api/v1/capacity (a capacity plan for ?year=&target=, what-ifs in ?productivity=
and ?attrition=, as fractions), both with an XLSX export; POST /api/v1/quotas/apply
(the plan reviewed, by its hash) and /revert, for RevOps and admins, audited."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from revops.app.api.errors import CONFLICT
from revops.app.api.metrics import DOWNLOAD
from revops.app.deps import Csrf, StateDep, TerritoryPlanner, TerritoryViewer
from revops.app.export import XLSX
from revops.app.views.quotas import (
    CapacityView,
    QuotaApplied,
    QuotasView,
    apply_quotas,
    build_capacity,
    build_quotas,
    capacity_export,
    quota_export,
    revert_quotas,
)
from revops.errors import PlanError, RevOpsError

router = APIRouter(tags=["quotas"])


class ApplyIn(BaseModel):
    """Apply the plan of a year and target, which must be the one reviewed."""

    year: str = Field(min_length=1, max_length=20)
    target: float = Field(gt=0)
    plan_sha256: str = Field(min_length=64, max_length=64,
                             description="`plan_sha256` of GET /api/v1/quotas.")  # fmt: skip
    note: str | None = Field(default=None, max_length=300)


class RevertIn(BaseModel):
    """Revert the year's latest version, which must be `version`."""

    year: str = Field(min_length=1, max_length=20)
    version: int = Field(ge=1)


def _xlsx(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/quotas")
def quotas(state: StateDep, principal: TerritoryViewer, year: str | None = None,
           target: float | None = None) -> QuotasView:  # fmt: skip
    """The quota plan of a year and target (422 with the reason when it cannot be made)."""
    try:
        return build_quotas(state, principal, year, target)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None


@router.post("/quotas/apply", dependencies=[Csrf], responses=CONFLICT)
def apply(state: StateDep, principal: TerritoryPlanner, body: ApplyIn) -> QuotaApplied:
    """Apply the plan, computed again, when its hash is the one sent (409 otherwise)."""
    try:
        return apply_quotas(state, principal, body.year, body.target, body.plan_sha256,
                            body.note)  # fmt: skip
    except PlanError as exc:
        raise HTTPException(409, str(exc)) from None


@router.post("/quotas/revert", dependencies=[Csrf], responses=CONFLICT)
def revert(state: StateDep, principal: TerritoryPlanner, body: RevertIn) -> QuotaApplied:
    """Revert the year's latest version: the one before it (or the imported quotas) again."""
    try:
        return revert_quotas(state, principal, body.year, body.version)
    except PlanError as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("/quotas/export", response_class=Response, responses=DOWNLOAD)
def quotas_export(state: StateDep, principal: TerritoryViewer, year: str,
                  target: float) -> Response:  # fmt: skip
    """The plan as XLSX: quotas per rep per quarter, reps, teams, quarters."""
    try:
        return _xlsx(quota_export(state, year, target), f"quotas_{year}")
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/capacity")
def capacity(state: StateDep, principal: TerritoryViewer, year: str | None = None,
             target: float | None = None, productivity: float = 0.0,
             attrition: float = 0.0) -> CapacityView:  # fmt: skip
    """The capacity plan of a year and target, with what-if changes."""
    try:
        return build_capacity(state, principal, year, target, productivity, attrition)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/capacity/export", response_class=Response, responses=DOWNLOAD)
def capacity_xlsx(state: StateDep, principal: TerritoryViewer, year: str, target: float,
                  productivity: float = 0.0, attrition: float = 0.0) -> Response:  # fmt: skip
    """The capacity plan as XLSX: months, hires, totals."""
    try:
        content = capacity_export(state, year, target, productivity, attrition)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return _xlsx(content, f"capacity_{year}")
