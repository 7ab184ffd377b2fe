"""GET /api/v1/quality: the data-quality page's view model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from revops.app.deps import RowReader, StateDep, Viewer
from revops.app.views.quality import FailuresView, QualityView, build_failures, build_quality

router = APIRouter(tags=["cockpit"])


@router.get("/quality")
def quality(state: StateDep, principal: Viewer) -> QualityView:
    """Scores of the latest quality run, worst rules, offenders by owner with what to fix,
    the trend (the page `/quality`), of the caller's records."""
    return build_quality(state, principal)


NAME = r"^[A-Za-z0-9_.:@ -]+$"


@router.get("/quality/failures")
def failures(
    state: StateDep,
    principal: RowReader,
    entity: Annotated[str, Query(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")],
    rule: Annotated[str, Query(max_length=100, pattern=NAME)],
    owner: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> FailuresView:
    """The caller's records failing one rule, by owner, named and linked to their pages,
    as of the latest quality run (`revops quality failures ENTITY RULE`); `owner` is a
    user id or name. 400 naming the rules of the entity for an unknown rule."""
    return build_failures(state, principal, entity, rule, owner, limit, offset)
