"""Coaching under /api/v1: reps against their team's benchmarks and sales plays compared,
of the caller's rows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from revops.app.api.params import Day, Window
from revops.app.deps import CoachingViewer, StateDep, Viewer
from revops.app.views.coaching import CoachingView, build_coaching
from revops.errors import RevOpsError

router = APIRouter(tags=["coaching"])


@router.get("/coaching")
def page(
    state: StateDep,
    principal: CoachingViewer,
    window: Window = None,
    against: Literal["team", "company"] = "team",
) -> CoachingView:
    """Reps against team benchmarks with outliers, and sales plays with intervals (the
    page `/coaching`; a rep gets their own rows against their team)."""
    return build_coaching(state, principal, window, against)


@router.get("/coaching/reps")
def reps(
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    as_of: Day = None,
    threshold: Annotated[float, Query(gt=0, le=10, description="Standard deviations.")] = 2.0,
    fence: Annotated[float, Query(ge=0, le=10, description="IQRs beyond the quartiles.")] = 1.5,
    min_sample: Annotated[int, Query(ge=1, le=1000, description="Deals to be judged.")] = 3,
    against: Literal["team", "company"] = "team",
    outliers: bool = False,
) -> dict[str, Any]:
    """Each rep's win rate, cycle, deal size, activities per deal and stage conversion
    against their team (or every rep), with outliers flagged and the metric behind."""
    try:
        with state.reading(report=True):
            result = state.workspace.coaching.reps(
                window,
                as_of=as_of or state.today,
                scope=principal.scope,
                threshold=threshold,
                fence=fence,
                min_sample=min_sample,
                outliers_only=outliers,
                against=against,
            )
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return result.to_dict()


@router.get("/coaching/plays")
def plays(
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    as_of: Day = None,
    by: Literal["sales_play", "content_type"] = "sales_play",
    confidence: Annotated[float, Query(gt=0.5, lt=1, description="Of the intervals.")] = 0.95,
) -> dict[str, Any]:
    """Win rate and cycle per sales play or content type with confidence intervals, and
    each group's difference from the rest of the deals with its interval."""
    try:
        with state.reading(report=True):
            result = state.workspace.coaching.plays(
                window,
                by=by,
                as_of=as_of or state.today,
                scope=principal.scope,
                confidence=confidence,
            )
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return result.to_dict()
