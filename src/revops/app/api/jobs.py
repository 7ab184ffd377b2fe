"""Actions that write the warehouse, run as jobs: POST answers 202 with the job and its
Location; GET /api/v1/jobs/{id} follows it (queued, running, succeeded, failed)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from pydantic import BaseModel, Field

from revops.app import actions, jobs, uploads
from revops.app.deps import (
    Backtester,
    Csrf,
    IdentityRunner,
    Ingester,
    JobViewer,
    Principal,
    QualityRunner,
    StateDep,
)
from revops.app.state import AppState

router = APIRouter(tags=["jobs"])
JOB_ID = r"^[0-9a-f]{16}$"


class JobOut(BaseModel):
    """A job: what was asked, by whom, and how it went."""

    id: str
    kind: Literal["ingest", "quality", "identity", "backtest", "assign"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    params: dict[str, Any] = Field(description="What was asked (the uploaded file's name…).")
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None = Field(
        description="The summary once succeeded: loads (loaded/quarantined per object), "
        "quality pass counts, identity run summaries or backtest figures."
    )
    error: str = Field(
        description="Why it failed, or who cancelled it, in one line ('' otherwise)."
    )
    url: str = Field(description="Where to follow it.")


class JobPage(BaseModel):
    """One page of jobs, newest first."""

    jobs: list[JobOut]
    total: int
    limit: int
    offset: int


class NewQualityRun(BaseModel):
    """A quality run: every rule, or those of some entities."""

    entities: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)]] = Field(
        default_factory=list, max_length=50
    )


class NewAssignment(BaseModel):
    """Tasks for the owners of the records failing a rule (of one owner, when given)."""

    entity: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)
    rule: str = Field(pattern=r"^[A-Za-z0-9_.:@ -]+$", max_length=100)
    owner: str | None = Field(default=None, max_length=200)


class NewIdentityRun(BaseModel):
    """An identity run of some kinds of record, at the configured threshold or this one."""

    kinds: list[Literal["person", "company"]] = Field(
        default=["person", "company"], min_length=1, max_length=2
    )
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)


class NewBacktest(BaseModel):
    """A backtest of the forecast methods over the last completed periods."""

    periods: int = Field(default=8, ge=1, le=40)
    monthly: bool = False


def job_out(job: jobs.JobRecord) -> JobOut:
    """The API's form of a job."""
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        params=job.params,
        requested_by=job.requested_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
        error=job.error,
        url=f"/api/v1/jobs/{job.id}",
    )


def start(
    state: AppState,
    principal: Principal,
    kind: jobs.Kind,
    params: dict[str, Any],
    work: jobs.Work,
) -> jobs.JobRecord:
    """Store the job (audited) and queue it on the app's job thread."""
    job = jobs.create(state.db, kind, params, principal.account.email)
    state.runner.submit(job, work)
    return job


def accepted(job: jobs.JobRecord, response: Response) -> JobOut:
    """202 with the job, Location pointing at it."""
    out = job_out(job)
    response.headers["Location"] = out.url
    return out


@router.post("/ingest", status_code=202, dependencies=[Csrf])
def ingest_file(
    request: Request,
    response: Response,
    state: StateDep,
    principal: Ingester,
    file: Annotated[UploadFile, File(description="A CSV export of one source object.")],
    source: Annotated[str, Form(max_length=50, description="Source system: salesforce…")],
    object: Annotated[str, Form(max_length=100, description="Object the file holds: Account…")],
) -> JobOut:
    """Upload a CSV export and load it (`revops ingest run FILE --source SOURCE`), then
    score data quality; 413 for a file over the limit, 422 naming the field at fault."""
    uploads.check_target(state.workspace.root, source, object)
    uploads.check_name(file.filename)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > uploads.MAX_BYTES + 1024 * 1024:
        raise HTTPException(413, f"file: larger than the {uploads.MAX_BYTES // 2**20} MB allowed")
    path = uploads.save(state.workspace.root, file.file, object)
    params = {
        "file": file.filename,
        "source": source,
        "object": object,
        "saved_as": str(path.relative_to(state.workspace.root)),
    }
    work = actions.Ingest(path, source, state.as_of)
    return accepted(start(state, principal, "ingest", params, work), response)


@router.post("/quality/runs", status_code=202, dependencies=[Csrf])
def run_quality(
    response: Response, state: StateDep, principal: QualityRunner, body: NewQualityRun
) -> JobOut:
    """Score every rule and store the run (`revops quality run`)."""
    work = actions.QualityRun(state.as_of, tuple(body.entities))
    return accepted(start(state, principal, "quality", body.model_dump(), work), response)


@router.post("/quality/assignments", status_code=202, dependencies=[Csrf])
def assign_fixes(
    response: Response, state: StateDep, principal: QualityRunner, body: NewAssignment
) -> JobOut:
    """Give each owner a task per record of theirs failing the rule (`revops quality
    assign`): an automation run, undone by `revops automate undo`."""
    work = actions.AssignFixes(body.entity, body.rule, body.owner)
    return accepted(start(state, principal, "assign", body.model_dump(), work), response)


@router.post("/identity/runs", status_code=202, dependencies=[Csrf])
def run_identity(
    response: Response, state: StateDep, principal: IdentityRunner, body: NewIdentityRun
) -> JobOut:
    """Store the review decisions, then resolve identities (`revops identity run`)."""
    work = actions.IdentityRun(state.db, tuple(dict.fromkeys(body.kinds)), body.threshold)
    return accepted(start(state, principal, "identity", body.model_dump(), work), response)


@router.post("/forecast/backtests", status_code=202, dependencies=[Csrf])
def run_backtest(
    response: Response, state: StateDep, principal: Backtester, body: NewBacktest
) -> JobOut:
    """Backtest the forecast methods (`revops forecast backtest`)."""
    work = actions.Backtest(state.as_of, body.periods, body.monthly)
    return accepted(start(state, principal, "backtest", body.model_dump(), work), response)


@router.get("/jobs")
def list_jobs(
    state: StateDep,
    principal: JobViewer,
    limit: Annotated[int, Query(ge=1, le=200)] = jobs.PAGE,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JobPage:
    """The jobs, newest first, a page at a time."""
    found, total = jobs.recent(state.db, limit, offset)
    return JobPage(jobs=[job_out(j) for j in found], total=total, limit=limit, offset=offset)


@router.get("/jobs/{job_id}")
def show_job(
    state: StateDep,
    principal: JobViewer,
    job_id: Annotated[str, Path(pattern=JOB_ID)],
) -> JobOut:
    """One job: its status, times, summary or error."""
    found = jobs.get(state.db, job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    return job_out(found)


def cancel_job(state: AppState, principal: Principal, job_id: str) -> jobs.JobRecord:
    """Cancel a queued job the viewer could have started: 404 unknown, 403 a kind the
    role may not run, 409 a job no longer queued."""
    found = jobs.get(state.db, job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    permission = jobs.PERMISSION[found.kind]
    if not principal.can(permission):
        raise HTTPException(403, f"your role may not {permission.replace('_', ' ')}")
    try:
        return jobs.cancel(state.db, job_id, principal.account.email)
    except jobs.NotCancellableError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post("/jobs/{job_id}/cancel", dependencies=[Csrf])
def cancel(
    state: StateDep,
    principal: JobViewer,
    job_id: Annotated[str, Path(pattern=JOB_ID)],
) -> JobOut:
    """Cancel a job still queued; a running job is left to finish (409)."""
    return job_out(cancel_job(state, principal, job_id))
