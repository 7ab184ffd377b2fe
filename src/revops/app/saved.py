"""Saved views: a cockpit page with its query (window, filters, slices) that a user keeps
under a name, in the app database. A saved view is the page's URL: sharing it is sharing
the link, and whoever opens it sees the page within their own row scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from revops.app import audit
from revops.app.db import AppDatabase
from revops.app.models import SavedView
from revops.errors import AppError

MAX_NAME = 100
MAX_PATH = 200
MAX_QUERY = 2000
MAX_VIEWS = 200
"""Saved views one user may keep."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PATH = re.compile(r"^/[A-Za-z0-9_.:%/@+-]*$")
_NOT_PAGES = ("/api/", "/static/", "/signin", "/signout", "/views", "/healthz", "/reset")
_DROPPED = {"csrf_token"}
"""Query parameters never kept: a form's secret is no part of a view."""


@dataclass(frozen=True)
class View:
    """One saved view of a user."""

    id: int
    user_id: int
    name: str
    path: str
    query: str
    created_at: datetime

    @property
    def url(self) -> str:
        """The link to open (and to share)."""
        return self.path + (f"?{self.query}" if self.query else "")


def normalise(path: str, query: str = "") -> tuple[str, str]:
    """The page and query a view keeps: a cockpit page's path (no API, sign-in or other
    site) and its query re-encoded without a form's CSRF token.

    Raises:
        AppError: not a page of the cockpit, or too long.

    Examples:
        >>> normalise("/pipeline", "window=FY2027-Q3&by=owner&csrf_token=x")
        ('/pipeline', 'window=FY2027-Q3&by=owner')
        >>> normalise("/metrics?metric=arr&window=FY2026")
        ('/metrics', 'metric=arr&window=FY2026')
        >>> normalise("https://evil.example/")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        revops.errors.AppError: a saved view is a page of the cockpit ..., not 'https://evil.example/'
    """
    path = path.strip()
    if "?" in path and not query:
        path, _, query = path.partition("?")
    parts = urlsplit(path)
    shown = path if len(path) <= 60 else path[:60] + "…"
    if (
        parts.scheme
        or parts.netloc
        or path.startswith("//")
        or not _PATH.match(path)
        or len(path) > MAX_PATH
        or any(path == p.rstrip("/") or path.startswith(p) for p in _NOT_PAGES)
    ):
        raise AppError(
            f"a saved view is a page of the cockpit (a path such as /pipeline), not {shown!r}"
        )
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)
             if k not in _DROPPED]  # fmt: skip
    kept = urlencode(pairs)
    if len(kept) > MAX_QUERY:
        raise AppError(f"a saved view's query is at most {MAX_QUERY} characters")
    return path, kept


def _name(name: str) -> str:
    if _CONTROL.search(name):
        raise AppError("a saved view's name has no control characters")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AppError("a saved view needs a name")
    if len(cleaned) > MAX_NAME:
        raise AppError(f"a saved view's name is at most {MAX_NAME} characters")
    return cleaned


def save(db: AppDatabase, user_id: int, name: str, path: str, query: str, actor: str) -> View:
    """Keep `path?query` as the user's view `name` (a view of the same name is replaced),
    and audit it.

    Raises:
        AppError: a bad name, path or query, or the user keeps too many views already.
    """
    from sqlalchemy import func, select

    cleaned = _name(name)
    page, kept = normalise(path, query)
    with db.session() as session:
        row = session.scalars(
            select(SavedView).where(SavedView.user_id == user_id, SavedView.name == cleaned)
        ).first()
        if row is None:
            count = session.scalar(
                select(func.count()).select_from(SavedView).where(SavedView.user_id == user_id)
            )
            if (count or 0) >= MAX_VIEWS:
                raise AppError(f"at most {MAX_VIEWS} saved views a user; delete some first")
            row = SavedView(user_id=user_id, name=cleaned, path=page, query=kept,
                            created_at=datetime.now(UTC))  # fmt: skip
            session.add(row)
        else:
            row.path, row.query = page, kept
        session.flush()
        found = _view(row)
    audit.record(db, actor, "view.save", cleaned, found.url)
    return found


def views_of(db: AppDatabase, user_id: int) -> list[View]:
    """The user's saved views, by name."""
    from sqlalchemy import select

    with db.session() as session:
        rows = session.scalars(
            select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name)
        ).all()
        return [_view(r) for r in rows]


def delete(db: AppDatabase, user_id: int, view_id: int, actor: str) -> View:
    """Delete the user's view `view_id`, and audit it.

    Raises:
        AppError: the user has no such view (another user's view is not theirs to delete).
    """
    with db.session() as session:
        row = session.get(SavedView, view_id)
        if row is None or row.user_id != user_id:
            raise AppError(f"you have no saved view {view_id}")
        found = _view(row)
        session.delete(row)
    audit.record(db, actor, "view.delete", found.name, found.url)
    return found


def _view(row: SavedView) -> View:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return View(id=row.id, user_id=row.user_id, name=row.name, path=row.path, query=row.query,
                created_at=created)  # fmt: skip
