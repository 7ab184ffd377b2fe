"""Customer success under /api/v1: the at-risk list and renewal forecast (the page
`/success`) and the non-contractual lifetime value of buyers without a subscription."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from revops.app.deps import StateDep, Viewer
from revops.app.views.success import SuccessView, build_success
from revops.errors import RevOpsError

router = APIRouter(tags=["success"])

Threshold = Annotated[
    float, Query(ge=0, le=1, description="P(churn) from which a company is at risk.")
]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows to return.")]


@router.get("/success")
def success(
    state: StateDep, principal: Viewer, threshold: Threshold = 0.1, limit: Limit = 50
) -> SuccessView:
    """Companies at risk by ARR at stake with reasons and CSM, the renewal forecast with
    its range and annual renewals by month, from the caller's rows."""
    return build_success(state, principal, threshold, limit)


@router.get("/success/clv")
def clv(
    state: StateDep,
    principal: Viewer,
    periods: Annotated[float, Query(gt=0, le=520, description="Horizon, in units.")] = 12,
    unit: Annotated[str, Query(pattern="^(week|month)$")] = "month",
    limit: Limit = 50,
) -> dict[str, Any]:
    """BG/NBD + Gamma-Gamma fitted on the invoices of buyers without a subscription: the
    parameters, totals and the customers of highest expected value over the horizon."""
    if principal.scope.owners is not None:
        raise HTTPException(403, "lifetime value covers every customer: not for a row scope")
    try:
        with state.reading(report=True):
            result = state.workspace.success.clv(
                as_of=state.today,
                periods=periods,
                unit=unit,  # type: ignore[arg-type]
            )
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return result.as_dict(limit)


@router.get("/success/cohorts")
def cohorts(
    state: StateDep,
    principal: Viewer,
    unit: Annotated[str, Query(pattern="^(month|quarter)$")] = "month",
) -> dict[str, Any]:
    """Logo and revenue retention of every start cohort at each period end since its start,
    as of the app's day."""
    if principal.scope.owners is not None:
        raise HTTPException(403, "cohort retention covers every customer: not for a row scope")
    try:
        with state.reading(report=True):
            table = state.workspace.success.cohorts(as_of=state.today, unit=unit)  # type: ignore[arg-type]
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return table.as_dict()


@router.get("/success/clv/segments")
def clv_segments(state: StateDep, principal: Viewer) -> dict[str, Any]:
    """Lifetime value per segment, each by the method of `success/clv.yaml` (sBG,
    contractual_simple or BG/NBD), with the fitted parameters."""
    if principal.scope.owners is not None:
        raise HTTPException(403, "lifetime value covers every customer: not for a row scope")
    try:
        with state.reading(report=True):
            result = state.workspace.success.segment_clv(as_of=state.today)
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return result.as_dict()


@router.get("/success/models")
def stored_models(state: StateDep, principal: Viewer) -> list[dict[str, Any]]:
    """The churn models `revops success train` stored in the workspace, oldest first: the
    training day, rows and churns learned from, coefficients and sBG fits. Risk, renewals
    and the catalog's churn-risk metrics score with the newest on or before their day."""
    return state.workspace.success.stored_models()
