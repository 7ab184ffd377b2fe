"""The automation page: the workflows with their last run, the latest runs, the viewer's
tasks and subscriptions.

Runs name records of the whole company, so they are shown to roles that read every row;
a rep or manager sees the workflows, the tasks of the users in their scope and their own
subscriptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import RecordKind, record_url
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

_KINDS: dict[str, RecordKind] = {"opportunity": "deal", "account": "account", "lead": "person",
                                 "contact": "person"}  # fmt: skip


class WorkflowRow(BaseModel):
    """One workflow of `automations/*.yaml` and its last run."""

    name: str
    description: str
    enabled: bool
    trigger: str
    when: str | None
    actions: str
    file: str
    last_run_id: str | None
    last_run_at: str | None
    last_status: str | None


class RunRow(BaseModel):
    """One run of a workflow or a delivery."""

    run_id: str
    workflow: str
    trigger: str
    started_at: str
    records: int
    actions: int
    failed: int
    status: str
    undone_at: str | None


class TaskRow(BaseModel):
    """A task a workflow created."""

    title: str
    user_id: str
    user: str | None
    user_url: str | None
    record: str | None
    record_url: str | None
    due_date: str
    workflow: str


class SubscriptionRow(BaseModel):
    """One of the viewer's subscriptions."""

    name: str
    kind: str = Field(description="delivery (on a schedule) or alert (on a threshold).")
    metrics: list[str]
    pack: str | None = Field(default=None, description="The meeting-pack template delivered.")
    window: str | None
    cron: str | None
    threshold: str | None
    channel: str


class SequenceKpis(BaseModel):
    """One follow-up sequence's outcomes."""

    sequence: str
    enrolled: int
    active: int
    completed: int
    replied: int
    meetings: int
    status_changes: int
    opted_out: int
    emails_sent: int


class AutomateView(Page):
    """The automation page."""

    problem: str | None
    workflows: list[WorkflowRow]
    runs: list[RunRow]
    runs_note: str | None
    tasks: list[TaskRow]
    subscriptions: list[SubscriptionRow]
    sequences: list[SequenceKpis] = Field(
        description="Per follow-up sequence, for roles that see every row."
    )


def _record_url(entity: str | None, record_id: str) -> str | None:
    kind = _KINDS.get(entity or "")
    if kind == "person":  # people pages are keyed by the table and the id
        return record_url(kind, f"{entity}:{record_id}")
    return None if kind is None else record_url(kind, record_id)


def _time(value: Any) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d %H:%M}"


def build_automate(state: AppState, principal: Principal) -> AutomateView:
    """The automation page of this viewer."""
    automate = state.workspace.automate
    owners = principal.scope.owners
    parts: dict[str, Any] = {"problem": None, "workflows": [], "runs": [], "tasks": [],
                             "subscriptions": [], "runs_note": None, "sequences": []}  # fmt: skip
    try:
        with state.reading():
            parts["workflows"] = [
                WorkflowRow(**{**r, "last_run_at": _time(r["last_run_at"])})
                for r in automate.workflow_rows()
            ]
            if owners is None:
                parts["runs"] = [
                    RunRow(
                        **{
                            **r,
                            "started_at": _time(r["started_at"]),
                            "undone_at": _time(r["undone_at"]),
                        }
                    )
                    for r in automate.runs(limit=100)
                ]
                parts["sequences"] = [SequenceKpis(**k) for k in automate.sequences.kpis()]
            else:
                parts["runs_note"] = (
                    "Runs act on the whole company's records: shown to roles that see every row."
                )
            tasks = automate.tasks(user_ids=owners, limit=200)
            subs = automate.subscriptions(principal.account.email)
    except RevOpsError as exc:
        return AutomateView(**page(state, principal), **{**parts, "problem": str(exc)})
    parts["tasks"] = [
        TaskRow(title=t["title"], user_id=t["user_id"], user=t["user_name"],
                user_url=record_url("rep", t["user_id"]), record=t["record_name"],
                record_url=_record_url(t["entity"], t["record_id"]),
                due_date=str(t["due_date"]), workflow=t["workflow"])
        for t in tasks
    ]  # fmt: skip
    parts["subscriptions"] = [
        SubscriptionRow(name=s.name, kind=s.kind, metrics=list(s.metrics), pack=s.pack,
                        window=s.window,
                        cron=s.cron, channel=s.channel,
                        threshold=None if s.kind == "delivery" else
                        f"below {s.below}" if s.below is not None else f"above {s.above}")
        for s in subs
    ]  # fmt: skip
    return AutomateView(**page(state, principal), **parts)
