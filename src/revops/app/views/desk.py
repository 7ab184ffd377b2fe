"""The desk page: the RevOps queue ranked by value for the revops role, and a requester's
own requests with the form to ask; the stack audit. The row scope is applied here: a
user without `manage_desk` reads only the requests they made."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app import audit
from revops.app.views.common import Page, number, page
from revops.app.views.records import RecordLink, link

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

QUEUE_LIMIT = 300


class NewRequest(BaseModel):
    """A request as the API and the form take it; the requester is the caller unless a
    desk manager names someone."""

    title: str = Field(min_length=1, max_length=300)
    type: str = Field(default="other", max_length=60)
    details: str | None = Field(default=None, max_length=5000)
    linked_kpi: str | None = Field(default=None, max_length=100)
    linked_process: str | None = Field(default=None, max_length=200)
    reach: float | None = Field(default=None, ge=0)
    impact: float | None = Field(default=None, ge=0, le=10)
    confidence: float | None = Field(default=None, ge=0, le=100)
    effort: float | None = Field(default=None, gt=0)
    due_date: date | None = None
    stated_urgency: str = Field(default="medium", max_length=20)
    requester: str | None = Field(default=None, max_length=320, description="Managers only.")


class Move(BaseModel):
    """A status move."""

    status: str = Field(min_length=1, max_length=30)
    note: str | None = Field(default=None, max_length=2000)


class Triage(BaseModel):
    """Estimates, priority and owner set at triage."""

    reach: float | None = Field(default=None, ge=0)
    impact: float | None = Field(default=None, ge=0, le=10)
    confidence: float | None = Field(default=None, ge=0, le=100)
    effort: float | None = Field(default=None, gt=0)
    priority: str | None = Field(default=None, max_length=20)
    owner_id: str | None = Field(default=None, max_length=320)
    linked_kpi: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=2000)


class Rating(BaseModel):
    """The requester's one-question satisfaction on a closed request."""

    rating: int = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy).")
    comment: str | None = Field(default=None, max_length=2000)


class QueuedRequest(BaseModel):
    """One request of the queue."""

    rank: int = Field(description="Place in the queue by value score.")
    request_id: str
    title: str
    requester: RecordLink | None = Field(description="Who asked, named, linked.")
    requester_team: str | None
    type: str | None
    value_score: float | None = Field(description="The configured method's score.")
    rice: float | None
    wsjf: float | None
    stated_urgency: str | None = Field(description="The urgency the requester stated.")
    priority: str | None
    status: str
    owner: RecordLink | None
    age_days: float | None
    sla_days: float | None
    is_overdue: bool | None
    due_date: str | None
    linked_kpi: str | None
    rating: int | None
    moves: list[str] = Field(description="Statuses it may move to.")


class DeskView(Page):
    """The desk page and its JSON twin `/api/v1/desk`."""

    manage: bool = Field(description="Whether the viewer runs the desk (sees every request).")
    method: str = Field(description="rice or wsjf.")
    summary: dict[str, Any]
    queue: list[QueuedRequest]


def _link(user_id: Any, name: Any) -> RecordLink | None:
    if user_id is None:
        return None
    if str(user_id).startswith("email:"):
        return RecordLink(kind="rep", id=str(user_id), name=str(name or user_id), url=None)
    return link("rep", user_id, name)


def build_desk(state: AppState, principal: Principal) -> DeskView:
    """The queue (all of it for a desk manager, else the viewer's own requests)."""
    desk = state.workspace.desk
    manage = principal.can("manage_desk")
    with state.reading():
        rows = desk.queue(
            requester=None if manage else principal.account.email,
            include_closed=not manage,
            limit=QUEUE_LIMIT,
            today=state.today,
        )
        summary = desk.summary(state.today) if manage else {}
    transitions = desk.settings.transitions
    queue = [
        QueuedRequest(
            rank=r["rank"], request_id=r["request_id"], title=r["title"],
            requester=_link(r["requester_id"], r["requester"]),
            requester_team=r["requester_team"], type=r["type"],
            value_score=number(r["value_score"]), rice=number(r["rice"]),
            wsjf=number(r["wsjf"]), stated_urgency=r["stated_urgency"],
            priority=r["priority"], status=r["status"], owner=_link(r["owner_id"], r["owner"]),
            age_days=number(r["age_days"]), sla_days=number(r["sla_days"]),
            is_overdue=r["is_overdue"],
            due_date=r["due_date"].isoformat() if r["due_date"] else None,
            linked_kpi=r["linked_kpi"], rating=r["rating"],
            moves=list(transitions.get(r["status"], ())) if manage else [],
        )
        for r in rows
    ]  # fmt: skip
    return DeskView(
        **page(state, principal),
        manage=manage,
        method=desk.settings.score.method,
        summary={k: number(v) if isinstance(v, float) else v for k, v in summary.items()},
        queue=queue,
    )


