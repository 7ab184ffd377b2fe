"""The jobs page and its forms: upload a file to ingest, start a quality run, an identity
run or a backtest; each redirects back to the list (JSON twin: /api/v1/jobs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from revops.app import actions, uploads
from revops.app.api.jobs import JOB_ID, cancel_job, start
from revops.app.deps import (
    Backtester,
    Csrf,
    IdentityRunner,
    Ingester,
    JobViewer,
    QualityRunner,
    StateDep,
)
from revops.app.views.jobs import build_jobs
from revops.app.web.render import render

router = APIRouter(prefix="/jobs")
BACK = "/jobs"


@router.get("")
def jobs_page(request: Request, state: StateDep, principal: JobViewer) -> HTMLResponse:
    """Recent jobs and the forms that start one."""
    return render(request, "jobs.html", build_jobs(state, principal), principal)


@router.post("/ingest", dependencies=[Csrf])
def ingest_form(
    state: StateDep,
    principal: Ingester,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(max_length=50)],
    object: Annotated[str, Form(max_length=100)],
) -> RedirectResponse:
    """Save the uploaded export and queue its load."""
    uploads.check_target(state.workspace.root, source, object)
    uploads.check_name(file.filename)
    path = uploads.save(state.workspace.root, file.file, object)
    params = {
        "file": file.filename,
        "source": source,
        "object": object,
        "saved_as": str(path.relative_to(state.workspace.root)),
    }
    start(state, principal, "ingest", params, actions.Ingest(path, source, state.as_of))
    return RedirectResponse(BACK, status_code=303)


@router.post("/quality", dependencies=[Csrf])
def quality_form(state: StateDep, principal: QualityRunner) -> RedirectResponse:
    """Queue a quality run of every rule."""
    start(state, principal, "quality", {"entities": []}, actions.QualityRun(state.as_of))
    return RedirectResponse(BACK, status_code=303)


@router.post("/identity", dependencies=[Csrf])
def identity_form(state: StateDep, principal: IdentityRunner) -> RedirectResponse:
    """Queue an identity run of people and companies."""
    from revops.identity import KINDS

    kinds = tuple(KINDS)
    params = {"kinds": list(kinds), "threshold": None}
    start(state, principal, "identity", params, actions.IdentityRun(state.db, kinds, None))
    return RedirectResponse(BACK, status_code=303)


@router.post("/backtest", dependencies=[Csrf])
def backtest_form(
    state: StateDep,
    principal: Backtester,
    periods: Annotated[int, Form(ge=1, le=40)] = 8,
) -> RedirectResponse:
    """Queue a backtest of the forecast methods over the last `periods` quarters."""
    params = {"periods": periods, "monthly": False}
    start(state, principal, "backtest", params, actions.Backtest(state.as_of, periods, False))
    return RedirectResponse(BACK, status_code=303)


@router.post("/{job_id}/cancel", dependencies=[Csrf])
def cancel_form(
    state: StateDep,
    principal: JobViewer,
    job_id: Annotated[str, Path(pattern=JOB_ID)],
) -> RedirectResponse:
    """Cancel a queued job and go back to the list."""
    cancel_job(state, principal, job_id)
    return RedirectResponse(BACK, status_code=303)
