"""The jobs page: recent jobs with their status and outcome, and the forms that start one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app import jobs
from revops.app.views.common import Page, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class JobRow(BaseModel):
    """One job as the page lists it."""

    id: str
    kind: str
    status: str
    requested_by: str
    created_at: str
    finished_at: str | None
    outcome: str = Field(description="The summary in one line, or why it failed.")
    can_cancel: bool = Field(description="Queued, and of a kind the viewer may run.")
    url: str = Field(description="The job's JSON.")


class JobsView(Page):
    """Recent jobs, and which the viewer may start."""

    jobs: list[JobRow]
    total: int
    sources: dict[str, list[str]] = Field(description="Objects a file may hold, per source.")
    can_ingest: bool
    can_quality: bool
    can_identity: bool
    can_backtest: bool


def outcome(job: jobs.JobRecord) -> str:
    """What a job did, in one line (or why it failed, or that it has not yet).

    Examples:
        >>> from datetime import UTC, datetime
        >>> at = datetime(2026, 1, 1, tzinfo=UTC)
        >>> done = {"entities": [{"entity": "account", "records": 10, "passing": 7}]}
        >>> outcome(jobs.JobRecord("a", "quality", "succeeded", {}, "x", at, at, at, done, ""))
        'account: 7 of 10 pass'
    """
    if job.status in ("failed", "cancelled"):
        return job.error
    result = job.result
    if result is None:
        return job.status
    parts: list[str] = []
    if job.kind == "ingest":
        parts = [
            f"{x['object']}: {x['loaded']:,} loaded, {x['quarantined']:,} quarantined"
            for x in result["loads"]
        ]
    elif job.kind == "quality":
        parts = [
            f"{x['entity']}: {x['passing']:,} of {x['records']:,} pass" for x in result["entities"]
        ]
    elif job.kind == "identity":
        parts = [
            f"{x['kind']}: {x['records']:,} records, {x['entities']:,} entities"
            for x in result["runs"]
        ]
    elif job.kind == "assign":
        parts = [f"{result['tasks']:,} task(s) for {result['records']:,} failing record(s)"]
    elif job.kind == "backtest":
        methods = sorted({str(x.get("method")) for x in result["summary"]})
        parts = [f"{result['periods']} period(s), methods {', '.join(methods)}"]
    return "; ".join(parts)


def build_jobs(state: AppState, principal: Principal, limit: int = jobs.PAGE) -> JobsView:
    """The page's view model."""
    from revops.ingest.mapping import all_mappings

    found, total = jobs.recent(state.db, limit)
    sources: dict[str, list[str]] = {}
    for mapping in all_mappings(state.workspace.root):
        sources.setdefault(mapping.source, []).append(mapping.object)
    rows = [
        JobRow(
            id=j.id,
            kind=j.kind,
            status=j.status,
            requested_by=j.requested_by,
            created_at=j.created_at.isoformat(timespec="seconds"),
            finished_at=j.finished_at.isoformat(timespec="seconds") if j.finished_at else None,
            outcome=outcome(j),
            can_cancel=j.status == "queued" and principal.can(jobs.PERMISSION[j.kind]),
            url=f"/api/v1/jobs/{j.id}",
        )
        for j in found
    ]
    fields: dict[str, Any] = page(state, principal)
    return JobsView(
        **fields,
        jobs=rows,
        total=total,
        sources={s: sorted(set(objects)) for s, objects in sorted(sources.items())},
        can_ingest=principal.can("ingest"),
        can_quality=principal.can("run_quality"),
        can_identity=principal.can("run_identity"),
        can_backtest=principal.can("run_backtest"),
    )
