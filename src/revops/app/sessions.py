"""Browser sessions kept in the app database and checked on every request.

The cookie carries the user id and a random nonce, signed (:class:`revops.app.auth.
Sessions`); the database keeps the nonce's SHA-256. Signing out deletes the row, and a
password change, a role change or disabling the user deletes all of the user's rows, so
a copied cookie stops working at once, not when its signature expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from revops.app.auth import SESSION_MAX_AGE, SessionData
from revops.app.db import AppDatabase
from revops.app.models import AppSession, User
from revops.app.users import Account, account_of


def _id(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def start(db: AppDatabase, user_id: int, *, client: str = "") -> SessionData:
    """A new session of `user_id` (its nonce goes into the signed cookie)."""
    from sqlalchemy import delete

    nonce = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    with db.session() as session:
        # The user's expired sessions go as a new one starts, so the table stays small.
        session.execute(
            delete(AppSession).where(AppSession.user_id == user_id, AppSession.expires_at < now)
        )
        session.add(
            AppSession(
                id=_id(nonce),
                user_id=user_id,
                created_at=now,
                expires_at=now + timedelta(seconds=SESSION_MAX_AGE),
                client=client[:100],
            )
        )
    return SessionData(user_id, nonce)


def account(db: AppDatabase, data: SessionData) -> Account | None:
    """The active user of a live session, or None (ended, expired, user disabled)."""
    with db.session() as session:
        row = session.get(AppSession, _id(data.nonce))
        if row is None or row.user_id != data.user_id:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires <= datetime.now(UTC):
            session.delete(row)
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        return account_of(user)


def end(db: AppDatabase, data: SessionData) -> None:
    """End one session (signing out)."""
    with db.session() as session:
        row = session.get(AppSession, _id(data.nonce))
        if row is not None and row.user_id == data.user_id:
            session.delete(row)
