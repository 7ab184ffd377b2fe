"""The activation plan page and annotations: each target against the measured value month
by month (within the viewer's row scope), and the dated notes on metrics and pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app import audit
from revops.app.views.common import Page, formatted, number, page
from revops.app.views.records import record_url

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period
    from revops.plan import Annotation, MonthStatus, TargetStatus


class AnnotationView(BaseModel):
    """A dated note on a metric or a page."""

    id: str
    date: str
    text: str
    metric: str | None
    page: str | None
    author: str | None
    period: str | None = Field(
        default=None, description="The chart's period the note falls in, on a chart."
    )


class NewAnnotation(BaseModel):
    """A note to add: a day, a text, and the metric or page it is about."""

    date: date
    text: str = Field(min_length=1, max_length=500)
    metric: str | None = Field(default=None, max_length=100)
    page: str | None = Field(default=None, max_length=200)


class PlanMonth(BaseModel):
    """One month of a target."""

    month: str
    target: float | None
    measured: float | None
    result: str = Field(
        description="baseline, measured, met, missed, no_data, running (to date), upcoming."
    )
    target_display: str
    measured_display: str


class PlanTarget(BaseModel):
    """A target of an initiative, with its months and verdict."""

    initiative: str
    owner: str = Field(description="The owner as the plan names them (user id or e-mail).")
    owner_id: str | None
    owner_name: str | None
    owner_url: str | None
    metric: str
    metric_label: str
    unit: str
    direction: str
    status: str = Field(description="on_track, at_risk, missed, met or no_data.")
    trend: str | None = Field(description="improving, worsening or flat (last 3 months).")
    slope: float | None = Field(description="Change per month of the trend.")
    next_month: str | None
    next_target: float | None
    projected: float | None = Field(description="The trend's value at the next target month.")
    months: list[PlanMonth]
    explore_url: str
    annotations: list[AnnotationView]


class PlanView(Page):
    """The activation plan page (`/plan`), JSON twin `/api/v1/plan/status`."""

    plan_as_of: str = Field(description="The day of the status.")
    file: str
    counts: dict[str, int]
    targets: list[PlanTarget]
    notes: list[AnnotationView] = Field(description="Dated notes on the page `/plan`.")
    problem: str | None = Field(
        default=None, description="Why there is no target to show (no plan written yet)."
    )


def annotation_view(note: Annotation, period: str | None = None) -> AnnotationView:
    """A note as pages and the API show it."""
    return AnnotationView(id=note.id, date=note.date.isoformat(), text=note.text,
                          metric=note.metric, page=note.page, author=note.author,
                          period=period)  # fmt: skip


def build_plan(state: AppState, principal: Principal, as_of: date | None) -> PlanView:
    """Every target of the plan as of `as_of` (at most the app's day), from this user's rows."""
    day = min(as_of or state.today, state.today)
    ws = state.workspace
    path = ws.root / "plans" / "activation.yaml"
    if not path.is_file():
        return PlanView(
            **page(state, principal), plan_as_of=day.isoformat(), file="plans/activation.yaml",
            counts={}, targets=[], notes=[],
            problem="No activation plan yet: write plans/activation.yaml (see docs/plan.md).",
        )  # fmt: skip
    stamp = hash(path.read_bytes())  # an edit is seen at once

    def build() -> tuple[str, dict[str, int], list[TargetStatus]]:
        with state.reading():
            found = ws.plan.status(day, scope=principal.scope)
        return found.file, found.counts(), list(found.targets)

    file, counts, targets = state.memo(("plan", day, stamp, principal.scope), build)
    notes = ws.annotations.all()
    return PlanView(
        **page(state, principal),
        plan_as_of=day.isoformat(),
        file=file,
        counts=counts,
        targets=[_target(t, notes) for t in targets],
        notes=[annotation_view(n) for n in notes if n.page == "/plan"],
    )


def _target(t: TargetStatus, notes: list[Annotation]) -> PlanTarget:
    first, last = t.months[0].month, t.months[-1].month
    shown = [
        annotation_view(n, n.date.isoformat()[:7])
        for n in notes
        if n.metric == t.metric and first <= n.date.isoformat()[:7] <= last
    ]
    query = urlencode({"metric": t.metric, "grain": "month", "window": _window(first, last)})
    return PlanTarget(
        initiative=t.initiative, owner=t.owner, owner_id=t.owner_id, owner_name=t.owner_name,
        owner_url=record_url("rep", t.owner_id) if t.owner_id else None,
        metric=t.metric, metric_label=t.metric_label, unit=t.unit,
        direction=t.direction, status=t.status, trend=t.trend, slope=number(t.slope),
        next_month=t.next_month, next_target=number(t.next_target),
        projected=number(t.projected),
        months=[_month(m, t.unit) for m in t.months],
        explore_url=f"/metrics?{query}",
        annotations=shown,
    )  # fmt: skip


def _month(m: MonthStatus, unit: str) -> PlanMonth:
    target, measured = number(m.target), number(m.measured)
    return PlanMonth(
        month=m.month,
        target=target,
        measured=measured,
        result=m.result,
        target_display=formatted(target, unit) if target is not None else "",
        measured_display=formatted(measured, unit),
    )


def _window(first: str, last: str) -> str:
    """A window label from the first day of month `first` to the last of month `last`."""
    from revops.plan.config import month_start
    from revops.plan.status import month_end

    return f"{month_start(first).isoformat()}..{month_end(month_start(last)).isoformat()}"


def chart_annotations(state: AppState, metric: str, periods: list[Period]) -> list[AnnotationView]:
    """The notes on `metric` dated within `periods`, each with the period it falls in."""
    if not periods:
        return []
    last = periods[-1].end - timedelta(days=1)
    found = []
    for note in state.workspace.annotations.for_metric(metric, periods[0].start, last):
        period = next((p.label for p in periods if p.start <= note.date < p.end), None)
        found.append(annotation_view(note, period))
    return found


def list_annotations(
    state: AppState,
    metric: str | None,
    page_path: str | None,
    start: date | None,
    end: date | None,
) -> list[AnnotationView]:
    """The notes on a metric and/or a page dated from `start` to `end`."""
    notes = state.workspace.annotations.find(metric=metric, page=page_path, start=start, end=end)
    return [annotation_view(n) for n in notes]


def add_annotation(state: AppState, principal: Principal, body: NewAnnotation) -> AnnotationView:
    """Add a note as the caller; audited."""
    note = state.workspace.annotations.add(
        body.date, body.text, metric=body.metric or None, page=body.page or None,
        author=principal.account.email,
    )  # fmt: skip
    about = note.metric or note.page or ""
    audit.record(state.db, principal.account.email, "annotation.add", note.id,
                 f"{note.date} {about}: {note.text}"[:200])  # fmt: skip
    return annotation_view(note)


def remove_annotation(state: AppState, principal: Principal, annotation_id: str) -> None:
    """Remove a note; audited."""
    note = state.workspace.annotations.remove(annotation_id)
    audit.record(state.db, principal.account.email, "annotation.remove", note.id, note.text[:200])
