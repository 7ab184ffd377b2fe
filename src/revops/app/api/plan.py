"""The activation plan and annotations under /api/v1: each target's months and status
(the page `/plan`), and dated notes on metrics and pages (read by all, added by roles that
may annotate; audited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from revops.app.api.params import Day
from revops.app.deps import Annotator, Csrf, StateDep, Viewer
from revops.app.views.plan import (
    AnnotationView,
    NewAnnotation,
    PlanView,
    add_annotation,
    build_plan,
    list_annotations,
    remove_annotation,
)

router = APIRouter(tags=["plan"])
Name = Annotated[str | None, Query(max_length=100, pattern=r"^[a-z][a-z0-9_]*$")]
PagePath = Annotated[str | None, Query(max_length=200, pattern=r"^/")]
Since = Annotated[date | None, Query(alias="from", description="First day (ISO date).")]
Until = Annotated[date | None, Query(alias="to", description="Last day (ISO date).")]
NoteId = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("/plan/status")
def plan_status(state: StateDep, principal: Viewer, as_of: Day = None) -> PlanView:
    """Each target of `plans/activation.yaml` against the measured value of each month up to
    `as_of`, on track / at risk / missed with its trend, from the caller's rows."""
    return build_plan(state, principal, as_of)


@router.get("/annotations")
def list_notes(
    state: StateDep, principal: Viewer, metric: Name = None, page: PagePath = None,
    start: Since = None, end: Until = None,
) -> list[AnnotationView]:  # fmt: skip
    """Dated notes on a metric and/or a page, by date."""
    return list_annotations(state, metric, page, start, end)


@router.post("/annotations", status_code=201, dependencies=[Csrf])
def add(state: StateDep, principal: Annotator, body: NewAnnotation) -> AnnotationView:
    """Add a note on a metric or a page (400 for an unknown metric or neither). Audited."""
    return add_annotation(state, principal, body)


@router.delete("/annotations/{annotation_id}", dependencies=[Csrf])
def remove(state: StateDep, principal: Annotator, annotation_id: NoteId) -> dict[str, str]:
    """Remove a note. Audited."""
    remove_annotation(state, principal, annotation_id)
    return {"removed": annotation_id}
