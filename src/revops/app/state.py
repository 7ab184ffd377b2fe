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
    from revops.config import QueryBudget
    from revops.metrics.query import Compare, Grain
    from revops.workspace import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")
CACHE_SIZE = 512


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
    """

    workspace: Workspace
    db: AppDatabase
    sessions: Sessions
    as_of: date | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_data_change: Callable[[], None] | None = None
    unbounded: threading.local = field(default_factory=threading.local)
    cache: ResultCache = field(init=False)
    _version: Hashable | None = field(default=None, init=False)
    _asked: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.cache = ResultCache(self._data_version, size=CACHE_SIZE, on_change=self._changed)
        self.workspace.read_concurrently()

    @property
    def budget(self) -> QueryBudget:
        """What one request may cost (`query_budget` in revops.yaml)."""
        return self.workspace.config.query_budget

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Queries of the calling thread, on its own connection where the backend allows
        (else one at a time), stopped past the budget's statement timeout.

        Raises:
            QueryTimeout: a query ran past the timeout.
        """
        warehouse = self.workspace.reading_warehouse()
        bounded = not getattr(self.unbounded, "active", False)
        seconds = self.budget.statement_timeout_seconds if bounded else None
        if warehouse.concurrent_readers:
            with warehouse.deadline(seconds):
                yield
        else:
            with self.lock, warehouse.deadline(seconds):
                yield

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
        kind = ROW_SCOPE[role]
        if kind == "all":
            return Scope.everything()

        def build() -> Scope:
            with self.reading():
                found = self.workspace.metrics.scope_for(email, team=kind == "team")
            return found or Scope(frozenset(), f"no CRM user {email}")

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
