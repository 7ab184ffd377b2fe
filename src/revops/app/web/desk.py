"""The desk pages: the queue (or one's own requests) with the request form; the stack
audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.deps import Csrf, DeskManager, Requester, StateDep, Viewer
from revops.app.views.desk import (
    Move,
    NewRequest,
    Rating,
    add_request,
    build_changes,
    build_desk,
    build_journey,
    build_stack,
    move_request,
    rate_request,
)
from revops.app.web.render import render

router = APIRouter()
Text = Annotated[str, Form(max_length=300)]


@router.get("/desk")
def desk_page(request: Request, state: StateDep, principal: Requester) -> HTMLResponse:
    """The queue; JSON twin /api/v1/desk."""
    return render(request, "desk.html", build_desk(state, principal), principal)


@router.post("/desk/requests", dependencies=[Csrf])
def add(
    state: StateDep,
    principal: Requester,
    title: Annotated[str, Form(min_length=1, max_length=300)],
    kind: Annotated[str, Form(alias="type", max_length=60)] = "other",
    details: Annotated[str, Form(max_length=5000)] = "",
    linked_kpi: Text = "",
    stated_urgency: Text = "medium",
    due_date: Text = "",
    reach: Text = "",
    effort: Text = "",
) -> Response:
    """The request form, then back to the desk."""
    body = NewRequest(
        title=title, type=kind, details=details or None, linked_kpi=linked_kpi or None,
        stated_urgency=stated_urgency, due_date=date.fromisoformat(due_date) if due_date else None,
        reach=float(reach) if reach else None, effort=float(effort) if effort else None,
    )  # fmt: skip
    request_id = add_request(state, principal, body, "form")
    return RedirectResponse(f"/desk#{request_id}", 303)


@router.post("/desk/requests/{request_id}/move", dependencies=[Csrf])
def move(
    state: StateDep,
    principal: DeskManager,
    request_id: str,
    status: Annotated[str, Form(min_length=1, max_length=30)],
) -> Response:
    """A status move from the queue, then back to it."""
    move_request(state, principal, request_id, Move(status=status))
    return RedirectResponse(f"/desk#{request_id}", 303)


@router.post("/desk/requests/{request_id}/rate", dependencies=[Csrf])
def rate(
    state: StateDep,
    principal: Requester,
    request_id: str,
    rating: Annotated[int, Form(ge=1, le=5)],
) -> Response:
    """The requester's rating, then back to their requests."""
    rate_request(state, principal, request_id, Rating(rating=rating))
    return RedirectResponse(f"/desk#{request_id}", 303)


@router.get("/desk/stack")
def stack_page(request: Request, state: StateDep, principal: DeskManager) -> HTMLResponse:
    """The tech-stack audit; JSON twin /api/v1/audit/stack."""
    return render(request, "stack.html", build_stack(state, principal), principal)


@router.get("/desk/journey")
def journey_page(request: Request, state: StateDep, principal: DeskManager) -> HTMLResponse:
    """The customer-journey audit; JSON twin /api/v1/audit/journey."""
    return render(request, "journey.html", build_journey(state, principal), principal)


@router.get("/desk/changes")
def changes_page(request: Request, state: StateDep, principal: Viewer) -> HTMLResponse:
    """The definitions change log; JSON twin /api/v1/desk/changes."""
    return render(request, "changes.html", build_changes(state, principal), principal)
