"""The data-quality page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from revops.app import actions
from revops.app.api.jobs import start
from revops.app.api.quality import NAME
from revops.app.deps import Csrf, QualityRunner, RowReader, StateDep, Viewer
from revops.app.views.quality import build_failures, build_quality
from revops.app.web.render import render

router = APIRouter()


@router.get("/quality")
def quality(request: Request, state: StateDep, principal: Viewer) -> HTMLResponse:
    """Quality scores, worst rules, offenders by owner; JSON twin /api/v1/quality."""
    return render(request, "quality.html", build_quality(state, principal), principal)


@router.get("/quality/failures")
def failures(
    request: Request,
    state: StateDep,
    principal: RowReader,
    entity: Annotated[str, Query(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")],
    rule: Annotated[str, Query(max_length=100, pattern=NAME)],
    owner: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> HTMLResponse:
    """The records failing one rule; JSON twin /api/v1/quality/failures."""
    view = build_failures(state, principal, entity, rule, owner, offset=offset)
    return render(request, "quality_failures.html", view, principal)


@router.post("/quality/failures/assign", dependencies=[Csrf])
def assign_form(
    state: StateDep,
    principal: QualityRunner,
    entity: Annotated[str, Form(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")],
    rule: Annotated[str, Form(max_length=100, pattern=NAME)],
    owner: Annotated[str | None, Form(max_length=200)] = None,
) -> RedirectResponse:
    """Queue the tasks for the owners of the records failing the rule; to the jobs page."""
    params = {"entity": entity, "rule": rule, "owner": owner or None}
    start(state, principal, "assign", params, actions.AssignFixes(entity, rule, owner or None))
    return RedirectResponse("/jobs", status_code=303)
