"""GET /api/v1/quotas (a quota plan for ?year=&target=, and the applied versions) and
GET /api/v1/capacity (a capacity plan for ?year=&target=, what-ifs in ?productivity=
and ?attrition=, as fractions). Nothing is applied from the API."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from revops.app.deps import StateDep, TerritoryViewer
from revops.app.views.quotas import CapacityView, QuotasView, build_capacity, build_quotas
from revops.errors import RevOpsError

router = APIRouter(tags=["quotas"])


@router.get("/quotas")
def quotas(state: StateDep, principal: TerritoryViewer, year: str | None = None,
           target: float | None = None) -> QuotasView:  # fmt: skip
    """The quota plan of a year and target (422 with the reason when it cannot be made)."""
    try:
        return build_quotas(state, principal, year, target)
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
