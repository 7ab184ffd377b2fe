"""What one running app holds: the workspace (read-only warehouse), app database, keys."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from revops.app.access import ROW_SCOPE, Role
from revops.app.auth import Sessions
from revops.app.db import AppDatabase
from revops.metrics import Scope

if TYPE_CHECKING:
    from revops.workspace import Workspace

SECRET_SETTING = "session_secret"


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
