"""GET /api/v1/quality: the data-quality page's view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.deps import StateDep, Viewer
from revops.app.views.quality import QualityView, build_quality

router = APIRouter(tags=["cockpit"])


@router.get("/quality")
def quality(state: StateDep, principal: Viewer) -> QualityView:
    """Scores of the latest quality run, worst rules, offenders by owner with what to fix,
    the trend (the page `/quality`), of the caller's records."""
    return build_quality(state, principal)
