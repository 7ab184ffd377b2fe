"""Users and API tokens of the app database; every change goes to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from revops.app import audit, throttle
from revops.app.access import ROLES, TOKEN_SCOPES, Role, token_scopes_for
from revops.app.auth import DUMMY_HASH, check_password, hash_password, new_token, token_hash
from revops.app.db import AppDatabase
from revops.app.models import ApiToken, AppSession, User
from revops.errors import AppError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Account:
    """A user as the app sees them (never with the password hash)."""

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """An API token without its secret."""

    id: int
    user_id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def account_of(user: User) -> Account:
    """The app's view of a user row."""
    return Account(
        user.id, user.email, user.name, _role(user.role), user.is_active, user.created_at
    )


def _role(value: str) -> Role:
    if value not in ROLES:
        raise AppError(f"unknown role {value!r}; use one of {', '.join(ROLES)}")
    return value


def add_user(
    db: AppDatabase, email: str, role: str, password: str, *, name: str = "", actor: str = "cli"
) -> Account:
    """Create a user.

    Raises:
        AppError: the e-mail is taken or invalid, the role unknown, the password too short.
    """
    from sqlalchemy import select

    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or " " in email:
        raise AppError(f"not an e-mail address: {email!r}")
    checked = _role(role)
    _check_password(password)
    with db.session() as session:
        if session.scalar(select(User).where(User.email == email)) is not None:
            raise AppError(f"a user {email} already exists")
        user = User(
            email=email,
            name=name.strip() or email.split("@")[0],
            role=checked,
            password_hash=hash_password(password),
            is_active=True,
            created_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
        account = account_of(user)
    audit.record(db, actor, "user.add", email, f"role={checked}")
    return account


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise AppError("the password needs at least 8 characters")


def list_users(db: AppDatabase) -> list[Account]:
    """Every user, by e-mail."""
    from sqlalchemy import select

    with db.session() as session:
        return [account_of(u) for u in session.scalars(select(User).order_by(User.email))]


def get_user(db: AppDatabase, user_id: int) -> Account | None:
    """The user with id `user_id`, or None."""
    with db.session() as session:
        user = session.get(User, user_id)
        return None if user is None else account_of(user)


def set_active(db: AppDatabase, email: str, active: bool, *, actor: str = "cli") -> Account:
    """Disable (or enable again) a user; a disabled user's sessions and tokens stop working.

    Raises:
        AppError: no such user.
    """
    from sqlalchemy import select

    email = email.strip().lower()
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise AppError(f"no user {email}")
        user.is_active = active
        if not active:
            _end_sessions(session, user.id)
        account = account_of(user)
    audit.record(db, actor, "user.enable" if active else "user.disable", email)
    return account


def set_role(db: AppDatabase, email: str, role: str, *, actor: str = "cli") -> Account:
    """Give a user another role: their sessions end (they sign in again under the new
    role) and every token of theirs with a scope the new role may not hold is revoked.

    Raises:
        AppError: no such user, or an unknown role.
    """
    from sqlalchemy import select

    email = email.strip().lower()
    checked = _role(role)
    with db.session() as session:
        user = _user(session, email)
        before = user.role
        user.role = checked
        _end_sessions(session, user.id)
        allowed = set(token_scopes_for(checked))
        revoked = []
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            if not set(token.scopes.split(",")) <= allowed:
                token.revoked_at = datetime.now(UTC)
                revoked.append(token)
        account = account_of(user)
    audit.record(db, actor, "user.role", email, f"role={before}->{checked}")
    for token in revoked:
        audit.record(
            db, actor, "token.revoke", f"token {token.id}",
            f"name={token.name} scopes={token.scopes}: above the role {checked} of {email}",
        )  # fmt: skip
    return account


def set_password(db: AppDatabase, email: str, password: str, *, actor: str = "cli") -> Account:
    """Set a user's password: every session of theirs ends.

    Raises:
        AppError: no such user, or the password is too short.
    """
    _check_password(password)
    email = email.strip().lower()
    with db.session() as session:
        user = _user(session, email)
        user.password_hash = hash_password(password)
        _end_sessions(session, user.id)
        account = account_of(user)
    audit.record(db, actor, "user.password", email)
    return account


def unlock(db: AppDatabase, email: str, *, actor: str = "cli") -> bool:
    """Lift the sign-in lock of an account (and forget its failures); whether it had any.

    Raises:
        AppError: no such user.
    """
    email = email.strip().lower()
    with db.session() as session:
        _user(session, email)
    cleared = throttle.clear(db, throttle.account_key(email))
    audit.record(db, actor, "user.unlock", email)
    return cleared


def locked_until(db: AppDatabase) -> dict[str, datetime]:
    """The accounts locked after failed sign-ins, by e-mail: until when."""
    prefix = throttle.account_key("")
    return {
        key.removeprefix(prefix): lock.until
        for key, lock in throttle.locks(db).items()
        if key.startswith(prefix)
    }


def _user(session: Session, email: str) -> User:
    from sqlalchemy import select

    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise AppError(f"no user {email}")
    return user


def _end_sessions(session: Session, user_id: int) -> None:
    from sqlalchemy import delete

    session.execute(delete(AppSession).where(AppSession.user_id == user_id))


def authenticate(db: AppDatabase, email: str, password: str, *, client: str = "") -> Account | None:
    """The active user with this e-mail and password, or None; the attempt is audited.

    Failures count against the account and the client address (:mod:`revops.app.throttle`).

    Raises:
        SignInLockedError: too many failures on the account or from the address; the password
            is not checked (audited as ``signin.locked``).
    """
    from sqlalchemy import select

    email = email.strip().lower()
    keys = [throttle.account_key(email)] + ([throttle.client_key(client)] if client else [])
    wait = throttle.retry_after(db, keys)
    if wait:
        audit.record(db, email, "signin.locked", email, f"refused, {wait} s left", client=client)
        raise throttle.SignInLockedError(wait)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        stored = user.password_hash if user is not None else DUMMY_HASH
        ok = check_password(stored, password) and user is not None and user.is_active
        account = account_of(user) if ok and user is not None else None
    if account is not None:
        throttle.clear(db, keys[0])
        audit.record(db, email, "signin", email, client=client)
        return account
    audit.record(db, email, "signin.failed", email, client=client)
    for key in keys:
        lock = throttle.fail(db, key)
        if lock is not None:
            seconds = int((lock.until - datetime.now(UTC)).total_seconds())
            audit.record(
                db, email, "signin.locked", key,
                f"{lock.failures} failures: locked for {seconds} s", client=client,
            )  # fmt: skip
    return None


def create_token(
    db: AppDatabase, user_id: int, name: str, scopes: tuple[str, ...], *, actor: str
) -> tuple[str, TokenInfo]:
    """A new API token for `user_id`: the secret (shown once) and its stored record.

    Raises:
        AppError: an unknown scope, a scope above the user's role, an empty name.
    """
    unknown = [s for s in scopes if s not in TOKEN_SCOPES]
    if unknown or not scopes:
        raise AppError(f"token scopes must be some of {', '.join(TOKEN_SCOPES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise AppError("a token needs a name of 1 to 100 characters")
    secret = new_token()
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise AppError(f"no active user {user_id}")
        allowed = token_scopes_for(_role(user.role))
        above = sorted(set(scopes) - set(allowed))
        if above:
            raise AppError(
                f"a {user.role} may not hold a token with the scope {', '.join(above)} "
                f"(allowed: {', '.join(allowed)})"
            )
        token = ApiToken(
            user_id=user_id,
            name=name,
            token_hash=token_hash(secret),
            prefix=secret[:10],
            scopes=",".join(sorted(set(scopes))),
            created_at=datetime.now(UTC),
        )
        session.add(token)
        session.flush()
        info = _token(token)
    audit.record(
        db, actor, "token.create", f"token {info.id}", f"name={name} scopes={token.scopes}"
    )
    return secret, info


def _token(token: ApiToken) -> TokenInfo:
    return TokenInfo(
        token.id,
        token.user_id,
        token.name,
        token.prefix,
        tuple(token.scopes.split(",")),
        token.created_at,
        token.revoked_at,
    )


def list_tokens(db: AppDatabase, user_id: int | None = None) -> list[TokenInfo]:
    """The tokens of `user_id` (every user's when None), newest first."""
    from sqlalchemy import select

    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    with db.session() as session:
        return [_token(t) for t in session.scalars(query)]


def revoke_token(db: AppDatabase, token_id: int, *, owner_id: int | None, actor: str) -> None:
    """Revoke a token; with `owner_id`, only if it belongs to that user.

    Raises:
        AppError: no such token (for that owner).
    """
    with db.session() as session:
        token = session.get(ApiToken, token_id)
        if token is None or (owner_id is not None and token.user_id != owner_id):
            raise AppError(f"no token {token_id}")
        if token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
    audit.record(db, actor, "token.revoke", f"token {token_id}")


def token_user(db: AppDatabase, secret: str) -> tuple[Account, frozenset[str]] | None:
    """The active user and scopes of an unrevoked token, or None."""
    from sqlalchemy import select

    with db.session() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
        if token is None or token.revoked_at is not None:
            return None
        user = session.get(User, token.user_id)
        if user is None or not user.is_active:
            return None
        return account_of(user), frozenset(token.scopes.split(","))