def add_request(state: AppState, principal: Principal, body: NewRequest, source: str) -> str:
    """Put a request in the queue for the caller (or, for a manager, the one named);
    audited. Returns its id."""
    from revops.desk.intake import RequestInput
    from revops.errors import DeskError

    requester = body.requester if body.requester and principal.can("manage_desk") else None
    fields = body.model_dump(exclude={"requester"}, exclude_none=True)
    try:
        request = RequestInput.model_validate(
            {**fields, "requester": requester or principal.account.email}
        )
    except ValueError as exc:
        raise DeskError(f"the request: {exc}".splitlines()[0]) from None
    with state.writing() as ws:
        row = ws.desk.add(request, by=principal.account.email, source=source)
    request_id = str(row["request_id"])
    audit.record(state.db, principal.account.email, "desk.request.add", request_id, body.title)
    return request_id


def move_request(state: AppState, principal: Principal, request_id: str, body: Move) -> None:
    """Move a request along the status flow; audited."""
    with state.writing() as ws:
        ws.desk.move(request_id, body.status, by=principal.account.email, note=body.note)
    audit.record(state.db, principal.account.email, "desk.request.move", request_id, body.status)


def triage_request(state: AppState, principal: Principal, request_id: str, body: Triage) -> None:
    """Set a request's estimates, priority and owner; audited."""
    changes = body.model_dump(exclude={"note"}, exclude_none=True)
    with state.writing() as ws:
        ws.desk.update(request_id, changes, by=principal.account.email, note=body.note)
    detail = ", ".join(f"{k}={v}" for k, v in sorted(changes.items()))
    audit.record(state.db, principal.account.email, "desk.request.triage", request_id, detail)


def rate_request(state: AppState, principal: Principal, request_id: str, body: Rating) -> None:
    """The requester rates their closed request; audited."""
    with state.writing() as ws:
        ws.desk.rate(request_id, body.rating, by=principal.account.email, comment=body.comment)
    audit.record(state.db, principal.account.email, "desk.request.rate", request_id,
                 str(body.rating))  # fmt: skip


class StackView(Page):
    """The stack audit page and its JSON twin `/api/v1/audit/stack`."""

    summary: dict[str, Any]
    tools: list[dict[str, Any]]
    overlaps: list[dict[str, Any]]
    options: list[dict[str, Any]]
    reps: list[dict[str, Any]]


class JourneyView(Page):
    """The journey audit page and its JSON twin `/api/v1/audit/journey`."""

    stages: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    touches: list[dict[str, Any]]
    content: list[dict[str, Any]]


def build_journey(state: AppState, principal: Principal) -> JourneyView:
    """The customer-journey audit as of the cockpit's day."""
    with state.reading():
        report = state.memo(
            ("desk-journey", state.files_version("desk")),
            lambda: state.workspace.desk.journey.run(state.today),
        )
    return JourneyView(**page(state, principal), stages=report.stages, gaps=report.gaps,
                       touches=report.touches, content=report.content)  # fmt: skip


def build_stack(state: AppState, principal: Principal) -> StackView:
    """The tech-stack audit as of the cockpit's day."""
    with state.reading():
        report = state.memo(
            ("desk-stack", state.files_version("desk")),
            lambda: state.workspace.desk.stack.run(state.today),
        )
    tools = [{**t, "capabilities": list(t["capabilities"])} for t in report.tools]
    reps = [{**r, "rep": _link(r["rep_id"], r["rep"])} for r in report.reps]
    return StackView(
        **page(state, principal),
        summary=report.summary(),
        tools=tools,
        overlaps=report.overlap_rows(),
        options=report.option_rows(),
        reps=reps,
    )


class ChangedDefinition(BaseModel):
    """A changed definition and what depends on it."""

    path: str
    status: str
    definition: str | None
    metrics: list[str] = Field(description="Affected metrics, built-on ones included.")
    pages: list[str]
    teams: list[str] = Field(description="Teams owning an affected metric: whom to tell.")


class ChangesView(Page):
    """The change-log page and its JSON twin `/api/v1/desk/changes`."""

    against: str | None
    changes: list[ChangedDefinition]
    log: list[dict[str, Any]]
    problem: str | None = None


def build_changes(state: AppState, principal: Principal) -> ChangesView:
    """Definition changes since the last commit (or snapshot) with their impact, and the
    change log."""
    from revops.errors import DeskError

    changes = state.workspace.desk.changes
    rows: list[ChangedDefinition] = []
    against: str | None = None
    problem: str | None = None
    with state.reading():
        try:
            against, found = changes.diff()
        except DeskError as exc:
            found, problem = [], str(exc)
        for change in found:
            for name in change.definitions or (None,):
                impact = None
                if name is not None:
                    try:
                        impact = changes.impact(name)
                    except DeskError:
                        impact = None
                rows.append(ChangedDefinition(
                    path=change.path, status=change.status, definition=name,
                    metrics=[m["name"] for m in impact.metrics] if impact else [],
                    pages=impact.pages if impact else [], teams=impact.teams if impact else [],
                ))  # fmt: skip
        log = changes.log()
    return ChangesView(**page(state, principal), against=against, changes=rows, log=log,
                       problem=problem)  # fmt: skip
