"""Jobs: actions that write the warehouse, run by the app in the background.

A job is stored in the app database when asked for (``queued``), run by the app's one
job thread (``running``), then ``succeeded`` with a summary or ``failed`` with one line;
a queued job may be ``cancelled`` (a running one is left to finish: it writes the
warehouse, and a load stopped half-way is what the one-writer rule exists to prevent).
Jobs run one at a time, in the order asked: the embedded warehouse has one writer, so a
second job waits queued behind the first rather than being refused. What each kind does
is :mod:`revops.app.actions`; how the warehouse is opened for it, :meth:`AppState.writing`.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from revops.app import audit
from revops.app.access import Permission
from revops.app.db import AppDatabase
from revops.app.models import Job
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.state import AppState
    from revops.workspace import Workspace

log = logging.getLogger(__name__)
Work = Callable[["Workspace"], dict[str, Any]]
"""What a job does with the workspace opened for writing; returns its summary."""
Kind = Literal["ingest", "quality", "identity", "backtest", "assign"]
Status = Literal["queued", "running", "succeeded", "failed", "cancelled"]
PERMISSION: dict[str, Permission] = {
    "ingest": "ingest",
    "quality": "run_quality",
    "identity": "run_identity",
    "backtest": "run_backtest",
    "assign": "run_quality",
}
"""What a user must be allowed to start (and cancel) each kind of job."""
PAGE = 50
"""Jobs per page of the list."""


@dataclass(frozen=True)
class JobRecord:
    """One job as stored."""

    id: str
    kind: str
    status: str
    params: dict[str, Any]
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str


def _record(row: Job) -> JobRecord:
    return JobRecord(
        id=row.id,
        kind=row.kind,
        status=row.status,
        params=json.loads(row.params or "{}"),
        requested_by=row.requested_by,
        created_at=_utc(row.created_at),
        started_at=_utc(row.started_at) if row.started_at else None,
        finished_at=_utc(row.finished_at) if row.finished_at else None,
        result=json.loads(row.result) if row.result else None,
        error=row.error,
    )


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def create(db: AppDatabase, kind: Kind, params: dict[str, Any], actor: str) -> JobRecord:
    """Store a new queued job, audited as ``job.<kind>`` with its id."""
    job_id = secrets.token_hex(8)
    with db.session() as session:
        session.add(
            Job(
                id=job_id,
                kind=kind,
                status="queued",
                params=json.dumps(params, default=str),
                requested_by=actor,
                created_at=datetime.now(UTC),
                result="",
                error="",
            )
        )
    audit.record(db, actor, f"job.{kind}", job_id, json.dumps(params, default=str)[:1000])
    found = get(db, job_id)
    assert found is not None
    return found


def get(db: AppDatabase, job_id: str) -> JobRecord | None:
    """The job with this id, if any."""
    with db.session() as session:
        row = session.get(Job, job_id)
        return _record(row) if row is not None else None


def recent(db: AppDatabase, limit: int = PAGE, offset: int = 0) -> tuple[list[JobRecord], int]:
    """The newest jobs first, one page of them, and how many there are."""
    from sqlalchemy import func, select

    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Job)) or 0
        rows = session.scalars(
            select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
        ).all()
        return [_record(r) for r in rows], total


def _update(db: AppDatabase, job_id: str, **values: Any) -> None:
    with db.session() as session:
        row = session.get(Job, job_id)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)


def _claim(db: AppDatabase, job_id: str, status: Status, **values: Any) -> bool:
    """Move job `job_id` from queued to `status` unless something else moved it first;
    whether this call did."""
    from sqlalchemy import update

    with db.session() as session:
        done = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status=status, **values)
        )
        return int(getattr(done, "rowcount", 0) or 0) == 1


class NotCancellableError(RevOpsError):
    """The job is no longer queued."""


def cancel(db: AppDatabase, job_id: str, actor: str) -> JobRecord:
    """Cancel queued job `job_id` (audited as ``job.cancelled``); the job as it now is.

    Raises:
        KeyError: no such job.
        NotCancellableError: it runs or has ended.
    """
    found = get(db, job_id)
    if found is None:
        raise KeyError(job_id)
    now = datetime.now(UTC)
    if not _claim(db, job_id, "cancelled", finished_at=now, error=f"cancelled by {actor}"):
        current = get(db, job_id)
        state = current.status if current is not None else found.status
        raise NotCancellableError(
            f"job {job_id} is {state}: only a queued job can be cancelled"
            + (" (a running job writes the warehouse and is left to finish)"
               if state == "running" else "")
        )  # fmt: skip
    audit.record(db, actor, "job.cancelled", job_id, found.kind)
    return get(db, job_id) or found


def abandon(db: AppDatabase) -> int:
    """Mark the jobs a stopped server left queued or running as failed; how many."""
    from sqlalchemy import update

    with db.session() as session:
        done = session.execute(
            update(Job)
            .where(Job.status.in_(("queued", "running")))
            .values(
                status="failed",
                finished_at=datetime.now(UTC),
                error="the server stopped before this job finished",
            )
        )
        return int(getattr(done, "rowcount", 0) or 0)


class JobRunner:
    """The app's job thread: runs queued jobs one at a time, each with the warehouse
    opened for writing."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="revops-job")
        abandon(state.db)

    def submit(self, job: JobRecord, work: Work) -> Future[None]:
        """Run `work(writable_workspace)` for `job` after the jobs queued before it."""
        return self._pool.submit(self._run, job, work)

    def _run(self, job: JobRecord, work: Work) -> None:
        db = self._state.db
        if not _claim(db, job.id, "running", started_at=datetime.now(UTC)):
            return  # cancelled while it waited
        try:
            with self._state.writing() as ws:
                result = work(ws)
        except RevOpsError as exc:
            _finish(db, job, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except Exception as exc:  # a job's failure is its record, never a crash
            incident = secrets.token_hex(4)
            log.error("job %s (%s) failed (incident %s)", job.id, job.kind, incident, exc_info=exc)
            _finish(
                db,
                job,
                error=f"the job failed unexpectedly (incident {incident} in the server's log)",
            )
        else:
            _finish(db, job, result=result)

    def stop(self) -> None:
        """Wait for the running job; the queued ones are left (marked failed next start)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _finish(
    db: AppDatabase, job: JobRecord, *, result: dict[str, Any] | None = None, error: str = ""
) -> None:
    status: Status = "failed" if error else "succeeded"
    _update(
        db,
        job.id,
        status=status,
        finished_at=datetime.now(UTC),
        result=json.dumps(result, default=str) if result is not None else "",
        error=error,
    )
    audit.record(db, job.requested_by, f"job.{status}", job.id, error or job.kind)
