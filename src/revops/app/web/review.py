"""The identity review page and its accept / reject form (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revops.app.api.review import decide_pair
from revops.app.deps import Csrf, Reviewer, StateDep
from revops.app.views.review import Kind, build_review
from revops.app.web.render import render

router = APIRouter(prefix="/identity/review")


@router.get("")
def review_page(
    request: Request,
    state: StateDep,
    principal: Reviewer,
    kind: Annotated[Kind, Query()] = "person",
) -> HTMLResponse:
    """Unsure pairs side by side; JSON twin /api/v1/identity/review."""
    return render(request, "review.html", build_review(state, principal, kind), principal)


@router.post("", dependencies=[Csrf])
def decide(
    state: StateDep,
    principal: Reviewer,
    left: Annotated[str, Form(min_length=1, max_length=400)],
    right: Annotated[str, Form(min_length=1, max_length=400)],
    decision: Annotated[Literal["accept", "reject"], Form()],
    kind: Annotated[Kind, Form()] = "person",
) -> Response:
    """Accept or reject a pair from the form, then back to the queue."""
    decide_pair(state, principal.account.email, left, right, decision)
    return RedirectResponse(f"/identity/review?kind={kind}", status_code=303)
