"""The desk under /api/v1: the queue (a requester's own requests, or all of it for the
revops role), intake, triage, status moves, the requester's rating; the stack audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from revops.app.deps import Csrf, DeskManager, Requester, StateDep, Viewer
from revops.app.views.desk import (
    ChangesView,
    DeskView,
    JourneyView,
    Move,
    NewRequest,
    QueuedRequest,
    Rating,
    StackView,
    Triage,
    add_request,
    build_changes,
    build_desk,
    build_journey,
    build_stack,
    move_request,
    rate_request,
    triage_request,
)

router = APIRouter(tags=["desk"])
RequestId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/desk")
def desk(state: StateDep, principal: Requester) -> DeskView:
    """The queue by value score with stated urgency, age and SLA (the page `/desk`): every
    open request for the revops role, the caller's own requests for anyone else."""
    return build_desk(state, principal)


@router.get("/desk/requests")
def requests(state: StateDep, principal: Requester) -> list[QueuedRequest]:
    """The requests the caller may read, ranked (see `/desk`)."""
    return build_desk(state, principal).queue


@router.post("/desk/requests", status_code=201, dependencies=[Csrf])
def add(state: StateDep, principal: Requester, body: NewRequest) -> QueuedRequest:
    """Ask the desk: the request is the caller's (a desk manager may name the requester).
    Audited. 400 for an unknown linked KPI or requester."""
    request_id = add_request(state, principal, body, "api")
    found = [r for r in build_desk(state, principal).queue if r.request_id == request_id]
    return found[0]


@router.post("/desk/requests/{request_id}/move", dependencies=[Csrf])
def move(
    state: StateDep, principal: DeskManager, request_id: RequestId, body: Move
) -> dict[str, str]:
    """Move a request along the status flow of desk/desk.yaml (400 for a move it does not
    allow). Audited."""
    move_request(state, principal, request_id, body)
    return {"request_id": request_id, "status": body.status}


@router.post("/desk/requests/{request_id}/triage", dependencies=[Csrf])
def triage(
    state: StateDep, principal: DeskManager, request_id: RequestId, body: Triage
) -> dict[str, str]:
    """Set estimates, priority and owner. Audited."""
    triage_request(state, principal, request_id, body)
    return {"request_id": request_id}


@router.post("/desk/requests/{request_id}/rate", dependencies=[Csrf])
def rate(
    state: StateDep, principal: Requester, request_id: RequestId, body: Rating
) -> dict[str, str | int]:
    """The requester's rating of their closed request (400 for anyone else's). Audited."""
    rate_request(state, principal, request_id, body)
    return {"request_id": request_id, "rating": body.rating}


@router.get("/audit/stack")
def stack(state: StateDep, principal: DeskManager) -> StackView:
    """The tech-stack audit (the page `/desk/stack`)."""
    return build_stack(state, principal)


@router.get("/audit/journey")
def journey(state: StateDep, principal: DeskManager) -> JourneyView:
    """The customer-journey audit (the page `/desk/journey`)."""
    return build_journey(state, principal)


@router.get("/desk/changes")
def changes(state: StateDep, principal: Viewer) -> ChangesView:
    """Definition changes since the last commit (or snapshot), each with the metrics,
    pages and teams it affects, and the change log (the page `/desk/changes`)."""
    return build_changes(state, principal)
