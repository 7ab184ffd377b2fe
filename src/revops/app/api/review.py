"""The identity review queue: GET the unsure pairs, POST a decision (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from revops.app import review
from revops.app.deps import Csrf, Reviewer, StateDep
from revops.app.views.review import (
    Kind,
    PendingDecision,
    ReviewView,
    build_review,
    reading_identity,
)

router = APIRouter(tags=["identity"])


class NewDecision(BaseModel):
    """A reviewer's decision on a pair of records (unique ids, as the queue lists them)."""

    left: str = Field(min_length=1, max_length=400)
    right: str = Field(min_length=1, max_length=400)
    decision: Literal["accept", "reject"]


@router.get("/identity/review")
def review_queue(
    state: StateDep, principal: Reviewer, kind: Annotated[Kind, Query()] = "person"
) -> ReviewView:
    """Pairs scored within identity.review_band that nobody has decided, nearest the
    threshold first, both records side by side with the comparison levels (the page
    `/identity/review`)."""
    return build_review(state, principal, kind)


@router.post("/identity/review", status_code=201, dependencies=[Csrf])
def decide(state: StateDep, principal: Reviewer, body: NewDecision) -> PendingDecision:
    """Accept (one entity) or reject (two) a pair; stored by the next identity run."""
    found = decide_pair(state, principal.account.email, body.left, body.right, body.decision)
    return PendingDecision(
        kind=found.kind, left=found.left, right=found.right, decision=found.decision,
        decided_by=found.decided_by, decided_at=found.decided_at.isoformat(timespec="seconds"),
    )  # fmt: skip


def decide_pair(
    state: StateDep, actor: str, left: str, right: str, decision: str
) -> review.Decision:
    """Check the two records exist and are of one kind, then store the decision.

    Raises:
        IdentityError: unknown records, the same record twice, or two kinds.
    """
    from revops.errors import IdentityError

    identity = reading_identity(state)
    with state.reading():
        a, b = identity.record(left), identity.record(right)
    if a["unique_id"] == b["unique_id"]:
        raise IdentityError(f"{left!r} and {right!r} are the same record")
    if a["kind"] != b["kind"]:
        raise IdentityError(
            f"{a['unique_id']} is a {a['kind']} and {b['unique_id']} a {b['kind']}: "
            "only records of one kind are one entity"
        )
    return review.record(state.db, a["kind"], a["unique_id"], b["unique_id"], decision, actor)
