"""Compute the pages people open first, in the background, when the server starts and
whenever the warehouse's data changes.

A first page costs seconds that have nothing to do with its rows: importing pandas, ibis,
scikit-learn and statsforecast, connecting the warehouse, reading the metric catalog, and
fitting the forecast's models. Paid here, in one background thread, the first visitor
pays only for what is not computed yet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from revops.app import users
from revops.app.deps import Principal
from revops.app.views.explorer import build_explorer
from revops.app.views.forecast import build_forecast
from revops.app.views.funnel import build_funnel
from revops.app.views.homes import build_role_home
from revops.app.views.pipeline import build_pipeline
from revops.app.views.quality import build_quality

if TYPE_CHECKING:
    from revops.app.state import AppState
    from revops.metrics import Scope

log = logging.getLogger(__name__)

MAX_SCOPES = 20
"""Row scopes warmed: the company's and those of the first active users; the others are
computed on their first visit."""

Build = Callable[["AppState", Principal], object]
PAGES: tuple[tuple[str, Build], ...] = (
    ("home", lambda state, who: build_role_home(state, who, None)),
    ("explorer", lambda state, who: build_explorer(state, who, "bookings", None, None, None)),
    ("pipeline", lambda state, who: build_pipeline(state, who, None)),
    ("forecast", lambda state, who: build_forecast(state, who, None)),
    ("funnel", lambda state, who: build_funnel(state, who, None)),
    ("quality", build_quality),
)
"""Each page with its default parameters, in the order they are warmed."""


class Warmer:
    """Warms :data:`PAGES` for each distinct row scope of the active users, in a daemon
    thread; asked again while it runs, it runs once more after (the data changed)."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.stopping = threading.Event()
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def start(self) -> None:
        """Warm the pages (again) in the background; a warmer stopped before (the server's
        lifespan ended) starts again."""
        with self._lock:
            self.stopping.clear()
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self.done.clear()
            self._thread = threading.Thread(target=self._run, name="revops-warmup", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop: the page being computed is given a moment to end, then its query is
        interrupted, so nothing reads the warehouse once the server has stopped (closing a
        connection under a running query crashes DuckDB)."""
        self.stopping.set()
        thread = self._thread
        if thread is None:
            return
        ends = time.monotonic() + timeout
        thread.join(0.2)
        while thread.is_alive() and time.monotonic() < ends:
            self.state.workspace.interrupt()
            thread.join(0.1)
        if thread.is_alive():
            log.warning("the warm-up did not stop within %.0f s", timeout)

    def _run(self) -> None:
        # Warming is the server's own work, not a request: no request's budget bounds it.
        self.state.unbounded.active = True
        while True:
            began = time.perf_counter()
            self.warm()
            log.info("pages warmed in %.1f s", time.perf_counter() - began)
            with self._lock:
                if not self._again or self.stopping.is_set():
                    self.done.set()
                    return
                self._again = False

    def warm(self) -> None:
        """Compute every page of :data:`PAGES` for every scope of :meth:`principals`."""
        principals = self.principals()
        for name, build in PAGES:
            for principal in principals:
                if self.stopping.is_set():
                    return
                try:
                    build(self.state, principal)
                except Exception:
                    # A page that fails here fails for its visitor too, who sees why.
                    log.warning("warming %s for %s failed", name, principal.scope, exc_info=True)

    def principals(self) -> list[Principal]:
        """One active user per distinct row scope, the unrestricted scope first."""
        found: dict[Scope, Principal] = {}
        for account in users.list_users(self.state.db):
            if not account.is_active:
                continue
            scope = self.state.scope(account.email, account.role)
            if scope not in found and len(found) < MAX_SCOPES:
                found[scope] = Principal(account, scope, None, None, "")
        return sorted(found.values(), key=lambda p: p.scope.restricted)
