"""The identity review page: pairs the model is unsure of, both records side by side, to
accept (one entity) or reject (two); decisions wait in the app database for the next
`revops identity run`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from revops.app import review
from revops.app.views.common import Page, page
from revops.errors import IdentityError
from revops.identity.review import describe_records

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.identity import Identity

Kind = Literal["person", "company"]
REVIEW_LIMIT = 50


class ReviewRecord(BaseModel):
    """One side of a pair, as the warehouse holds it."""

    unique_id: str
    entity: str = Field(description="The table: lead, contact or account.")
    record_id: str
    source_system: str
    source_id: str
    name: str
    email: str | None
    company: str | None = Field(description="A person's company, a company's domain.")


class Comparison(BaseModel):
    """How the two records compare on one field: the level and its weight."""

    comparison: str
    level: str
    weight: float | None
    left: Any = None
    right: Any = None


class ReviewPair(BaseModel):
    """A pair scored within `identity.review_band` that nobody has decided yet."""

    left: str
    right: str
    left_record: ReviewRecord | None
    right_record: ReviewRecord | None
    left_name: str
    right_name: str
    match_weight: float
    match_probability: float
    is_match: bool = Field(description="Whether the last run links the two.")
    comparisons: list[Comparison]


class PendingDecision(BaseModel):
    """A decision made in the cockpit, stored by the next `revops identity run`."""

    kind: str
    left: str
    right: str
    left_name: str = ""
    right_name: str = ""
    decision: str
    decided_by: str
    decided_at: str


class ReviewView(Page):
    """The identity review page."""

    kind: Kind
    problem: str | None = Field(description="Why there is nothing to show, when there is not.")
    threshold: float
    band: tuple[float, float]
    pairs: list[ReviewPair]
    pending: list[PendingDecision]


def build_review(state: AppState, principal: Principal, kind: Kind) -> ReviewView:
    """The undecided pairs of `kind`, nearest the threshold first, minus those decided in
    the cockpit since the last run (listed apart, as pending)."""
    waiting = review.pending(state.db, kind)
    skip = {(d.left, d.right) for d in waiting}
    identity = reading_identity(state)
    problem, pairs = None, []
    names: dict[str, str] = {}
    try:
        with state.reading():
            rows = identity.review(kind, REVIEW_LIMIT, skip=skip, records=True)
            waiting_ids = sorted({u for d in waiting for u in (d.left, d.right)})
            found = describe_records(identity.warehouse, kind, waiting_ids)
            names = {u: r["name"] for u, r in found.items()}
    except IdentityError as exc:
        problem = str(exc)
        rows = []
    for row in rows:
        pairs.append(
            ReviewPair(
                left=row["left"], right=row["right"],
                left_record=row.get("left_record"), right_record=row.get("right_record"),
                left_name=row["left_name"], right_name=row["right_name"],
                match_weight=row["match_weight"], match_probability=row["match_probability"],
                is_match=row["is_match"],
                comparisons=[Comparison(**c) for c in row["comparisons"]],
            )
        )  # fmt: skip
    return ReviewView(
        **page(state, principal),
        kind=kind,
        problem=problem,
        threshold=identity.threshold(kind),
        band=identity.settings.review_band,
        pairs=pairs,
        pending=[
            PendingDecision(kind=d.kind, left=d.left, right=d.right,
                            left_name=names.get(d.left, ""), right_name=names.get(d.right, ""),
                            decision=d.decision,
                            decided_by=d.decided_by,
                            decided_at=d.decided_at.isoformat(timespec="seconds"))
            for d in waiting
        ],
    )  # fmt: skip


def reading_identity(state: AppState) -> Identity:
    """Identity resolution reading through the calling thread's own warehouse connection
    (the workspace's own one is not shared across request threads)."""
    from revops.identity import Identity

    ws = state.workspace
    return Identity(ws.config.identity, ws.reading_warehouse)
