"""The scheduler: runs the jobs of `automate.jobs` in revops.yaml on their cron schedules.

A job is due when its schedule ticked since it last started (a job never run is due at
once). Before running, the scheduler takes the job's locks — an exclusive, non-blocking
lock on a file under `.revops/locks/` and, on a PostgreSQL warehouse, a session advisory
lock — so two schedulers (on one machine, or on several sharing the warehouse) never run
the same job at once; the one that does not get them skips the job. Each run is kept in
`automate.job_run` with its duration and error.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.automate import store

if TYPE_CHECKING:
    from revops.config import SchedulerJob
    from revops.warehouse import Warehouse

log = logging.getLogger(__name__)
LOCK_FOLDER = Path(".revops") / "locks"
Work = Callable[["SchedulerJob"], Any]


@contextmanager
def job_lock(root: Path, name: str) -> Iterator[bool]:
    """Hold the lock of job `name` while inside; yields False (and holds nothing) when
    another process holds it."""
    import fcntl

    folder = root / LOCK_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name}.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{socket.gethostname()} {os.getpid()}\n")
            handle.flush()
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def warehouse_lock(warehouse: Warehouse, name: str) -> Iterator[bool]:
    """On a PostgreSQL warehouse, hold a session advisory lock for job `name` while inside
    (yields False when another session holds it), so schedulers on several machines
    sharing the warehouse never run the same job at once; elsewhere yields True."""
    if getattr(warehouse.con, "name", "") != "postgres":
        yield True
        return
    key = f"revops:job:{warehouse.schema_name('automate')}:{name}"
    quoted = key.replace("'", "''")
    with warehouse.con.raw_sql(f"SELECT pg_try_advisory_lock(hashtext('{quoted}'))") as cur:
        held = bool(cur.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with warehouse.con.raw_sql(f"SELECT pg_advisory_unlock(hashtext('{quoted}'))"):
                pass


@dataclass(frozen=True)
class JobOutcome:
    """How one job's turn ended: `ok`, `failed`, `locked` (another scheduler runs it) or
    `not_due`."""

    job: str
    status: str
    seconds: float = 0.0
    error: str = ""


def last_starts(warehouse: Warehouse) -> dict[str, datetime]:
    """When each job last started (the job history is small: one row per run)."""
    table = store.stored(warehouse, store.JOB_RUN)
    if table is None:
        return {}
    rows = table.group_by("job").aggregate(last=table.started_at.max()).to_pyarrow().to_pylist()
    return {r["job"]: r["last"] for r in rows}


def due(job: SchedulerJob, last: datetime | None, at: datetime) -> bool:
    """Whether `job` should run at `at`, having last started at `last`."""
    from croniter import croniter

    if last is None:
        return True
    tick: datetime = croniter(job.cron, at.astimezone(UTC)).get_prev(datetime)
    return last.astimezone(UTC) < tick.astimezone(UTC)


class Scheduler:
    """Runs `jobs` through `work` (job → summary), each under its lock, logging each run."""

    def __init__(
        self,
        root: Path,
        jobs: tuple[SchedulerJob, ...],
        work: Work,
        warehouse: Callable[[], Warehouse],
    ) -> None:
        self.root = root
        self.jobs = jobs
        self.work = work
        self._warehouse = warehouse

    def run_due(self, at: datetime | None = None) -> list[JobOutcome]:
        """Run every job due at `at` (default now), one after the other."""
        moment = at or datetime.now(UTC)
        last = last_starts(self._warehouse())
        outcomes = []
        for job in self.jobs:
            if not due(job, last.get(job.name), moment):
                outcomes.append(JobOutcome(job.name, "not_due"))
                continue
            outcomes.append(self.run_job(job))
        return outcomes

    def run_job(self, job: SchedulerJob) -> JobOutcome:
        """Run one job now under its lock and log the run."""
        with (
            job_lock(self.root, job.name) as on_disk,
            warehouse_lock(self._warehouse(), job.name) as in_warehouse,
        ):
            if not (on_disk and in_warehouse):
                log.info("job %s is running in another scheduler: skipped", job.name)
                return JobOutcome(job.name, "locked")
            started = datetime.now(UTC)
            clock = time.monotonic()
            status, error = "ok", ""
            try:
                self.work(job)
            except Exception as exc:
                status, error = "failed", f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", job.name)
            seconds = round(time.monotonic() - clock, 3)
            row = {"job": job.name, "kind": job.kind, "started_at": started,
                   "finished_at": datetime.now(UTC), "seconds": seconds, "status": status,
                   "error": error, "host": f"{socket.gethostname()}:{os.getpid()}"}  # fmt: skip
            store.append(self._warehouse(), {store.JOB_RUN: [row]})
            return JobOutcome(job.name, status, seconds, error)

    def loop(self, *, poll_seconds: float = 30, stop: Callable[[], bool] = lambda: False) -> None:
        """Run due jobs every `poll_seconds` until `stop()` is true."""
        while not stop():
            self.run_due()
            time.sleep(poll_seconds)


def history(warehouse: Warehouse, limit: int = 100) -> list[dict[str, Any]]:
    """The scheduler's runs, newest first."""
    table = store.stored(warehouse, store.JOB_RUN)
    if table is None:
        return []
    ordered = table.order_by(table.started_at.desc()).limit(limit)
    rows: list[dict[str, Any]] = ordered.to_pyarrow().to_pylist()
    return rows
