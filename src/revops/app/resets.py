"""One-time password-reset links: an admin (page, API or `revops users reset`) makes a
link for a user and hands it over; the user opens it and chooses a new password.

A link is signed with the app's key (:mod:`revops.app.keys`) and names the user and a
fingerprint of their current password hash, so it needs no storage and

- expires after :data:`RESET_MAX_AGE` seconds;
- works once: setting the password changes the hash, and the fingerprint no longer matches
  (a newer link, or any other password change, outdates it too);
- works for an active user only.

Making a link (`user.reset_link`) and using it (`user.password_reset`) are audited.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from revops.app import audit
from revops.app.models import User
from revops.app.users import Account, account_of, set_password
from revops.errors import AppError

RESET_MAX_AGE = 24 * 3600
"""Seconds a reset link works."""
RESET_PATH = "/reset"
_SALT = "revops-password-reset"

if TYPE_CHECKING:
    from revops.app.db import AppDatabase


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def _serializer(secret: str) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(secret, salt=_SALT)


def reset_token(db: AppDatabase, email: str, secret: str, *, actor: str = "cli") -> str:
    """A one-time reset token for the user `email` (the link is ``/reset?token=…``).

    Raises:
        AppError: no such user, or the user is disabled (enable them first).
    """
    from sqlalchemy import select

    email = email.strip().lower()
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise AppError(f"no user {email}")
        if not user.is_active:
            raise AppError(f"{email} is disabled; enable the user before resetting the password")
        token: str = _serializer(secret).dumps(
            {"u": user.id, "p": _fingerprint(user.password_hash)}
        )
    audit.record(db, actor, "user.reset_link", email, f"expires in {RESET_MAX_AGE // 3600} h")
    return token


def reset_link(token: str) -> str:
    """The same-site path that opens the reset form for `token`."""
    from urllib.parse import urlencode

    return f"{RESET_PATH}?{urlencode({'token': token})}"


def token_user(db: AppDatabase, token: str, secret: str) -> Account:
    """The user a reset token is for, if it still works.

    Raises:
        AppError: the link is forged, expired, already used or outdated, or the user is
            disabled.
    """
    from itsdangerous import BadSignature, SignatureExpired

    try:
        data = _serializer(secret).loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise AppError("this reset link has expired; ask an admin for a new one") from None
    except BadSignature:
        raise AppError("this reset link is not valid; ask an admin for a new one") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise AppError("this reset link is not valid; ask an admin for a new one")
    with db.session() as session:
        user = session.get(User, data["u"])
        if user is None or not user.is_active:
            raise AppError("this reset link is for a user who cannot sign in")
        if data.get("p") != _fingerprint(user.password_hash):
            raise AppError("this reset link was already used; ask an admin for a new one")
        return account_of(user)


def reset_password(
    db: AppDatabase, token: str, password: str, secret: str, *, client: str = ""
) -> Account:
    """Set the password of the token's user; the token stops working and every session of
    the user ends.

    Raises:
        AppError: as :func:`token_user`, or the password is too short.
    """
    account = token_user(db, token, secret)
    set_password(db, account.email, password, actor=account.email)
    audit.record(db, account.email, "user.password_reset", account.email, client=client)
    return account
