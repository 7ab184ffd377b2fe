"""What one running app holds: the workspace (read-only warehouse), app database, keys."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from revops.app.access import ROW_SCOPE, Role
from revops.app.auth import Sessions
from revops.app.db import AppDatabase
from revops.metrics import MetricResult, Scope

if TYPE_CHECKING:
    from revops.metrics.query import Compare, Grain
    from revops.workspace import Workspace

SECRET_SETTING = "session_secret"
T = TypeVar("T")
CACHE_SECONDS = 300.0
"""How long a computed result is reused. An embedded warehouse cannot change while the
server holds it read-only; a server warehouse may, so results are kept a few minutes only."""
CACHE_SIZE = 512


@dataclass
class AppState:
    """The app's long-lived parts.

    Attributes:
        workspace: the workspace, its embedded warehouse opened read-only.
        db: the app database.
        sessions: signs session cookies with the key kept in the app database.
        as_of: the day the cockpit reports as of; None for today (tests fix it).
        lock: one warehouse query at a time: an embedded DuckDB connection is not safe
            for concurrent use from several threads.
    """

    workspace: Workspace
    db: AppDatabase
    sessions: Sessions
    as_of: date | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _scopes: dict[tuple[str, str], Scope] = field(default_factory=dict)
    _results: OrderedDict[tuple[object, ...], tuple[float, MetricResult]] = field(
        default_factory=OrderedDict
    )
    _parts: OrderedDict[tuple[object, ...], tuple[float, Any]] = field(default_factory=OrderedDict)
    _parts_lock: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key: tuple[object, ...], build: Callable[[], T]) -> T:
        """`build()`, reused for :data:`CACHE_SECONDS` under `key`: the parts of a page
        drawn from cached results, so a repeated page costs only its rendering. The key
        must hold everything the part depends on (its parameters and the scope)."""
        full = (*key, self.today)
        now = time.monotonic()
        with self._parts_lock:
            hit = self._parts.get(full)
            if hit is not None and now - hit[0] < CACHE_SECONDS:
                return hit[1]  # type: ignore[no-any-return]
        value = build()
        with self._parts_lock:
            self._parts[full] = (now, value)
            while len(self._parts) > CACHE_SIZE:
                self._parts.popitem(last=False)
        return value

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
        computed in the last :data:`CACHE_SECONDS` (callers only read it)."""
        names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        key = (names, window, tuple(by), grain, compare, scope, self.today)
        with self.lock:
            hit = self._results.get(key)
            now = time.monotonic()
            if hit is not None and now - hit[0] < CACHE_SECONDS:
                self._results.move_to_end(key)
                return hit[1]
            result = self.workspace.metrics.compute(
                names, window, by=by, grain=grain, compare=compare, as_of=self.today, scope=scope
            )
            self._results[key] = (now, result)
            while len(self._results) > CACHE_SIZE:
                self._results.popitem(last=False)
            return result

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
        key = (email, kind)
        if key not in self._scopes:
            with self.lock:
                found = self.workspace.metrics.scope_for(email, team=kind == "team")
            self._scopes[key] = found or Scope(frozenset(), f"no CRM user {email}")
        return self._scopes[key]


def session_secret(db: AppDatabase) -> str:
    """The key that signs session cookies, made on first start and kept in the database
    so sign-ins survive restarts and several workers agree."""
    from revops.app.models import Setting

    with db.session() as session:
        found = session.get(Setting, SECRET_SETTING)
        if found is not None:
            return found.value
        value = secrets.token_urlsafe(48)
        session.add(Setting(key=SECRET_SETTING, value=value))
        return value
