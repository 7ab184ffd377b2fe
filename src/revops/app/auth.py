"""Passwords (argon2), signed session cookies, CSRF tokens and API token secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

SESSION_COOKIE = "revops_session"
SESSION_MAX_AGE = 12 * 3600
"""Seconds a sign-in lasts."""
TOKEN_PREFIX = "rvo_"


def hash_password(password: str) -> str:
    """The argon2id hash of `password`."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def check_password(stored: str, password: str) -> bool:
    """Whether `password` matches the argon2 hash `stored`."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Checked against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong
# password and timing does not tell which users exist.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$KgFUoswexPZNrPib1vJ4Tg$"
    "MHHkSV+cghmPhqXJ97awnbaUy1IeUikOsm+2O6Dnep8"
)


def new_password() -> str:
    """A random password to print once."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    """A new API token secret (shown once, stored hashed)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of a token: tokens are long and random, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionData:
    """What the session cookie carries: the user and a per-sign-in nonce, whose hash the
    app database keeps while the session lives (:mod:`revops.app.sessions`)."""

    user_id: int
    nonce: str


class Sessions:
    """Signs and reads session cookies and derives their CSRF tokens.

    Args:
        secret: the app's signing key (:mod:`revops.app.keys`).
    """

    def __init__(self, secret: str) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self.secret = secret
        self._serializer = URLSafeTimedSerializer(secret, salt="revops-session")

    def issue(self, session: SessionData) -> str:
        """The cookie value of a session (:func:`revops.app.sessions.start` makes one)."""
        return self._serializer.dumps({"u": session.user_id, "n": session.nonce})

    def read(self, cookie: str | None) -> SessionData | None:
        """The session in `cookie`, or None when missing, forged or expired."""
        from itsdangerous import BadSignature

        if not cookie:
            return None
        try:
            data: Any = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), int):
            return None
        return SessionData(int(data["u"]), str(data.get("n", "")))

    def csrf_token(self, session: SessionData) -> str:
        """The CSRF token of a session: an HMAC of its nonce, so it needs no storage."""
        message = f"csrf:{session.user_id}:{session.nonce}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def csrf_ok(self, session: SessionData, token: str | None) -> bool:
        """Whether `token` is the CSRF token of `session`."""
        return token is not None and hmac.compare_digest(self.csrf_token(session), token)
