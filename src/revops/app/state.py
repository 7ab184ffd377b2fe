"""What one running app holds: the workspace (read-only warehouse), app database, keys."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypeVar

from revops.app.access import ROW_SCOPE, Role
from revops.app.auth import Sessions
from revops.app.cache import ResultCache
from revops.app.db import AppDatabase
from revops.metrics import MetricResult, Scope
from revops.metrics.budget import check_cells, check_window

if TYPE_CHECKING:
    from revops.app.jobs import JobRunner
    from revops.config import QueryBudget
    from revops.metrics.query import Compare, Grain
    from revops.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")
CACHE_SIZE = 512
SWITCH_WAIT_SECONDS = 5.0
"""How long new queries are held while a job waits for the running ones to end."""


@dataclass
class AppState:
    """The app's long-lived parts.

    Attributes:
        workspace: the workspace, its embedded warehouse opened read-only.
        db: the app database.
        sessions: signs session cookies (the key: :mod:`revops.app.keys`).
        as_of: the day the cockpit reports as of; None for today (tests fix it).
        lock: one warehouse query at a time, on a backend whose connections cannot read
            concurrently (Spark), and around the data-version check; DuckDB and PostgreSQL
            read through one connection per thread (:meth:`reading`).
        cache: computed results and page parts, kept until the warehouse's data changes
            (:mod:`revops.app.cache`).
        on_data_change: called after a change of the warehouse's data emptied the cache
            (the app computes its most used pages again, see :mod:`revops.app.warmup`).
        unbounded: `active` is set in threads whose queries no statement timeout bounds
            (the warm-up's: the server's own work, not a request).
        runner: runs the jobs that write the warehouse, one at a time (:mod:`revops.app.jobs`).
    """

    workspace: Workspace
    db: AppDatabase
    sessions: Sessions
    as_of: date | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_data_change: Callable[[], None] | None = None
    unbounded: threading.local = field(default_factory=threading.local)
    cache: ResultCache = field(init=False)
    runner: JobRunner = field(init=False)
    _version: Hashable | None = field(default=None, init=False)
    _asked: bool = field(default=False, init=False)
    _gate: threading.Condition = field(default_factory=threading.Condition, init=False)
    _readers: int = field(default=0, init=False)
    _switching: bool = field(default=False, init=False)
    _inside: threading.local = field(default_factory=threading.local, init=False)

    def __post_init__(self) -> None:
        from revops.app.jobs import JobRunner

        self.cache = ResultCache(self._data_version, size=CACHE_SIZE, on_change=self._changed)
        self.runner = JobRunner(self)
        self.workspace.read_concurrently()

    @property
    def budget(self) -> QueryBudget:
        """What one request may cost (`query_budget` in revops.yaml)."""
        return self.workspace.config.query_budget

    @contextmanager
    def reading(self, *, report: bool = False) -> Iterator[None]:
        """Queries of the calling thread, on its own connection where the backend allows
        (else one at a time), stopped past the budget's statement timeout (a `report`'s:
        its report timeout).

        Raises:
            QueryTimeout: a query ran past the timeout.
        """
        if getattr(self._inside, "depth", 0):
            # Inside another block (a report's figures): its deadline is the one that holds.
            with self._entered():
                yield
            return
        with self._entered(), self._reading(report):
            yield

    @contextmanager
    def _reading(self, report: bool) -> Iterator[None]:
        warehouse = self.workspace.reading_warehouse()
        bounded = not getattr(self.unbounded, "active", False)
        budget = self.budget
        limit = budget.report_timeout_seconds if report else budget.statement_timeout_seconds
        seconds = limit if bounded else None
        setting = "report_timeout_seconds" if report else "statement_timeout_seconds"
        if warehouse.concurrent_readers:
            with warehouse.deadline(seconds, setting):
                yield
        else:
            with self.lock, warehouse.deadline(seconds, setting):
                yield

    @contextmanager
    def _entered(self) -> Iterator[None]:
        # Counted so :meth:`_switch` can wait until no query runs; a thread already
        # reading (a nested block) goes on, or it would wait for itself.
        depth = getattr(self._inside, "depth", 0)
        with self._gate:
            while self._switching and depth == 0:
                self._gate.wait()
            self._readers += 1
        self._inside.depth = depth + 1
        try:
            yield
        finally:
            self._inside.depth = depth
            with self._gate:
                self._readers -= 1
                self._gate.notify_all()

    @contextmanager
    def writing(self) -> Iterator[Workspace]:
        """The workspace opened for writing, for one job (:mod:`revops.app.jobs`).

        An embedded DuckDB file has one writing process, and one process opens a file
        either read-only or read-write: so between queries the app's read-only
        connections close and the writer opens; meanwhile requests read through the
        writer's database (:meth:`revops.warehouse.duckdb.DuckDBWarehouse.connect`).
        After the job the writer closes, the app reads read-only again and its computed
        results are dropped.

        Raises:
            WarehouseError: another process holds the warehouse (one line, naming it).
        """
        writer = self.workspace.for_writing()

        def open_writer() -> None:
            self.workspace.close()
            writer.warehouse  # noqa: B018 - connect now, so a held lock fails here

        def close_writer() -> None:
            writer.close()
            self.workspace.close()

        try:
            self._switch(open_writer)
            yield writer
        finally:
            self._switch(close_writer)
            self.cache.stale()

    def _switch(self, change: Callable[[], object]) -> None:
        """`change()` the warehouse connections once no query runs, holding new ones."""
        with self._gate:
            while self._switching:
                self._gate.wait()
            try:
                while True:
                    self._switching = True
                    if self._gate.wait_for(lambda: self._readers == 0, SWITCH_WAIT_SECONDS):
                        break
                    # A held query may be what a running one waits for (a result being
                    # built): let the held ones through, then try again.
                    self._switching = False
                    self._gate.notify_all()
                    self._gate.wait(0.05)
                with self.lock:
                    change()
            finally:
                self._switching = False
                self._gate.notify_all()

    def files_version(self, *folders: str) -> tuple[tuple[str, int, int], ...]:
        """Name, size and modification time of every file under `folders` of the
        workspace: in a :meth:`memo` key, a part built from definitions kept in files
        (comp plans, the desk's settings) is built again once they are edited."""
        root = self.workspace.root
        found = []
        for folder in folders:
            for path in sorted((root / folder).rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    found.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
        return tuple(found)

    def memo(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """`build()`, reused until the warehouse's data changes: the parts of a page drawn
        from computed results, so a repeated page costs only its rendering. The key must
        hold everything the part depends on (its parameters and the scope); the as-of
        day is added here."""
        return self.cache.get(("part", *key, self.today), build)

    def compute(
        self,
        metrics: Sequence[str] | str,
        window: str,
        *,
        scope: Scope,
        by: Sequence[str] = (),
        grain: Grain | None = None,
        compare: Compare | None = None,
    ) -> MetricResult:
        """`ws.metrics.compute` as of :attr:`today` within `scope`, reusing a result
        computed before on the same data (callers only read it)."""
        names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        key = ("compute", names, window, tuple(by), grain, compare, scope, self.today)
        layer = self.workspace.metrics
        period = layer.window(window, self.today)
        check_window(period, self.budget)
        periods = len(layer.periods(period, grain, self.today))
        check_cells(
            periods * len(names), self.budget, f"{periods} period(s) × {len(names)} metric(s)"
        )

        def build() -> MetricResult:
            with self.reading():
                result = layer.compute(
                    names, window, by=by, grain=grain, compare=compare, as_of=self.today,
                    scope=scope,
                )  # fmt: skip
            check_cells(len(result.frame), self.budget, f"{periods} period(s) × their slices")
            return result

        return self.cache.get(key, build)

    @property
    def today(self) -> date:
        """The as-of day of every value shown."""
        return self.as_of or datetime.now(UTC).date()

    def scope(self, email: str, role: Role) -> Scope:
        """The rows a user of `role` reads (:data:`revops.app.access.ROW_SCOPE`).

        A rep or manager is the CRM user with the same e-mail; one who is no CRM user
        sees no rows rather than every row.
        """
        from revops.app.delivery import role_scope

        kind = ROW_SCOPE[role]
        if kind == "all":
            return Scope.everything()

        def build() -> Scope:
            with self.reading():
                return role_scope(self.workspace.metrics, email, role)

        return self.cache.get(("scope", email, kind), build)

    def _data_version(self) -> Hashable | None:
        # After the first, asked between queries only: a check must not queue behind a
        # long computation, so while one runs the last known version stands.
        if not self._asked:
            with self.lock:
                self._version = self.workspace.warehouse.data_version()
            self._asked = True
        elif self.lock.acquire(blocking=False):
            try:
                self._version = self.workspace.warehouse.data_version()
            finally:
                self.lock.release()
        return self._version

    def _changed(self) -> None:
        log.info("the warehouse's data changed: computed results are dropped")
        if self.on_data_change is not None:
            self.on_data_change()
